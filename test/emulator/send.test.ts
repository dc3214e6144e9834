import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleBot from '../../src/app.js';
import { PHONE_ERROR } from '../../src/emulator/judge.js';
import { sendCommand } from '../../src/emulator/send-command.js';
import { createRouter } from '../../src/wechat/router.js';
import { credentialEnv, startBot, type Bot } from './support.js';

const root = join(import.meta.dirname, '../..');
/** An empty project folder: no .env, no dev state, so only what a test passes counts. */
const cwd = mkdtempSync(join(tmpdir(), 'wxmp-send-'));
let bot: Bot;
let slow: Bot;
let slowRuns = 0;

beforeAll(async () => {
  bot = await startBot(exampleBot);
  // Deadline past the emulator's wait, so the emulator gives up first, as WeChat would after 5 s.
  slow = await startBot(createRouter().text('boom', () => { throw new Error('bug'); }).on('text', async (m) => {
    slowRuns++;
    await new Promise((r) => setTimeout(r, m.content === 'very slow' ? 2500 : 1500));
    return `slow ${m.content}`;
  }), { deadlineMs: 10_000 });
});

afterAll(async () => {
  await bot?.close();
  await slow?.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function send(args: string[], env: Record<string, string> = credentialEnv) {
  let out = '';
  const code = await sendCommand(args, { stdout: (t) => { out += t; }, cwd, env });
  return { code, out };
}

const kinds: Array<[string[], RegExp]> = [
  [['text', '你好'], /✓ text reply.*\n  你说：你好/],
  [['text', 'news'], /✓ news reply.*\n  \[news 1\] wxmp - WeChat Official Account backends on Hono\n\s+https:\/\/github.com\/honojs\/hono/],
  [['event', 'subscribe'], /✓ text reply.*\n  欢迎关注！Send "help"/],
  [['event', 'subscribe', '--scene', '42'], /欢迎关注！\(from QR scene 42\)/],
  [['event', 'unsubscribe'], /✓ no reply \("success"\)/],
  [['click', 'TODAY'], /Today is \d{4}-\d\d-\d\d/],
  [['view', 'https://example.com/'], /✓ no reply/],
  [['scan', 'S1'], /✓ no reply/],
  [['image'], /Nice picture! \(https:\/\/mmbiz\.qpic\.cn\//],
  [['voice', '--recognition', '你好'], /✓ no reply/],
  [['location', '23.13', '113.35', '广州塔'], /You are at 广州塔/],
  [['link', 'https://mp.weixin.qq.com', '官网'], /✓ no reply/],
];

describe('wxmp send against the example app', () => {
  for (const mode of ['plaintext', 'compatible', 'safe']) {
    it.each(kinds)(`${mode}: %j`, async (args, expected) => {
      // One user per mode: WeChat keys events by user and second, so the same event twice in a second is one event.
      const user = `oEmu_${mode}`;
      const { code, out } = await send([...args, '--url', bot.callback, '--mode', mode, '--user', user]);
      expect(out).toMatch(expected);
      expect(out).toContain(`(${mode} mode, as ${user})`);
      expect(out).toMatch(/← HTTP 200 in \d+ ms; the server handled it \(first copy\)/);
      expect(code).toBe(0);
    });
  }

  it('defaults to safe mode when a key is set, plaintext otherwise', async () => {
    expect((await send(['text', 'a', '--url', bot.callback])).out).toMatch(/safe mode.*\n.*\n✓ text reply \(encrypted\)/);
    // Plaintext messages are accepted by a server that has a key too.
    expect((await send(['text', 'b', '--url', bot.callback], { WECHAT_TOKEN: credentialEnv.WECHAT_TOKEN })).out).toMatch(/plaintext mode[\s\S]*✓ text reply, accepted/);
  });

  it('--json prints the request, every try and the verdict', async () => {
    const { code, out } = await send(['text', '你好', '--url', bot.callback, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({
      action: { kind: 'text', content: '你好' },
      url: bot.callback,
      request: { mode: 'safe', query: { encrypt_type: 'aes', openid: 'oWxmpEmulatorUser00000000001' } },
      tries: [{ attempt: 1, outcome: 'answered', status: 200, dedup: 'first' }],
      verdict: { ok: true, kind: 'reply', msgType: 'text', encrypted: true, fields: { Content: '你说：你好' } },
    });
    expect(result.request.msgId).toMatch(/^\d{16,20}$/);
  });

  it('a handler that threw: WeChat gets "success", the command says so and exits 1', async () => {
    const { code, out } = await send(['text', 'boom', '--url', slow.callback]);
    expect(out).toMatch(/← HTTP 200 in \d+ ms; the server handled it \(first copy\); your handler threw \(see the server log\)\n✓ no reply/);
    expect(code).toBe(1);
  });

  it('a wrong Token is refused by the server: exit 1 with the reason and what the phone shows', async () => {
    const { code, out } = await send(['text', 'x', '--url', bot.callback], { ...credentialEnv, WECHAT_TOKEN: 'wrongtoken' });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ http-error: HTTP 403: signature does not match/);
    expect(out).toContain(`The phone shows: ${PHONE_ERROR}`);
  });

  it('an unreachable server says how to start one', async () => {
    const port = await closedPort();
    const { code, out } = await send(['text', 'x', '--url', `http://127.0.0.1:${port}/wechat`]);
    expect(code).toBe(1);
    expect(out).toContain(`cannot reach http://127.0.0.1:${port}/wechat (ECONNREFUSED); is the server running? Start it with \`npm run dev\``);
  });
});

describe('--retry: no answer in time, the same message again', () => {
  it('the second copy joins the run in progress; the handler runs once', async () => {
    slowRuns = 0;
    const { code, out } = await send(['text', 'hello', '--url', slow.callback, '--retry', '--timeout', '1000']);
    expect(out).toMatch(/try 1: no answer in 1000 ms; the connection is dropped\n  try 2: HTTP 200 in \d+ ms; the server de-duplicated: joined the run still in progress/);
    expect(out).toMatch(/2 copies sent with the same MsgId\/CreateTime; 1 reported as de-duplicated/);
    expect(out).toMatch(/✓ text reply \(encrypted\), accepted by WeChat:\n  slow hello/);
    expect(code).toBe(0);
    expect(slowRuns).toBe(1);
  });

  it('gives up after 3 tries, like WeChat', async () => {
    slowRuns = 0;
    const { code, out } = await send(['text', 'very slow', '--url', slow.callback, '--retry', '--timeout', '300', '--json']);
    const result = JSON.parse(out);
    expect(code).toBe(1);
    expect(result.tries.map((t: { outcome: string }) => t.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(result.verdict).toMatchObject({ ok: false, kind: 'timeout', phone: PHONE_ERROR });
    expect(result.verdict.reason).toMatch(/no answer to any of 3 tries within 0.3 s/);
    expect(slowRuns).toBe(1);
  });

  it('without --retry one late answer is a failure', async () => {
    const { code, out } = await send(['text', 'once', '--url', slow.callback, '--timeout', '300']);
    expect(code).toBe(1);
    expect(out).toMatch(/try 1: no answer in 300 ms[\s\S]*✗ timeout: no answer within 0.3 s; answer "success" in time/);
  });
});

describe('target and credentials', () => {
  it('sends to the running dev server recorded in .wxmp/dev-state.json, with the dev credentials', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wxmp-send-dev-'));
    try {
      mkdirSync(join(project, '.wxmp'));
      writeFileSync(join(project, '.wxmp/dev-state.json'), JSON.stringify({ port: bot.port, localUrl: bot.url, publicUrl: 'https://x.loca.lt', path: '/wechat' }));
      writeFileSync(join(project, '.wxmp/dev.env'), Object.entries(credentialEnv).map(([k, v]) => `${k}=${v}`).join('\n'));
      let out = '';
      const code = await sendCommand(['text', 'dev'], { stdout: (t) => { out += t; }, cwd: project, env: {} });
      expect(out).toContain(`to ${bot.callback} (safe mode`);
      expect(out).toContain('你说：dev');
      expect(code).toBe(0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('says how to get credentials when there are none', async () => {
    await expect(send(['text', 'x'], {})).rejects.toThrow(/WECHAT_TOKEN: expected the Token to sign with, got nothing; set it in .env.*npm run dev/);
  });

  it.each([
    [['text'], /expected the text to send/],
    [['location', 'north', '1'], /latitude .*: expected a number, got "north"/],
    [['teleport'], /expected a kind \(text, event subscribe/],
    [['text', 'x', '--mode', 'secret'], /--mode: expected plaintext, compatible or safe, got "secret"/],
    [['text', 'x', '--url', 'localhost:3000'], /--url: expected an http\(s\) URL/],
    [['text', 'x', '--timeout=-5'], /--timeout: expected a positive number/],
    [['text', 'x', '--nope'], /Unknown option '--nope'/],
  ])('%j is refused up front', async (args, message) => {
    await expect(send(args)).rejects.toThrow(message);
  });
});

describe('the wxmp send command', () => {
  const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/wxmp.js'), 'send', ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`wxmp send timed out: ${stdout}${stderr}`)); }, 15_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });

  it('exits 0 and prints the reply', async () => {
    const { code, stdout } = await run(['text', '你好', '--url', bot.callback], credentialEnv);
    expect(stdout).toContain('你说：你好');
    expect(code).toBe(0);
  });

  it('exits 1 with one clear line for bad input', async () => {
    const { code, stdout, stderr } = await run(['click'], credentialEnv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('wxmp send: expected the menu key: wxmp send click KEY; see `wxmp send --help`\n');
  });
});
