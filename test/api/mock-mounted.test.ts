import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatClient } from '../../src/api/client.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { createMockApi } from '../../src/emulator/mock-api/index.js';

/** The emulator mounts the mock inside its own app; the client reaches it through a base with a path. */
const mock = createMockApi({ maxRecorded: 3 });
let server: ServerType;
let base: string;

beforeAll(async () => {
  const outer = new Hono();
  outer.get('/', (c) => c.text('emulator'));
  outer.route('/wx', mock.app);
  server = await new Promise((resolve) => {
    const s = serve({ fetch: outer.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('mock API mounted under a prefix', () => {
  it('serves the client at WECHAT_API_BASE with a path, and records paths as WeChat names them', async () => {
    const client = createWechatClient({ appId: mock.appId, appSecret: mock.appSecret, apiBase: base, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
    await client.menu.create({ button: [{ type: 'click', name: 'a', key: 'k' }] });
    expect(mock.requests.map((r) => r.path)).toEqual(['/cgi-bin/stable_token', '/cgi-bin/menu/create']);
    await client.menu.get();
    await client.menu.get();
    // maxRecorded keeps the newest three.
    expect(mock.requests.map((r) => r.path)).toEqual(['/cgi-bin/menu/create', '/cgi-bin/menu/get', '/cgi-bin/menu/get']);
  });

  it('serves the OAuth consent page under the same prefix, so offline sign-in works through a mounted mock', async () => {
    const client = createWechatClient({ appId: mock.appId, appSecret: mock.appSecret, apiBase: base, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
    const authorize = client.oauth.authorizeUrl({ redirect_uri: 'https://shop.test/cb', state: 'xyz' });
    expect(authorize.startsWith(`${base}/connect/oauth2/authorize?`)).toBe(true);
    const res = await fetch(authorize, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://shop.test/cb');
    expect(back.searchParams.get('state')).toBe('xyz');
    expect((await client.oauth.exchangeCode(back.searchParams.get('code')!)).scope).toBe('snsapi_base');
  });
});
