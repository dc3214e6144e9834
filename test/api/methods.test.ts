import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatClient, type WechatClient } from '../../src/api/client.js';
import { menuLink } from '../../src/api/customer-service.js';
import { WechatApiError } from '../../src/api/errors.js';
import { MenuValidationError } from '../../src/api/menu-validate.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import type { MockEvent } from '../../src/emulator/mock-api/index.js';
import { startMock, type RunningMock } from './support/mock-server.js';

let running: RunningMock;
let client: WechatClient;
const OPENID = 'oUser0000000000000000000001';

beforeAll(async () => {
  running = await startMock({ users: { [OPENID]: { remark: 'vip' }, oUser2aaaaaaaaaaaaaaaaaaaaaa: {} }, templates: ['TPL_SHIPPED'] });
  client = createWechatClient({
    appId: running.mock.appId,
    appSecret: running.mock.appSecret,
    apiBase: running.url,
    tokenStore: new MemoryTokenStore(),
    now: () => 1_700_000_000_000,
    random: (n) => Buffer.alloc(n, 7),
  });
});
afterAll(async () => {
  await running.close();
});
beforeEach(() => {
  running.mock.clearRequests();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as WechatApiError);

describe('menu', () => {
  it('creates, reads and deletes the menu', async () => {
    const menu = { button: [{ type: 'click', name: '帮助', key: 'HELP' }] };
    expect(await client.menu.get()).toBeNull();
    await client.menu.create(menu);
    expect(running.mock.menu).toEqual(menu);
    expect(await client.menu.get()).toEqual(menu);
    await client.menu.delete();
    expect(await client.menu.get()).toBeNull();
  });

  it('rejects an invalid menu before calling WeChat', async () => {
    await expect(client.menu.create({ button: [] })).rejects.toBeInstanceOf(MenuValidationError);
    expect(running.mock.requestsTo('/cgi-bin/menu/create')).toHaveLength(0);
  });
});

describe('customer service', () => {
  it('sends every message type in WeChat shape, and the mock announces each one', async () => {
    const seen: MockEvent[] = [];
    const stop = running.mock.subscribe((e) => e.kind === 'customer-message' && seen.push(e));
    const cs = client.customerService;
    await cs.sendText(OPENID, `满意吗？${menuLink('1', '满意')}`);
    await cs.send(OPENID, { msgtype: 'image', image: { media_id: 'M1' } });
    await cs.send(OPENID, { msgtype: 'voice', voice: { media_id: 'M2' } });
    await cs.send(OPENID, { msgtype: 'video', video: { media_id: 'M3', thumb_media_id: 'T3', title: 't' } });
    await cs.send(OPENID, { msgtype: 'music', music: { thumb_media_id: 'T4', musicurl: 'https://m.cn/a.mp3' } });
    await cs.send(OPENID, { msgtype: 'news', news: { articles: [{ title: 'A', url: 'https://a.cn', picurl: 'https://a.cn/p.jpg' }] } });
    await cs.send(OPENID, { msgtype: 'msgmenu', msgmenu: { head_content: '评价', list: [{ id: '101', content: '满意' }], tail_content: '谢谢' }, customservice: { kf_account: 'kf1@test' } });
    stop();
    const bodies = running.mock.customerMessages();
    expect(bodies.map((b) => b.msgtype)).toEqual(['text', 'image', 'voice', 'video', 'music', 'news', 'msgmenu']);
    expect(bodies[0]).toEqual({ touser: OPENID, msgtype: 'text', text: { content: '满意吗？<a href="weixin://bizmsgmenu?msgmenucontent=%E6%BB%A1%E6%84%8F&msgmenuid=1">满意</a>' } });
    expect(bodies[4]).toMatchObject({ music: { thumb_media_id: 'T4', musicurl: 'https://m.cn/a.mp3' } });
    expect(bodies[5]).toMatchObject({ news: { articles: [{ title: 'A', url: 'https://a.cn', picurl: 'https://a.cn/p.jpg' }] } });
    expect(bodies[6]).toMatchObject({ msgmenu: { head_content: '评价', list: [{ id: '101', content: '满意' }] }, customservice: { kf_account: 'kf1@test' } });
    expect(seen).toHaveLength(7);
  });

  it('sets the typing status', async () => {
    await client.customerService.typing(OPENID);
    await client.customerService.typing(OPENID, false);
    expect(running.mock.requestsTo('/cgi-bin/message/custom/typing').map((r) => (r.body as { command: string }).command)).toEqual(['Typing', 'CancelTyping']);
  });

  it('an unknown openid fails with 40003 and its hint', async () => {
    const e = await failure(client.customerService.sendText('oNobodyxxxxxxxxxxxxxxxxxxxx', 'hi'));
    expect(e?.errcode).toBe(40003);
    expect(e?.message).toMatch(/not a follower/);
  });

  it('a used-up daily quota fails with 45009', async () => {
    running.mock.setQuota('/cgi-bin/message/custom/send', 0);
    try {
      const e = await failure(client.customerService.sendText(OPENID, 'hi'));
      expect(e?.errcode).toBe(45009);
      expect(e?.hint).toMatch(/quota/);
    } finally {
      running.mock.setQuota('/cgi-bin/message/custom/send', undefined);
    }
  });
});

describe('template, users, media, QR codes, JS-SDK, OAuth', () => {
  it('sends a template message and returns the msgid', async () => {
    const { msgid } = await client.template.send({ touser: OPENID, template_id: 'TPL_SHIPPED', url: 'https://a.cn/o/1', data: { first: '已发货', remark: { value: '谢谢', color: '#173177' } } });
    expect(msgid).toBeGreaterThan(0);
    expect(running.mock.requestsTo('/cgi-bin/message/template/send')[0]?.body).toMatchObject({ template_id: 'TPL_SHIPPED', data: { first: { value: '已发货' }, remark: { value: '谢谢', color: '#173177' } } });
    expect((await failure(client.template.send({ touser: OPENID, template_id: 'NOPE', data: {} })))?.errcode).toBe(40037);
  });

  it('reads one user and a batch', async () => {
    expect(await client.user.info(OPENID)).toMatchObject({ subscribe: 1, openid: OPENID, remark: 'vip' });
    const list = await client.user.batch([OPENID, 'oUser2aaaaaaaaaaaaaaaaaaaaaa']);
    expect(list.map((u) => u.openid)).toEqual([OPENID, 'oUser2aaaaaaaaaaaaaaaaaaaaaa']);
  });

  it('uploads temporary media as multipart', async () => {
    const { media_id: mediaId, type } = await client.media.upload('image', { data: Buffer.from('fake-jpeg'), filename: 'a.jpg', contentType: 'image/jpeg' });
    expect(type).toBe('image');
    expect(mediaId).toMatch(/^MEDIA_/);
  });

  it('creates temporary and permanent QR codes with scenes', async () => {
    const temp = await client.qrcode.create({ scene: 'invite:42', expire_seconds: 3600 });
    expect(temp.expire_seconds).toBe(3600);
    expect(temp.image_url).toBe(`https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(temp.ticket)}`);
    const forever = await client.qrcode.create({ scene: 7, permanent: true });
    expect(forever.expire_seconds).toBeUndefined();
    const bodies = running.mock.requestsTo('/cgi-bin/qrcode/create').map((r) => r.body);
    expect(bodies).toEqual([
      { expire_seconds: 3600, action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'invite:42' } } },
      { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 7 } } },
    ]);
  });

  it('signs JS-SDK configs with one ticket fetch', async () => {
    const a = await client.jssdk.config('https://a.cn/page?x=1#frag');
    const b = await client.jssdk.config('https://a.cn/other');
    expect(a).toMatchObject({ appId: running.mock.appId, timestamp: 1_700_000_000, nonceStr: Buffer.alloc(12, 7).toString('base64url') });
    expect(a.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(b.signature).not.toBe(a.signature);
    expect(running.mock.requestsTo('/cgi-bin/ticket/getticket')).toHaveLength(1);
  });

  it('builds the authorize URL and exchanges a code once', async () => {
    expect(client.oauth.authorizeUrl({ redirect_uri: 'https://a.cn/cb?x=1', scope: 'snsapi_userinfo', state: 's1' })).toBe(
      `${running.url}/connect/oauth2/authorize?appid=${running.mock.appId}&redirect_uri=https%3A%2F%2Fa.cn%2Fcb%3Fx%3D1&response_type=code&scope=snsapi_userinfo&state=s1#wechat_redirect`,
    );
    const code = running.mock.issueOAuthCode(OPENID, 'snsapi_userinfo');
    expect(await client.oauth.exchangeCode(code)).toMatchObject({ openid: OPENID, scope: 'snsapi_userinfo' });
    expect((await failure(client.oauth.exchangeCode(code)))?.errcode).toBe(40163);
    expect((await failure(client.oauth.exchangeCode('bogus')))?.errcode).toBe(40029);
  });
});

