import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatApp } from '../../src/emulator/chat/index.js';
import { devChatAccounts, devTarget, resolveCredentials, resolveMode, resolveUrl } from '../../src/emulator/target.js';
import { createApp } from '../../src/server/app.js';
import { listen } from '../../src/server/start.js';
import { createRouter } from '../../src/wechat/router.js';
import { AES_KEY, APP_ID } from '../helpers/wechat-request.js';

let dir: string;
const project = (files: Record<string, string> = {}) => {
  dir = mkdtempSync(join(tmpdir(), 'wxmp-target-'));
  mkdirSync(join(dir, '.wxmp'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveUrl', () => {
  it('--url wins', () => {
    const cwd = project({ '.wxmp/dev-state.json': JSON.stringify({ port: 3000, localUrl: 'http://127.0.0.1:3000', path: '/wx' }) });
    expect(resolveUrl({ url: 'https://abc.loca.lt/wx', cwd, env: {} })).toEqual({ url: 'https://abc.loca.lt/wx', source: 'flag' });
  });

  it('then the running dev server, joining its path', () => {
    const cwd = project({ '.wxmp/dev-state.json': JSON.stringify({ port: 3000, localUrl: 'http://127.0.0.1:3000', publicUrl: 'https://abc.loca.lt', path: '/wx' }) });
    expect(resolveUrl({ cwd, env: { PORT: '1' } })).toEqual({ url: 'http://127.0.0.1:3000/wx', source: 'dev-state' });
  });

  it('a state left by a dev server that is gone is ignored', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const state = (pid: number) => JSON.stringify({ port: 3000, localUrl: 'http://127.0.0.1:3000', path: '/wx', pid });
    expect(resolveUrl({ cwd: project({ '.wxmp/dev-state.json': state(child.pid!) }), env: {} }).source).toBe('env');
    rmSync(dir, { recursive: true, force: true });
    expect(resolveUrl({ cwd: project({ '.wxmp/dev-state.json': state(process.pid) }), env: {} }).source).toBe('dev-state');
  });

  it('a localUrl that already carries the path is used as is', () => {
    const cwd = project({ '.wxmp/dev-state.json': JSON.stringify({ port: 3000, localUrl: 'http://127.0.0.1:3000/wx', path: '/wx' }) });
    expect(resolveUrl({ cwd, env: {} }).url).toBe('http://127.0.0.1:3000/wx');
  });

  it('then PORT (default 80, the dev loop\'s) and WECHAT_PATH', () => {
    const cwd = project();
    expect(resolveUrl({ cwd, env: {} })).toEqual({ url: 'http://127.0.0.1/', source: 'env' });
    expect(resolveUrl({ cwd, env: { PORT: '8000', WECHAT_PATH: '/wechat' } }).url).toBe('http://127.0.0.1:8000/wechat');
  });

  it('a damaged dev state says what to do', () => {
    expect(() => resolveUrl({ cwd: project({ '.wxmp/dev-state.json': '{' }), env: {} })).toThrow(/dev-state.json: expected JSON written by `npm run dev`.*pass --url/);
    rmSync(dir, { recursive: true, force: true });
    expect(() => resolveUrl({ cwd: project({ '.wxmp/dev-state.json': '{"port":1}' }), env: {} })).toThrow(/expected a localUrl such as http:\/\/127.0.0.1:3000, got null/);
  });
});

