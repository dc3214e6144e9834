import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { verifyCallback } from '../../src/dev/verify.js';
import { TOKEN } from '../helpers/wechat-request.js';
import { freePort } from './support/lt-server.js';
import { echoBot, makeProject, memoryLogger, repoRoot } from './support/project.js';

const project = makeProject(echoBot('v:'));
let dev: DevHandle;
const servers: Server[] = [];

/** A plain HTTP server with a fixed behaviour, for the failure diagnoses. */
async function fake(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler!);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** `wxmp verify ARGS` as a user runs it, in `cwd` with only `env` (and PATH); its exit code and output. */
function runVerify(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/wxmp.js'), 'verify', ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

beforeAll(async () => {
  dev = await startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, WECHAT_PATH: '/wechat', PORT: '0', TUNNEL: 'none' }, logger: memoryLogger() });
});
afterAll(async () => {
  for (const s of servers) { s.closeAllConnections(); s.close(); }
  await dev?.close();
  project.remove();
});

describe('wxmp verify', () => {
  it('accepts the running dev server found through .wxmp/dev-state.json, with the Token from the env', async () => {
    const result = await verifyCallback({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN } });
    expect(result.ok).toBe(true);
    expect(result.url).toBe(`${dev.localUrl}/wechat`);
    expect(result.message).toMatch(/^OK: WeChat would accept http:\/\/127\.0\.0\.1:\d+\/wechat with this Token/);
    expect(result.notes.join('\n')).toContain('WeChat only calls ports 80 and 443');
    expect(result.notes.join('\n')).toContain('local address');
  });

  it('diagnoses a wrong path (404) and a wrong token (403)', async () => {
    const wrongPath = await verifyCallback({ url: `${dev.localUrl}/`, token: TOKEN });
    expect(wrongPath.ok).toBe(false);
    expect(wrongPath.message).toContain('wrong path');
    expect(wrongPath.message).toContain('answered 404 "not found: the WeChat callback is at /wechat (WECHAT_PATH)"');
    const wrongToken = await verifyCallback({ url: `${dev.localUrl}/wechat`, token: 'not-the-token' });
    expect(wrongToken.message).toMatch(/^wrong token: .* rejected the signature \(403\)/);
  });

  it('diagnoses a timeout, a non-200, a body that is not the echostr, and nothing listening', async () => {
    const silent = await fake(() => {});
    expect((await verifyCallback({ url: silent, token: TOKEN, timeoutMs: 300 })).message).toMatch(/^no answer within 300 ms .*WeChat gives up after 5 s/);
    const broken = await fake((_, res) => { res.statusCode = 500; res.end('boom'); });
    expect((await verifyCallback({ url: broken, token: TOKEN })).message).toMatch(/answered 500 "boom"; WeChat needs 200/);
    const other = await fake((_, res) => res.end('<html>hello</html>'));
    expect((await verifyCallback({ url: other, token: TOKEN })).message).toMatch(/answered 200 but with "<html>hello<\/html>" instead of the echostr/);
    const closed = await freePort();
    expect((await verifyCallback({ url: `http://127.0.0.1:${closed}/`, token: TOKEN })).message).toMatch(/nothing listens at 127\.0\.0\.1:\d+ \(connection refused\)/);
  });

  it('refuses a malformed URL and a missing Token with a clear error', async () => {
    await expect(verifyCallback({ url: 'not a url', token: TOKEN })).rejects.toThrow(/url: expected an http\(s\) URL .* got "not a url"/);
    await expect(verifyCallback({ url: 'http://127.0.0.1/', cwd: '/nonexistent-dir', env: {} })).rejects.toThrow(/no Token to sign with: expected WECHAT_TOKEN/);
  });

  it('runs as `wxmp verify <url>` with exit code 0 on success and 1 on failure', async () => {
    const run = (args: string[]) => runVerify(args, project.dir, { WECHAT_TOKEN: TOKEN });
    const good = await run([`${dev.localUrl}/wechat`]);
    expect(good.out).toContain('wxmp verify: OK');
    expect(good.code).toBe(0);
    const bad = await run([`${dev.localUrl}/nope`]);
    expect(bad.out).toContain('wxmp verify: wrong path');
    expect(bad.code).toBe(1);
  }, 40_000);
});

describe('wxmp verify --account', () => {
  const SHOP_TOKEN = 'shoptoken456';
  const multi = makeProject(echoBot('m:'));
  const env = { WECHAT_TOKEN: TOKEN, WECHAT_PATH: '/wechat', WECHAT_TOKEN_SHOP: SHOP_TOKEN, WECHAT_PATH_SHOP: '/shop', PORT: '0', TUNNEL: 'none' };
  let multiDev: DevHandle;
  beforeAll(async () => {
    multiDev = await startDev({ cwd: multi.dir, env, logger: memoryLogger() });
  });
  afterAll(async () => {
    await multiDev?.close();
    multi.remove();
  });

  it("checks a further account at its own path (from the running dev server) with its own Token", async () => {
    const shop = await verifyCallback({ cwd: multi.dir, env, account: 'shop' });
    expect(shop.message).toMatch(/^OK: WeChat would accept .* with account shop's Token/);
    expect(shop.url).toBe(`${multiDev.localUrl}/shop`);
    expect((await verifyCallback({ cwd: multi.dir, env, account: 'SHOP' })).url).toBe(`${multiDev.localUrl}/shop`);
    const first = await verifyCallback({ cwd: multi.dir, env, account: 'default' });
    expect(first.url).toBe(`${multiDev.localUrl}/wechat`);
    expect(first.ok).toBe(true);
    // The shop's path signed with the first account's Token: the server tells them apart.
    expect((await verifyCallback({ cwd: multi.dir, env, account: 'shop', token: TOKEN })).message).toMatch(/^wrong token: .*\/shop rejected the signature \(403\)/);
  });

  it('refuses an account that is not configured, naming those that are', async () => {
    await expect(verifyCallback({ cwd: multi.dir, env, account: 'blog' })).rejects.toThrow('--account: expected one of the accounts configured in .env or the environment (default, shop), got "blog"; a further account needs WECHAT_TOKEN_BLOG and WECHAT_PATH_BLOG');
    await expect(verifyCallback({ cwd: multi.dir, env, account: '../x' })).rejects.toThrow(/^--account: expected one of the accounts .* \(default, shop\), got "\.\.\/x"$/);
  });

  it('runs as `wxmp verify --account NAME`: exit code 0 for the account, and a one-line refusal for an unknown one', async () => {
    const run = (args: string[]) => runVerify(args, multi.dir, env);
    const good = await run(['--account', 'shop']);
    expect(good.out).toContain(`wxmp verify: OK: WeChat would accept ${multiDev.localUrl}/shop with account shop's Token`);
    expect(good.code).toBe(0);
    const unknown = await run(['--account', 'nope']);
    expect(unknown.out).toContain('--account: expected one of the accounts configured in .env or the environment (default, shop), got "nope"');
    expect(unknown.code).not.toBe(0);
  }, 40_000);
});
