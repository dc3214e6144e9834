import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { CsMessage } from '../../src/api/customer-service.js';
import { failure, file, mockClient } from './support/mock-client.js';

const A = 'oUser0000000000000000000001';
const B = 'oUser0000000000000000000002';
const users = { [A]: {}, [B]: {} };

describe('menus', () => {
  it('default menu → conditional menu → trymatch → delete conditional → delete all', async () => {
    const { client } = mockClient({ users });
    const menu = { button: [{ type: 'click', name: '今日', key: 'TODAY' }] };
    expect((await failure(client.menu.addConditional({ button: menu.button, matchrule: { tag_id: '2' } })))?.errcode).toBe(65303);
    await client.menu.create(menu);
    const tag = await client.user.tags.create('VIP');
    const vip = { button: [{ type: 'view', name: '会员', url: 'https://a.cn/vip' }] };
    const menuid = await client.menu.addConditional({ button: vip.button, matchrule: { tag_id: String(tag.id) } });
    expect(menuid).toMatch(/^\d+$/);
    await expect(client.menu.addConditional({ button: vip.button, matchrule: {} })).rejects.toBeInstanceOf(ConfigError);

    await client.user.tags.tagUsers(tag.id, [A]);
    expect((await client.menu.tryMatch(A)).button[0]).toMatchObject({ name: '会员' });
    expect((await client.menu.tryMatch(B)).button[0]).toMatchObject({ name: '今日' });
    const all = await client.menu.getAll();
    expect(all?.conditionalmenu).toEqual([expect.objectContaining({ menuid: Number(menuid), matchrule: { tag_id: String(tag.id) } })]);
    expect(await client.menu.selfMenuInfo()).toEqual({ is_menu_open: 1, selfmenu_info: { button: [{ type: 'click', name: '今日', key: 'TODAY', value: 'TODAY' }] } });

    await client.menu.deleteConditional(menuid);
    expect((await failure(client.menu.deleteConditional(menuid)))?.errcode).toBe(65301);
    expect((await client.menu.getAll())?.conditionalmenu).toBeUndefined();
    await client.menu.delete();
    expect(await client.menu.get()).toBeNull();
    expect(await client.menu.selfMenuInfo()).toEqual({ is_menu_open: 0 });
  });
});

