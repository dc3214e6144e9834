import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { MediaContent } from '../../src/api/http.js';
import { failure, file, mockClient } from './support/mock-client.js';

const A = 'oUser0000000000000000000001';
const text = (m: unknown) => Buffer.from((m as MediaContent).data).toString();

describe('temporary media', () => {
  it('uploads and downloads the same bytes, HD voice included; a video answers with a URL', async () => {
    const { client } = mockClient();
    const img = await client.media.upload('image', file('a.jpg', 'JPEGDATA'));
    const got = (await client.media.get(img.media_id)) as MediaContent;
    expect(text(got)).toBe('JPEGDATA');
    expect(got.filename).toBe('a.jpg');
    const voice = await client.media.upload('voice', file('v.amr', 'AMR'));
    expect((await client.media.getHdVoice(voice.media_id)).contentType).toBe('voice/speex');
    const video = await client.media.upload('video', file('v.mp4'));
    expect(await client.media.get(video.media_id)).toEqual({ video_url: expect.stringMatching(/^http/) });
    expect((await failure(client.media.get('MEDIA_nope')))?.errcode).toBe(40007);
  });

  it('uploads an article image, news and a video for mass sends', async () => {
    const { client } = mockClient();
    expect(await client.media.uploadImage(file('in-article.png'))).toMatch(/^http:\/\/mmbiz/);
    await expect(client.media.uploadImage({ data: Buffer.alloc((1 << 20) + 1), filename: 'big.jpg' })).rejects.toThrow(/1 MB/);
    const thumb = await client.material.add('thumb', file('t.jpg'));
    const news = await client.media.uploadNews([{ thumb_media_id: thumb.media_id, title: '标题', content: '<p>正文</p>' }]);
    expect(news.type).toBe('news');
    const video = await client.media.upload('video', file('v.mp4'));
    expect((await client.media.uploadVideo({ media_id: video.media_id, title: 't' })).media_id).toMatch(/^MPVIDEO_/);
  });
});

describe('permanent material', () => {
  it('add (all types, video description) → count → list → get → delete', async () => {
    const { client } = mockClient();
    await expect(client.material.add('video', file('v.mp4'))).rejects.toThrow(/description \{ title, introduction \}/);
    const image = await client.material.add('image', file('p.png', 'PNG'));
    expect(image.url).toMatch(/^http/);
    const voice = await client.material.add('voice', file('v.mp3'));
    const video = await client.material.add('video', file('v.mp4'), { title: '视频', introduction: '介绍' });
    await client.material.add('thumb', file('t.jpg'));
    expect(await client.material.count()).toEqual({ voice_count: 1, video_count: 1, image_count: 2, news_count: 0 });
    const page = await client.material.list('image', 0, 1);
    expect(page).toMatchObject({ total_count: 2, item_count: 1, item: [{ media_id: image.media_id, name: 'p.png' }] });
    await expect(client.material.list('image', 0, 21)).rejects.toThrow('count: expected an integer from 1 to 20, got 21');
    expect(text(await client.material.get(image.media_id))).toBe('PNG');
    expect(await client.material.get(video.media_id)).toMatchObject({ title: '视频', description: '介绍' });
    await client.material.delete(voice.media_id);
    expect((await failure(client.material.get(voice.media_id)))?.errcode).toBe(40007);
    expect((await client.material.count()).voice_count).toBe(0);
  });
});

describe('drafts and publishing', () => {
  it('draft add → get → count → list → update → publish → status → article → list → delete', async () => {
    const { client, mock } = mockClient();
    const cover = await client.material.add('image', file('cover.jpg'));
    const article = { title: '第一篇', content: '<p>你好</p>', thumb_media_id: cover.media_id, need_open_comment: 1 as const };
    expect((await failure(client.draft.add([{ ...article, thumb_media_id: 'nope' }])))?.errcode).toBe(40007);
    await expect(client.draft.add(Array.from({ length: 9 }, () => article))).rejects.toThrow('articles: expected 1 to 8 items, got 9');
    const id = await client.draft.add([article]);
    expect(await client.draft.get(id)).toEqual([expect.objectContaining({ title: '第一篇', url: expect.any(String) })]);
    expect(await client.draft.count()).toBe(1);
    expect((await client.draft.list(0, 10, true)).item[0]).toMatchObject({ media_id: id, content: { news_item: [expect.not.objectContaining({ content: expect.anything() })] } });
    await client.draft.update(id, 0, { ...article, title: '改过的' });
    expect((await client.draft.get(id))[0]?.title).toBe('改过的');
    expect((await failure(client.draft.update(id, 3, article)))?.errcode).toBe(40060);
    expect(await client.draft.switch(true)).toBe(true);

    const events: unknown[] = [];
    mock.subscribe((e) => e.kind === 'publish' && events.push(e));
    const publishId = await client.publish.submit(id);
    expect(await client.draft.count()).toBe(0);
    const status = await client.publish.status(publishId);
    expect(status).toMatchObject({ publish_status: 0, article_detail: { count: 1 } });
    expect(events).toEqual([{ kind: 'publish', publishId, articleId: status.article_id }]);
    expect((await client.publish.article(status.article_id!))[0]?.title).toBe('改过的');
    expect((await client.publish.list()).item.map((i) => i.article_id)).toEqual([status.article_id]);
    await client.publish.delete(status.article_id!);
    expect((await client.publish.status(publishId)).publish_status).toBe(5);
    expect((await failure(client.publish.article(status.article_id!)))?.errcode).toBe(53600);
    await client.draft.add([article]).then((d) => client.draft.delete(d));
    expect(await client.draft.count()).toBe(0);
  });
});

describe('QR codes, short keys and comments', () => {
  it('stores and fetches a short key', async () => {
    const { client } = mockClient();
    const key = await client.shortKey.gen('{"invite":42}', 3600);
    expect(await client.shortKey.fetch(key)).toMatchObject({ long_data: '{"invite":42}', expire_seconds: 3600 });
    await expect(client.shortKey.gen('x'.repeat(4097))).rejects.toBeInstanceOf(ConfigError);
    expect((await client.qrcode.create({ scene: key, expire_seconds: 60 })).ticket).toMatch(/^gQ/);
  });

  it('comments: open → list → elect → reply → delete reply → unelect → delete → close', async () => {
    const { client, mock } = mockClient();
    await client.comment.open(1001, 0);
    mock.store.comments.get('1001:0')!.list.push({ user_comment_id: 1, openid: A, create_time: 1, content: '好文', comment_type: 0 });
    expect(await client.comment.list({ msg_data_id: 1001 })).toMatchObject({ total: 1, comment: [{ content: '好文' }] });
    await client.comment.markElect(1001, 0, 1);
    expect((await client.comment.list({ msg_data_id: 1001, type: 2 })).total).toBe(1);
    await client.comment.reply(1001, 0, 1, '谢谢');
    expect((await client.comment.list({ msg_data_id: 1001 })).comment[0]?.reply?.content).toBe('谢谢');
    await client.comment.deleteReply(1001, 0, 1);
    await client.comment.unmarkElect(1001, 0, 1);
    expect((await client.comment.list({ msg_data_id: 1001, type: 2 })).total).toBe(0);
    await client.comment.delete(1001, 0, 1);
    expect((await failure(client.comment.delete(1001, 0, 1)))?.errcode).toBe(88008);
    await client.comment.close(1001, 0);
    expect(mock.store.comments.get('1001:0')?.open).toBe(false);
    await expect(client.comment.list({ msg_data_id: 1001, count: 51 })).rejects.toBeInstanceOf(ConfigError);
  });
});
