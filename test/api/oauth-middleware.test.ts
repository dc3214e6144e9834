import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jssdkSignature } from '../../src/api/calls/jssdk.js';
import { ConfigError } from '../../src/errors.js';
import { jssdkConfigRoute } from '../../src/server/jssdk-route.js';
import { wechatOAuth, type WechatOAuthEnv } from '../../src/server/wechat-oauth.js';
import { mockClient } from './support/mock-client.js';

const SECRET = 'x'.repeat(32);
const USER = 'oUser0000000000000000000001';

function setup(scope: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_base') {
  const { client, mock } = mockClient({ users: { [USER]: { nickname: '小明' } } });
  const app = new Hono<WechatOAuthEnv>();
  app.use('/my/*', wechatOAuth({ client, secret: SECRET, scope }));
  app.get('/my/page', (c) => c.json(c.get('wechatUser')));
  return { app, client, mock };
}

/** A cookie jar over app.request: follows nothing, keeps Set-Cookie. */
function browser(app: Hono<WechatOAuthEnv>) {
  const jar = new Map<string, string>();
  return async (url: string) => {
    const res = await app.request(url, { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [k, v] = pair!.split('=') as [string, string];
      if (/Max-Age=0/.test(line)) jar.delete(k);
      else jar.set(k, v);
    }
    return res;
  };
}

describe('wechatOAuth middleware', () => {
  it('redirects to WeChat, exchanges the code once, strips it by redirect and keeps a signed session', async () => {
    const { app, mock } = setup('snsapi_userinfo');
    const get = browser(app);
    const start = await get('http://shop.test/my/page?item=7');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.pathname).toBe('/connect/oauth2/authorize');
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://shop.test/my/page?item=7');
    expect(authorize.searchParams.get('scope')).toBe('snsapi_userinfo');
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^[0-9a-f]{32}$/);

    const code = mock.issueOAuthCode(USER, 'snsapi_userinfo');
    const back = await get(`http://shop.test/my/page?item=7&code=${code}&state=${state}`);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('http://shop.test/my/page?item=7');
    expect(back.headers.getSetCookie().join()).toMatch(/wxmp_oauth=.*HttpOnly.*SameSite=Lax/);
    const page = await get('http://shop.test/my/page?item=7');
    expect(await page.json()).toMatchObject({ openid: USER, nickname: '小明', scope: 'snsapi_userinfo' });
    // The same code again (a reload of the old URL) only strips it: no second exchange.
    expect((await get(`http://shop.test/my/page?code=${code}&state=${state}`)).headers.get('location')).toBe('http://shop.test/my/page');
    expect(mock.requestsTo('/sns/oauth2/access_token')).toHaveLength(1);
  });

  it('refuses a state that does not match the browser\'s, and a forged session cookie', async () => {
    const { app, mock } = setup();
    const get = browser(app);
    await get('http://shop.test/my/page');
    const code = mock.issueOAuthCode(USER);
    const wrong = await get(`http://shop.test/my/page?code=${code}&state=deadbeef`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toMatch(/state parameter does not match/);
    expect(mock.requestsTo('/sns/oauth2/access_token')).toHaveLength(0);
    const forged = Buffer.from(JSON.stringify({ openid: 'oAttacker', scope: 'snsapi_base', expiresAt: Date.now() + 1e9 })).toString('base64url');
    const res = await app.request('http://shop.test/my/page', { headers: { cookie: `wxmp_oauth=${forged}.AAAA` } });
    expect(res.status).toBe(302);
  });

  it('a used code (40163) starts over with a fresh one, at most twice, then says so', async () => {
    const { app, client, mock } = setup();
    const get = browser(app);
    const used = mock.issueOAuthCode(USER);
    await client.oauth.exchangeCode(used);
    for (let i = 0; i < 3; i++) {
      const state = new URL((await get('http://shop.test/my/page')).headers.get('location')!).searchParams.get('state');
      const res = await get(`http://shop.test/my/page?code=${used}&state=${state}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('http://shop.test/my/page');
    }
    const gaveUp = await get('http://shop.test/my/page');
    expect(gaveUp.status).toBe(502);
    expect(await gaveUp.text()).toMatch(/failed 3 times/);
  });

  it('checks its options', () => {
    const { client } = mockClient();
    expect(() => wechatOAuth({ client, secret: 'short' })).toThrow(ConfigError);
    expect(() => wechatOAuth({ client, secret: SECRET, publicOrigin: 'example.com' })).toThrow(/publicOrigin/);
  });
});

describe('jssdkConfigRoute', () => {
  it('signs wx.config for pages on the allowed hosts only', async () => {
    const { client, mock } = mockClient();
    const app = new Hono().get('/jssdk', jssdkConfigRoute({ client, allowedHosts: ['shop.test'], jsApiList: ['scanQRCode'] }));
    const page = 'https://shop.test/p?a=1&b=2';
    const res = await app.request(`/jssdk?url=${encodeURIComponent(`${page}#frag`)}`);
    expect(res.status).toBe(200);
    const config = (await res.json()) as { appId: string; timestamp: number; nonceStr: string; signature: string; jsApiList: string[] };
    expect(config).toMatchObject({ appId: mock.appId, jsApiList: ['scanQRCode'] });
    expect(config.signature).toBe(jssdkSignature({ ticket: await client.jssdk.ticket(), nonceStr: config.nonceStr, timestamp: config.timestamp, url: page }));
    expect((await app.request(`/jssdk?url=${encodeURIComponent('https://evil.test/')}`)).status).toBe(403);
    expect((await app.request('/jssdk')).status).toBe(400);
    expect(() => jssdkConfigRoute({ client, allowedHosts: [] })).toThrow(ConfigError);
  });
});