describe('customer service', () => {
  it('sends mpnews, mpnewsarticle and miniprogrampage in WeChat shape', async () => {
    const { client, mock } = mockClient({ users });
    await client.customerService.send(A, { msgtype: 'mpnews', mpnews: { media_id: 'MEDIA_1' } });
    await client.customerService.send(A, { msgtype: 'mpnewsarticle', mpnewsarticle: { article_id: 'ART_1' } });
    await client.customerService.send(A, { msgtype: 'miniprogrampage', miniprogrampage: { title: '商品', appid: 'wxmini', pagepath: 'pages/index', thumb_media_id: 'THUMB' } });
    expect(mock.customerMessages()).toEqual([
      { touser: A, msgtype: 'mpnews', mpnews: { media_id: 'MEDIA_1' } },
      { touser: A, msgtype: 'mpnewsarticle', mpnewsarticle: { article_id: 'ART_1' } },
      { touser: A, msgtype: 'miniprogrampage', miniprogrampage: { title: '商品', appid: 'wxmini', pagepath: 'pages/index', thumb_media_id: 'THUMB' } },
    ]);
  });

  it('refuses a message missing its content, an unknown msgtype or a second news article, before sending', async () => {
    const { client, mock } = mockClient({ users });
    const cs = client.customerService;
    await expect(cs.send(A, { msgtype: 'image', image: { media_id: '' } })).rejects.toThrow('customer-service image.media_id: expected a value, got ""');
    await expect(cs.send(A, { msgtype: 'text' } as never)).rejects.toThrow("expected { msgtype: 'text', text: { ... } }, got no text field");
    await expect(cs.send(A, { type: 'text', content: 'old shape' } as never)).rejects.toThrow(/msgtype: expected text, image, .* or wxcard, got undefined/);
    const two: CsMessage = { msgtype: 'news', news: { articles: [{ title: 'a' }, { title: 'b' }] } };
    await expect(cs.send(A, two)).rejects.toThrow("news.articles: expected 1 article (WeChat's limit), got 2");
    expect(mock.customerMessages()).toEqual([]);
  });

  it('agent accounts: add → list → update → invite → avatar → delete', async () => {
    const { client, mock } = mockClient({ users });
    await client.customerService.kf.add({ kf_account: 'kf01@mockwx', nickname: '小客服', password: 'pass' });
    expect(mock.requestsTo('/customservice/kfaccount/add')[0]?.body).toMatchObject({ password: '1a1dc91c907325c69271ddf0c944bc72' });
    expect((await failure(client.customerService.kf.add({ kf_account: 'kf01@mockwx', nickname: '重复' })))?.errcode).toBe(61453);
    await expect(client.customerService.kf.add({ kf_account: 'no-at-sign', nickname: 'x' })).rejects.toBeInstanceOf(ConfigError);
    expect(await client.customerService.kf.list()).toEqual([expect.objectContaining({ kf_account: 'kf01@mockwx', kf_nick: '小客服' })]);
    await client.customerService.kf.update({ kf_account: 'kf01@mockwx', nickname: '大客服' });
    expect((await client.customerService.kf.list())[0]?.kf_nick).toBe('大客服');
    await client.customerService.kf.invite('kf01@mockwx', 'wx_worker');
    expect((await failure(client.customerService.kf.invite('kf01@mockwx', 'wx_worker')))?.errcode).toBe(65411);
    await client.customerService.kf.uploadAvatar('kf01@mockwx', file('head.jpg'));
    expect((await client.customerService.kf.list())[0]?.kf_headimgurl).toMatch(/^http/);
    expect(await client.customerService.kf.online()).toEqual([expect.objectContaining({ kf_account: 'kf01@mockwx', accepted_case: 0 })]);
    await client.customerService.kf.delete('kf01@mockwx');
    expect(await client.customerService.kf.list()).toEqual([]);
    expect((await failure(client.customerService.kf.delete('kf01@mockwx')))?.errcode).toBe(65401);
  });

  it('sessions: waiting → create → get → list → close, and chat records', async () => {
    const { client, mock } = mockClient({ users });
    await client.customerService.kf.add({ kf_account: 'kf01@mockwx', nickname: '甲' });
    await client.customerService.kf.add({ kf_account: 'kf02@mockwx', nickname: '乙' });
    mock.store.waiting.set(A, 1_718_400_000);
    expect(await client.customerService.session.waiting()).toEqual({ count: 1, waitcaselist: [{ openid: A, latest_time: 1_718_400_000 }] });
    await client.customerService.session.create('kf01@mockwx', A);
    expect((await client.customerService.session.waiting()).count).toBe(0);
    expect((await failure(client.customerService.session.create('kf02@mockwx', A)))?.errcode).toBe(65414);
    expect(await client.customerService.session.get(A)).toMatchObject({ kf_account: 'kf01@mockwx' });
    expect(await client.customerService.session.list('kf01@mockwx')).toEqual([{ openid: A, createtime: expect.any(Number) }]);
    await client.customerService.session.close('kf01@mockwx', A);
    expect(await client.customerService.session.get(A)).toEqual({ kf_account: '', createtime: 0 });
    expect((await failure(client.customerService.session.close('kf01@mockwx', A)))?.errcode).toBe(65413);

    await client.customerService.send(A, { msgtype: 'text', text: { content: '您好' }, customservice: { kf_account: 'kf01@mockwx' } });
    const t = Math.floor(Date.parse('2024-06-15T04:00:00Z') / 1000);
    const records = await client.customerService.records({ starttime: t - 60, endtime: t + 60 });
    expect(records.recordlist).toEqual([{ openid: A, opercode: 2002, text: '您好', time: t, worker: 'kf01@mockwx' }]);
    await expect(client.customerService.records({ starttime: t, endtime: t + 90_000 })).rejects.toThrow(/within 24 hours/);
  });
});
