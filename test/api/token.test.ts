import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatClient, type WechatClientOptions } from '../../src/api/client.js';
import { ApiTimeoutError, WechatApiError } from '../../src/api/errors.js';
import { FileTokenStore, MemoryTokenStore, type TokenStore } from '../../src/api/token-store.js';
import { startMock, type RunningMock } from './support/mock-server.js';
import { runTokenChild } from './support/run-child.js';

let running: RunningMock;
let dir: string;

beforeAll(async () => {
  running = await startMock();
});
afterAll(async () => {
  await running.close();
});
beforeEach(async () => {
  running.mock.invalidateTokens();
  running.mock.clearRequests();
  running.mock.setAllowedIps(null);
  dir = await mkdtemp(join(tmpdir(), 'wxmp-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function client(extra: Partial<WechatClientOptions> = {}) {
  const { mock, url } = running;
  return createWechatClient({ appId: mock.appId, appSecret: mock.appSecret, apiBase: url, tokenStore: new FileTokenStore({ dir }), ...extra });
}

describe('access token', () => {
  it('100 concurrent calls on a cold cache fetch the token exactly once', async () => {
    const c = client();
    const users = await Promise.all(Array.from({ length: 100 }, (_, i) => c.user.info(`openid_${i}`)));
    expect(users).toHaveLength(100);
    expect(running.mock.tokenFetches()).toBe(1);
    expect(running.mock.requestsTo('/cgi-bin/user/info').every((r) => r.errcode === 0)).toBe(true);
    // stable_token is the default endpoint, without force.
    expect(running.mock.requestsTo('/cgi-bin/stable_token')[0]?.body).toMatchObject({ grant_type: 'client_credential', force_refresh: false, secret: '***' });
  });

  it('a second process started afterwards reuses the stored token (0 fetches)', async () => {
    const c = client();
    await c.user.info('openid_first');
    expect(running.mock.tokenFetches()).toBe(1);
    const { mock, url } = running;
    const child = await runTokenChild({ WECHAT_API_BASE: url, WECHAT_APP_ID: mock.appId, WECHAT_APP_SECRET: mock.appSecret, TOKEN_DIR: dir });
    expect(running.mock.tokenFetches()).toBe(1);
    expect(child.token).toMatch(/^[0-9a-f]{64}$/);
    expect(running.mock.requestsTo('/cgi-bin/user/info').length).toBe(6);
  }, 120_000);

  it('stores the token privately (0600) and leaves no temp files', async () => {
    await client().accessToken();
    const files = await readdir(dir);
    // Not WeChat's origin, so the key carries a hash of the API base: mock tokens never reach WeChat.
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^access_token\\.${running.mock.appId}\\.[0-9a-f]{8}\\.json$`));
    expect((await stat(join(dir, files[0]!))).mode & 0o777).toBe(0o600);
  });

  it('refreshes once when the token nears expiry, for many concurrent callers', async () => {
    let clock = Date.now();
    const c = client({ now: () => clock, tokenStore: new MemoryTokenStore() });
    await c.user.info('openid_a');
    clock += 7200_000 - 4 * 60_000; // inside the 5-minute early window
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.user.info(`openid_${i}`)));
    expect(running.mock.tokenFetches()).toBe(2);
  });

  it('after the token expired at WeChat too, many callers get one new token and no errors', async () => {
    let clock = 1_700_000_000_000;
    const own = await startMock({ now: () => clock });
    try {
      const c = createWechatClient({ appId: own.mock.appId, appSecret: own.mock.appSecret, apiBase: own.url, tokenStore: new MemoryTokenStore(), now: () => clock });
      const before = await c.accessToken();
      clock += 7200_000;
      await Promise.all(Array.from({ length: 20 }, (_, i) => c.user.info(`openid_${i}`)));
      expect(own.mock.tokenFetches()).toBe(2);
      expect(await c.accessToken()).not.toBe(before);
      expect(own.mock.requestsTo('/cgi-bin/user/info').every((r) => r.errcode === 0)).toBe(true);
    } finally {
      await own.close();
    }
  });

  const forceFlags = () => running.mock.requestsTo('/cgi-bin/stable_token').map((r) => (r.body as { force_refresh: boolean }).force_refresh);

  it('on 40001 fetches without force (WeChat hands out the token in force) and retries the call once', async () => {
    const c = client();
    await c.user.info('openid_a');
    running.mock.invalidateTokens();
    await expect(c.user.info('openid_b')).resolves.toMatchObject({ openid: 'openid_b' });
    expect(forceFlags()).toEqual([false, false]);
    expect(running.mock.requestsTo('/cgi-bin/user/info').map((r) => r.errcode)).toEqual([0, 40001, 0]);
  });

  it('on 40001 forces a refresh only when WeChat hands back the very token it refused', async () => {
    const c = client();
    await c.user.info('openid_a');
    const refused = await c.accessToken();
    running.mock.failNext('/cgi-bin/user/info', 40001, 1);
    await expect(c.user.info('openid_b')).resolves.toMatchObject({ openid: 'openid_b' });
    expect(forceFlags()).toEqual([false, false, true]);
    expect(await c.accessToken()).not.toBe(refused);
  });

  it('on 42001 (expired at WeChat) refreshes without force and retries once', async () => {
    const c = client();
    await c.user.info('openid_a');
    running.mock.expireTokens();
    await c.user.info('openid_b');
    expect(running.mock.requestsTo('/cgi-bin/user/info').map((r) => r.errcode)).toEqual([0, 42001, 0]);
    expect(forceFlags()).toEqual([false, false]);
    // Even when WeChat hands back the same token, an expired one is never forced.
    running.mock.failNext('/cgi-bin/user/info', 42001, 1);
    await c.user.info('openid_c');
    expect(forceFlags()).toEqual([false, false, false]);
  });

  it('two clients without a shared store never force, so they never invalidate each other\'s token', async () => {
    const a = client({ tokenStore: new MemoryTokenStore() });
    const b = client({ tokenStore: new MemoryTokenStore() });
    await a.user.tags.list();
    await b.user.tags.list();
    running.mock.invalidateTokens(); // e.g. the AppSecret was reset
    for (let i = 0; i < 6; i++) {
      await a.user.tags.list();
      await b.user.tags.list();
    }
    expect(forceFlags().filter(Boolean)).toHaveLength(0);
    expect(running.mock.requestsTo('/cgi-bin/tags/get').filter((r) => r.errcode === 40001)).toHaveLength(2);
  });

  it('two clients sharing a file store (the dev server and its bot worker) refresh once between them, under the file lock', async () => {
    const main = client();
    const worker = client();
    await main.accessToken();
    await worker.accessToken();
    running.mock.invalidateTokens();
    running.mock.clearRequests();
    const sent = await Promise.allSettled([main.customerService.sendText('oUser000001', 'late reply'), worker.customerService.sendText('oUser000001', 'reply from bot')]);
    expect(sent.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(forceFlags()).toEqual([false]);
  });

  it('holds the refresh lock long enough for the slowest refresh: a normal and a forced fetch, each with its retries', async () => {
    const ttls: number[] = [];
    const recording = (inner = new MemoryTokenStore()): TokenStore => ({ get: (k) => inner.get(k), set: (k, c) => inner.set(k, c), tryLock: async (_k, ttl) => { ttls.push(ttl); return async () => {}; } });
    await client({ tokenStore: recording() }).accessToken();
    // Two fetches × (3 rounds of two 10 s attempts + 300 + 1200 ms of busy waits).
    expect(ttls[0]).toBeGreaterThanOrEqual(2 * (3 * 2 * 10_000 + 1500));
    await client({ tokenStore: recording(), timeoutMs: 30_000 }).accessToken();
    expect(ttls[1]).toBeGreaterThanOrEqual(2 * (3 * 2 * 30_000 + 1500));
  });

  it('retries only once when the new token is refused too', async () => {
    const { mock } = running;
    const c = client({
      fetch: async (input, init) => {
        if (!String(input).includes('stable_token')) mock.invalidateTokens();
        return fetch(input, init);
      },
    });
    const error = await c.user.info('openid_a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(40001);
    expect(mock.requestsTo('/cgi-bin/user/info')).toHaveLength(2);
  });

  it('on 40164 makes one call and names the IP WeChat saw and where to allow it', async () => {
    running.mock.setAllowedIps(['203.0.113.9']);
    const error = await client().menu.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    const e = error as WechatApiError;
    expect(e.errcode).toBe(40164);
    expect(e.ip).toBe('127.0.0.1');
    expect(e.message).toContain('127.0.0.1');
    expect(e.message).toContain('IP白名单');
    expect(e.message).not.toContain(running.mock.appSecret);
    expect(running.mock.requests).toHaveLength(1);
  });

  it('uses GET /cgi-bin/token when tokenEndpoint is classic', async () => {
    await client({ tokenEndpoint: 'classic' }).user.info('openid_a');
    expect(running.mock.requestsTo('/cgi-bin/token')).toHaveLength(1);
    expect(running.mock.requestsTo('/cgi-bin/stable_token')).toHaveLength(0);
  });

  it('a wrong secret fails with 40125, a hint and no secret in the message', async () => {
    const error = await client({ appSecret: 'wrong-secret-value' }).accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(40125);
    expect((error as Error).message).toContain('WECHAT_APP_SECRET');
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });
});

describe('timeouts', () => {
  afterEach(() => {
    running.mock.setDelay('/cgi-bin/message/template/send', 0);
    running.mock.setDelay('/cgi-bin/menu/get', 0);
  });

  function counting() {
    const calls: string[] = [];
    const f: typeof fetch = (input, init) => {
      calls.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    return { calls, f };
  }

  it('a template send that times out is not retried and says it may have been delivered', async () => {
    const { calls, f } = counting();
    const c = client({ fetch: f, timeoutMs: 300 });
    await c.accessToken();
    running.mock.setDelay('/cgi-bin/message/template/send', 1000);
    const error = await c.template.send({ touser: 'openid_a', template_id: 'TPL', data: { first: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect((error as ApiTimeoutError).maybeDelivered).toBe(true);
    expect((error as Error).message).toMatch(/may or may not have been delivered/);
    expect(calls.filter((p) => p === '/cgi-bin/message/template/send')).toHaveLength(1);
  });

  it('an idempotent read that times out is tried once more', async () => {
    const { calls, f } = counting();
    const c = client({ fetch: f, timeoutMs: 300 });
    await c.accessToken();
    running.mock.setDelay('/cgi-bin/menu/get', 1000);
    const error = await c.menu.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect((error as ApiTimeoutError).maybeDelivered).toBe(false);
    expect(calls.filter((p) => p === '/cgi-bin/menu/get')).toHaveLength(2);
  });
});
