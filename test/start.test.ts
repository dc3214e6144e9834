import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bodies, envelope } from './fixtures/messages.js';
import { TOKEN, wechatPost } from './helpers/wechat-request.js';

const root = join(import.meta.dirname, '..');
const logDir = mkdtempSync(join(tmpdir(), 'wxmp-start-'));
const children: ChildProcess[] = [];
const dirs: string[] = [logDir];

function start(env: Record<string, string>, cwd = logDir): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [join(root, 'bin/wxmp.js'), 'start'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', WXMP_LOG_DIR: logDir, ...env },
  });
  children.push(child);
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function http(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    // A new connection each: the cluster hands connections to the workers in turn.
    const req = request(url, { method, timeout: 5000, agent: false }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits for the startup line; a loaded 2-core VM builds and starts slowly. */
function listening(output: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output()}`)), 40_000);
    const check = setInterval(() => {
      const m = output().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearInterval(check); clearTimeout(timer); resolve(m[1]!); }
    }, 50);
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('wxmp start (npm start)', () => {
  it("serves a second account (WECHAT_TOKEN_SHOP, WECHAT_PATH_SHOP) at its own path with its own Token, and redacts that account's secrets from what the bot prints", async () => {
    const project = mkdtempSync(join(tmpdir(), 'wxmp-start-accounts-'));
    dirs.push(project);
    mkdirSync(join(project, 'src'));
    const shopSecret = 'shopsecret0123456789abcdefXYZ';
    writeFileSync(join(project, 'src', 'app.ts'), `import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
export default createRouter().on('text', (m, ctx) => {
  console.log(ctx.account + ' bot sees ' + process.env.WECHAT_APP_SECRET_SHOP + ' ' + process.env.WECHAT_TOKEN_SHOP);
  return m.content;
});
`);
    const server = start({ WECHAT_TOKEN: TOKEN, WXMP_WORKERS: '1', WXMP_LOG_DIR: project, WECHAT_TOKEN_SHOP: 'shoptoken456', WECHAT_PATH_SHOP: '/shop', WECHAT_APP_SECRET_SHOP: shopSecret }, project);
    const url = await listening(server.output);
    await expect.poll(() => server.output(), { timeout: 5000 }).toMatch(/wxmp: account shop: callback at http:\/\/127\.0\.0\.1:\d+\/shop/);
    const main = wechatPost(bodies.text, 'plaintext');
    expect((await http(`${url}${main.url}`, 'POST', main.body)).body).toContain('this is a test');
    const shop = wechatPost(bodies.text.replace('1234567890123456', '99'), 'plaintext', { token: 'shoptoken456', path: '/shop' });
    expect((await http(`${url}${shop.url}`, 'POST', shop.body)).body).toContain('this is a test');
    const wrong = wechatPost(bodies.text.replace('1234567890123456', '98'), 'plaintext', { path: '/shop' });
    expect((await http(`${url}${wrong.url}`, 'POST', wrong.body)).status).toBe(403);
    await expect.poll(() => server.output(), { timeout: 5000 }).toContain('shop bot sees [redacted] [redacted]');
    expect(server.output()).not.toContain(shopSecret);
    expect(server.output()).not.toContain('shoptoken456');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('serves the bot and /healthz, logs each request, and stops cleanly on SIGTERM', async () => {
    const server = start({ WECHAT_TOKEN: TOKEN, WXMP_WORKERS: '1' });
    const url = await listening(server.output);
    // What deploy ships, built once and cached: no TypeScript compiled while it runs.
    expect(existsSync(join(logDir, '.wxmp', 'start', 'server.mjs'))).toBe(true);
    expect(server.output()).toMatch(/; 1 worker \(WXMP_WORKERS\)\n/);
    const health = await http(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

    const { url: path, body } = wechatPost(bodies.text, 'plaintext');
    const res = await http(`${url}${path}`, 'POST', body);
    expect(res.body).toContain('this is a test');

    await expect.poll(() => server.output(), { timeout: 5000 }).toMatch(/POST \/ 200 \d+ms \[plaintext\] oUser123: text "this is a test" → text/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const lines = readFileSync(join(logDir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.kind === 'message')).toMatchObject({ status: 200, mode: 'plaintext', message: { type: 'text', content: 'this is a test' } });
    expect(readFileSync(join(logDir, 'requests.jsonl'), 'utf8')).not.toContain(TOKEN);
    expect(statSync(join(logDir, 'requests.jsonl')).mode & 0o777).toBe(0o600);
  }, 90_000);

  it('spreads connections over WXMP_WORKERS workers; a retry storm of one MsgId runs the handler once and gets 4 identical replies', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wxmp-start-workers-'));
    dirs.push(project);
    mkdirSync(join(project, 'src'));
    const handled = join(project, 'handled.txt');
    // The bot records which process handled what, and is slow, so the copies arrive while the first runs.
    writeFileSync(join(project, 'src', 'app.ts'), `import { appendFileSync } from 'node:fs';
import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
export default createRouter().on('text', async (m) => {
  appendFileSync(${JSON.stringify(handled)}, m.msgId + ' ' + process.pid + ' ' + m.content + '\\n');
  console.log('bot saw ${TOKEN}');
  await new Promise((r) => setTimeout(r, m.content === 'storm' ? 400 : 0));
  return 'reply to ' + m.content + ' ' + m.msgId;
});
`);
    const server = start({ WECHAT_TOKEN: TOKEN, WXMP_WORKERS: '2', WXMP_LOG_DIR: project }, project);
    const url = await listening(server.output);
    expect(server.output()).toMatch(/; 2 workers \(WXMP_WORKERS\)\n/);
    const text = (id: number, content: string) => envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId>`);
    for (let i = 0; i < 6; i++) {
      const { url: path, body } = wechatPost(text(7000 + i, 'spread'), 'plaintext');
      expect((await http(`${url}${path}`, 'POST', body)).body).toContain(`reply to spread ${7000 + i}`);
    }
    const pids = new Set(readFileSync(handled, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]));
    expect(pids.size).toBe(2);

    // WeChat's retries: same MsgId, fresh signature each, at once, on separate connections (so on both workers).
    const copies = await Promise.all(Array.from({ length: 4 }, () => {
      const { url: path, body } = wechatPost(text(8888, 'storm'), 'plaintext');
      return http(`${url}${path}`, 'POST', body);
    }));
    expect(copies.map((c) => c.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(copies.map((c) => c.body)).size).toBe(1);
    expect(copies[0]!.body).toContain('reply to storm 8888');
    expect(copies.map((c) => c.headers['x-wxmp-dedup']).sort()).toEqual(['first', 'joined', 'joined', 'joined']);
    expect(readFileSync(handled, 'utf8').split('\n').filter((l) => l.startsWith('8888 '))).toHaveLength(1);
    // The replay record is the primary's too: a signed query used again with another body is refused on
    // either worker, and WeChat's retry with the same query and body gets the first answer there.
    const once = wechatPost(text(9999, 'once'), 'plaintext');
    expect((await http(`${url}${once.url}`, 'POST', once.body)).body).toContain('reply to once 9999');
    for (let i = 0; i < 4; i++) {
      expect((await http(`${url}${once.url}`, 'POST', text(9998 - i, 'forged'))).status).toBe(403);
      const again = await http(`${url}${once.url}`, 'POST', once.body);
      expect([again.body, again.headers['x-wxmp-dedup']]).toEqual([expect.stringContaining('reply to once 9999'), 'replayed']);
    }
    expect(readFileSync(handled, 'utf8')).not.toContain('forged');
    // The bot's own console output is redacted in production too.
    await expect.poll(() => server.output(), { timeout: 5000 }).toContain('bot saw [redacted]');
    expect(server.output()).not.toContain(TOKEN);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 90_000);

  it('stops at start with one line naming a bad variable', async () => {
    const server = start({ WECHAT_TOKEN: TOKEN, PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toBe('wxmp start: PORT: expected an integer from 0 to 65535, got "eighty"');
    const workers = start({ WECHAT_TOKEN: TOKEN, WXMP_WORKERS: 'many' });
    expect(await workers.exited).toBe(1);
    expect(workers.output().trim()).toBe('wxmp start: WXMP_WORKERS: expected an integer from 1 to 256 (worker processes; default: the number of cores), got "many"');
  }, 90_000);
});
