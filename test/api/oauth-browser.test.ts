/** The OAuth middleware driven end to end in real Chromium against the mock's consent page. */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatClient } from '../../src/api/client.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { wechatOAuth, type WechatOAuthEnv } from '../../src/server/wechat-oauth.js';
import { launchBrowser } from '../dev/support/browser.js';
import { startMock, type RunningMock } from './support/mock-server.js';

const USER = 'oUser0000000000000000000001';
let mock: RunningMock;
let server: ServerType;
let origin: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  mock = await startMock({ users: { [USER]: { nickname: '小明' } } });
  const client = createWechatClient({ appId: mock.mock.appId, appSecret: mock.mock.appSecret, apiBase: mock.url, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
  const app = new Hono<WechatOAuthEnv>();
  app.use('/shop/*', wechatOAuth({ client, secret: 'test-secret-of-at-least-32-chars!!', scope: 'snsapi_userinfo' }));
  app.get('/shop/orders', (c) => c.html(`<!doctype html><meta charset="utf-8"><p id="who">${c.get('wechatUser').nickname} ${c.get('wechatUser').openid}</p>`));
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await mock?.close();
});

describe('wechatOAuth in Chromium', () => {
  it('consent page → back with a code → session cookie → clean URL; a reload exchanges nothing', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${origin}/shop/orders?tab=paid`, { timeout: 20_000 });
    // The mock's consent page, reached through the middleware's redirect.
    expect(new URL(page.url()).pathname).toBe('/connect/oauth2/authorize');
    await page.locator('input[name=openid]').fill(USER);
    // The browser keeps the authorize URL's #wechat_redirect across the redirects, as in WeChat itself.
    const clean = (u: URL | string) => String(u).split('#')[0] === `${origin}/shop/orders?tab=paid`;
    await Promise.all([page.waitForURL(clean, { timeout: 20_000 }), page.click('#allow')]);
    expect(await page.textContent('#who')).toBe(`小明 ${USER}`);
    const cookies = await browser.context.cookies(origin);
    expect(cookies.find((c) => c.name === 'wxmp_oauth')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.find((c) => c.name === 'wxmp_oauth_state')).toBeUndefined();

    await page.reload();
    expect(clean(page.url())).toBe(true);
    expect(await page.textContent('#who')).toBe(`小明 ${USER}`);
    expect(mock.mock.requestsTo('/sns/oauth2/access_token')).toHaveLength(1);
    expect(mock.mock.requestsTo('/sns/userinfo')).toHaveLength(1);
    await page.close();
  }, 60_000);

  it('a link carrying someone else\'s code and state is refused in a fresh browser session', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const code = mock.mock.issueOAuthCode(USER, 'snsapi_userinfo');
    const res = await page.goto(`${origin}/shop/orders?code=${code}&state=0123456789abcdef0123456789abcdef`, { timeout: 20_000 });
    expect(res?.status()).toBe(403);
    expect(await page.textContent('body')).toMatch(/state parameter does not match/);
    await page.close();
  }, 60_000);
});