describe('mock API answers', () => {
  it('47001 for a body that is not JSON, 40013 for a wrong appid', async () => {
    const token = await client.accessToken();
    const bad = await fetch(`${running.url}/cgi-bin/message/custom/send?access_token=${token}`, { method: 'POST', body: '{oops', signal: AbortSignal.timeout(5000) });
    expect(await bad.json()).toMatchObject({ errcode: 47001 });
    const appid = await fetch(`${running.url}/cgi-bin/token?grant_type=client_credential&appid=wxnope&secret=x`, { signal: AbortSignal.timeout(5000) });
    expect(await appid.json()).toMatchObject({ errcode: 40013, errmsg: expect.stringMatching(/^invalid appid rid: /) });
  });

  it('stable_token returns the same token until forced, and a forced refresh ends the old token at once (as WeChat documents)', async () => {
    const { mock, url } = running;
    const stable = (force: boolean) =>
      fetch(`${url}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', appid: mock.appId, secret: mock.appSecret, force_refresh: force }), signal: AbortSignal.timeout(5000) }).then((r) => r.json() as Promise<{ access_token: string; expires_in: number }>);
    const a = await stable(false);
    const b = await stable(false);
    expect(b.access_token).toBe(a.access_token);
    const c = await stable(true);
    expect(c.access_token).not.toBe(a.access_token);
    const menuWith = (t: string) => fetch(`${url}/cgi-bin/menu/delete?access_token=${t}`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json() as Promise<{ errcode: number }>);
    expect((await menuWith(a.access_token)).errcode).toBe(40001);
    expect((await menuWith(c.access_token)).errcode).toBe(0);
    expect((await menuWith('not-a-token')).errcode).toBe(40001);
    expect((await fetch(`${url}/cgi-bin/menu/get`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json()) as { errcode: number }).errcode).toBe(41001);
  });
});
