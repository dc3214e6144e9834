import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bodies } from './fixtures/messages.js';
import { TOKEN, wechatPost } from './helpers/wechat-request.js';

const root = join(import.meta.dirname, '..');
const logDir = mkdtempSync(join(tmpdir(), 'wxmp-start-'));
const children: ChildProcess[] = [];

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [join(root, 'bin/wxmp.js'), 'start'], {
    cwd: logDir,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', WXMP_LOG_DIR: logDir, ...env },
  });
  children.push(child);
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function http(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 5000 }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(logDir, { recursive: true, force: true });
});

describe('wxmp start (npm start)', () => {
  it('serves the bot and /healthz, logs each request, and stops cleanly on SIGTERM', async () => {
    const server = start({ WECHAT_TOKEN: TOKEN });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${server.output()}`)), 15_000);
      const check = setInterval(() => {
        const m = server.output().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) { clearInterval(check); clearTimeout(timer); resolve(m[1]!); }
      }, 50);
    });
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
  });

  it('stops at start with one line naming a bad variable', async () => {
    const server = start({ WECHAT_TOKEN: TOKEN, PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toBe('wxmp start: PORT: expected an integer from 0 to 65535, got "eighty"');
  });
});