describe('resolveCredentials', () => {
  const devEnv = 'WECHAT_TOKEN=devtoken\nWECHAT_APP_ID=wxdev\nWECHAT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n';

  it('the environment over .env', () => {
    const cwd = project({ '.env': 'WECHAT_TOKEN=filetoken\nWECHAT_APP_ID=wxfile\n', '.wxmp/dev.env': devEnv });
    expect(resolveCredentials({ cwd, env: {} })).toEqual({ token: 'filetoken', appId: 'wxfile', encodingAESKey: undefined, source: 'env' });
    expect(resolveCredentials({ cwd, env: { WECHAT_TOKEN: 'shelltoken' } }).token).toBe('shelltoken');
  });

  it('the dev loop\'s .wxmp/dev.env when the environment has no token', () => {
    expect(resolveCredentials({ cwd: project({ '.wxmp/dev.env': devEnv }), env: {} })).toEqual({ token: 'devtoken', appId: 'wxdev', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', source: 'dev.env' });
  });

  it('with dev.env, an AppID set in .env wins, exactly as the dev server decides (real messages carry it)', async () => {
    const cwd = project({ '.env': 'WECHAT_APP_ID=wxrealappid12345\n', '.wxmp/dev.env': devEnv });
    const { ensureDevCredentials } = await import('../../src/dev/credentials.js');
    const { loadEnv } = await import('../../src/config.js');
    const dev = ensureDevCredentials(cwd, loadEnv(cwd, {}));
    const send = resolveCredentials({ cwd, env: {} });
    expect(send.appId).toBe('wxrealappid12345');
    expect(send.appId).toBe(dev.env.WECHAT_APP_ID);
    expect(send.token).toBe(dev.env.WECHAT_TOKEN);
  });

  it('a dev.env without a token is named', () => {
    expect(() => resolveCredentials({ cwd: project({ '.wxmp/dev.env': 'WECHAT_APP_ID=wx\n' }), env: {} })).toThrow(/dev.env: expected a WECHAT_TOKEN line/);
  });
});

describe('resolveMode', () => {
  it('safe by default with a key, plaintext without; the flag wins', () => {
    expect(resolveMode(undefined, { token: 't', encodingAESKey: 'k' })).toBe('safe');
    expect(resolveMode(undefined, { token: 't' })).toBe('plaintext');
    expect(resolveMode('compatible', { token: 't', encodingAESKey: 'k' })).toBe('compatible');
    expect(() => resolveMode('aes', { token: 't' })).toThrow(/--mode: expected plaintext, compatible or safe, got "aes"/);
  });
});

describe('devTarget', () => {
  it('reads the dev loop\'s files on every call', () => {
    const cwd = project({ '.wxmp/dev.env': 'WECHAT_TOKEN=devtoken\n', '.wxmp/dev-state.json': JSON.stringify({ port: 3000, localUrl: 'http://127.0.0.1:3000', path: '/wx', pid: process.pid }) });
    const target = devTarget({ cwd, env: {} });
    expect(target()).toEqual({ token: 'devtoken', appId: undefined, encodingAESKey: undefined, url: 'http://127.0.0.1:3000/wx' });
    writeFileSync(join(cwd, '.wxmp/dev-state.json'), JSON.stringify({ port: 3001, localUrl: 'http://127.0.0.1:3001', path: '/wx', pid: process.pid }));
    expect(target().url).toBe('http://127.0.0.1:3001/wx');
  });
});

describe('devChatAccounts', () => {
  const SHOP = { WECHAT_TOKEN_SHOP: 'shoptoken456', WECHAT_APP_ID_SHOP: APP_ID, WECHAT_ENCODING_AES_KEY_SHOP: AES_KEY, WECHAT_PATH_SHOP: '/shop' };
  const state = (port: number, localUrl = `http://127.0.0.1:${port}`) => JSON.stringify({ port, localUrl, path: '/wx', pid: process.pid, accounts: [{ name: 'shop', path: '/shop' }] });

  it("gives a chat mounted next to `npm run dev` the further accounts it serves, each at its path with its own credentials, read per request", async () => {
    // The dev server's first account and its shop, as `npm run dev` serves them; the chat signs for each.
    const server = await listen(createApp({
      config: { token: 'devtoken', path: '/wx' },
      accounts: [{ name: 'shop', token: SHOP.WECHAT_TOKEN_SHOP, appId: APP_ID, encodingAESKey: AES_KEY, path: '/shop' }],
      router: createRouter().on('text', (m, ctx) => `${ctx.account}: ${m.content}`),
    } as never).fetch, 0, '127.0.0.1');
    try {
      const cwd = project({ '.wxmp/dev.env': 'WECHAT_TOKEN=devtoken\n', '.wxmp/dev-state.json': state(server.port) });
      const menu = { button: [{ type: 'click', name: 'shop menu', key: 'k' }] };
      const accounts = devChatAccounts({ cwd, env: SHOP, mock: (name) => (name === 'shop' ? { menu, subscribe: () => () => {} } : undefined) });
      expect(accounts()).toEqual([{ name: 'shop', token: 'shoptoken456', appId: APP_ID, encodingAESKey: AES_KEY, url: `${server.url}/shop`, mock: expect.objectContaining({ menu }), mediaBase: undefined }]);
      expect(devTarget({ cwd, env: SHOP, account: 'shop' })().url).toBe(`${server.url}/shop`);

      const chat = createChatApp({ target: devTarget({ cwd, env: SHOP }), accounts });
      const shopState = (await (await chat.request('/state?account=shop')).json()) as { accounts: Array<{ value: string; label: string }>; menu: unknown; modes: string[] };
      expect(shopState).toMatchObject({ accounts: [{ value: 'default' }, { value: 'shop', label: 'shop · /shop' }], menu, modes: ['plaintext', 'compatible', 'safe'] });
      const send = async (body: object) => ((await (await chat.request('/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'text', content: 'hi', ...body }) })).json()) as { verdict: { ok: boolean; fields?: { Content?: string } } }).verdict;
      // Signed with the shop's Token and encrypted with its key: the server's shop account takes it.
      expect(await send({ account: 'shop' })).toMatchObject({ ok: true, fields: { Content: 'shop: hi' } });
      expect(await send({})).toMatchObject({ ok: true, fields: { Content: 'default: hi' } });

      // The dev server restarted on another port: the next request follows it.
      writeFileSync(join(cwd, '.wxmp/dev-state.json'), state(1));
      expect(accounts()[0]!.url).toBe('http://127.0.0.1:1/shop');
      // And one that no longer serves the shop has no such account.
      writeFileSync(join(cwd, '.wxmp/dev-state.json'), JSON.stringify({ port: server.port, localUrl: server.url, path: '/wx', pid: process.pid }));
      expect(((await (await chat.request('/state?account=shop')).json()) as { error: string }).error).toBe('account: expected one of default, got "shop"');
    } finally {
      await server.close();
    }
  });
});
