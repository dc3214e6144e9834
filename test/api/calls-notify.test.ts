import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { failure, mockClient } from './support/mock-client.js';

const A = 'oUser0000000000000000000001';
const B = 'oUser0000000000000000000002';
const users = { [A]: {}, [B]: {} };

describe('template messages', () => {
  it('industry set → get; template add → list → send → delete', async () => {
    const { client, mock } = mockClient({ users, templates: [] });
    await client.template.setIndustry(1, 4);
    expect(await client.template.getIndustry()).toMatchObject({ primary_industry: { first_class: 'IT科技' } });
    const id = await client.template.add('TM00015');
    expect(await client.template.list()).toEqual([expect.objectContaining({ template_id: id })]);
    expect((await client.template.send({ touser: A, template_id: id, data: { first: '你好' } })).msgid).toBeGreaterThan(0);
    expect(mock.requestsTo('/cgi-bin/message/template/send')[0]?.body).toMatchObject({ template_id: id, data: { first: { value: '你好' } } });
    await client.template.delete(id);
    expect(await client.template.list()).toEqual([]);
    expect((await failure(client.template.send({ touser: A, template_id: id, data: {} })))?.errcode).toBe(40037);
    await client.template.sendOnce({ touser: A, template_id: 'ONCE', scene: 1000, title: '订阅提醒', data: { content: { value: '内容' } } });
    await expect(client.template.sendOnce({ touser: A, template_id: 'ONCE', scene: 1, title: 'x'.repeat(16), data: { content: { value: 'x' } } })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('subscription messages (订阅通知)', () => {
  it('categories → library titles → keywords → add → list → bizsend → delete', async () => {
    const { client, mock } = mockClient({ users });
    const categories = await client.subscribe.categories();
    expect(categories[0]).toEqual({ id: 1, name: '商业服务' });
    const titles = await client.subscribe.libraryTitles([categories[0]!.id], 0, 10);
    expect(titles.data.map((t) => t.title)).toEqual(['订单发货通知', '预约成功通知']);
    await expect(client.subscribe.libraryTitles([1], 0, 31)).rejects.toThrow('limit: expected an integer from 1 to 30, got 31');
    const keywords = await client.subscribe.libraryKeywords(titles.data[0]!.tid);
    expect(keywords.data[0]).toMatchObject({ kid: 1, name: '订单号', rule: 'character_string' });
    await expect(client.subscribe.add(1001, [1])).rejects.toThrow('kidList: expected 2 to 5 items, got 1');
    const pri = await client.subscribe.add(1001, [1, 2], '发货通知');
    expect(await client.subscribe.list()).toEqual([expect.objectContaining({ priTmplId: pri, title: '订单发货通知', content: '订单号:{{character_string1.DATA}}\n商品名称:{{thing2.DATA}}' })]);
    await client.subscribe.send({ touser: A, template_id: pri, page: 'https://a.cn/o/1', data: { character_string1: 'A123', thing2: { value: '茶叶' } } });
    expect(mock.requestsTo('/cgi-bin/message/subscribe/bizsend')[0]?.body).toMatchObject({ data: { character_string1: { value: 'A123' }, thing2: { value: '茶叶' } } });
    const missing = await failure(client.subscribe.send({ touser: A, template_id: pri, data: { character_string1: 'A123' } }));
    expect(missing?.errcode).toBe(47003);
    await client.subscribe.delete(pri);
    expect(await client.subscribe.list()).toEqual([]);
    expect((await failure(client.subscribe.send({ touser: A, template_id: pri, data: {} })))?.errcode).toBe(40037);
  });
});

describe('mass messages (群发)', () => {
  it('to a tag and to everyone → to openids → preview → status → delete; speed set → get', async () => {
    const { client, mock } = mockClient({ users });
    const text = { msgtype: 'text' as const, text: { content: '通知' } };
    const byTag = await client.mass.sendToTag(2, text, 'batch-1');
    expect(byTag).toMatchObject({ msg_id: expect.any(Number), msg_data_id: expect.any(Number) });
    expect(mock.requestsTo('/cgi-bin/message/mass/sendall')[0]?.body).toEqual({ filter: { is_to_all: false, tag_id: 2 }, ...text, clientmsgid: 'batch-1' });
    await client.mass.sendToTag('all', text);
    expect(mock.requestsTo('/cgi-bin/message/mass/sendall')[1]?.body).toMatchObject({ filter: { is_to_all: true } });
    expect((await failure(client.mass.sendToTag(999, text)))?.errcode).toBe(40050);
    await expect(client.mass.sendToUsers([A], text)).rejects.toThrow(/at least 2 openids/);
    const sent = await client.mass.sendToUsers([A, B], { msgtype: 'image', image: { media_id: 'M' } });
    await client.mass.preview(A, text);
    await client.mass.preview({ towxname: 'wx_admin' }, text);
    expect(await client.mass.status(sent.msg_id)).toEqual({ msg_id: sent.msg_id, msg_status: 'SEND_SUCCESS' });
    await client.mass.delete(sent.msg_id);
    expect((await client.mass.status(sent.msg_id)).msg_status).toBe('DELETE');
    await client.mass.setSpeed(3);
    expect(await client.mass.getSpeed()).toEqual({ speed: 3, realspeed: 30 });
    await expect(client.mass.setSpeed(5 as 4)).rejects.toBeInstanceOf(ConfigError);
    await expect(client.mass.sendToTag(2, { msgtype: 'text' } as never)).rejects.toThrow(/expected \{ msgtype/);
  });
});
