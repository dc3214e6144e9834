import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { devTarget, resolveCredentials, resolveMode, resolveUrl } from '../../src/emulator/target.js';

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
