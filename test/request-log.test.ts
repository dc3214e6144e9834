import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, mkdtempSync, open, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { BatchWriter, LOG_FLUSH_MS } from '../src/server/batch-writer.js';
import type { Exchange } from '../src/server/exchange.js';
import { exchangeRecord, openExchangeLog } from '../src/server/log-file.js';
import { silentLogger } from '../src/server/logger.js';
import { redactStream } from '../src/server/output.js';
import { createRedactor } from '../src/server/redact.js';
import { escapeControls, formatExchange, messageGist, replyGist } from '../src/server/request-log.js';
import { createProductionApp } from '../src/server/start.js';
import { createRouter } from '../src/wechat/router.js';
import { bodies, envelope } from './fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, crypto, wechatPost } from './helpers/wechat-request.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxmp-reqlog-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const config = parseServerConfig({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_APP_SECRET: 'appsecret0123456789' });
const records = (dir: string) => readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Exchange);

/** The production app with its log in a temp folder and stdout captured. */
function production(router = createRouter().on('text', (m) => `echo: ${m.content}`)) {
  const dir = tempDir();
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { printed.push(String(chunk)); return true; });
  const { app, closeLog } = createProductionApp(config, { router, logDir: dir, logger: silentLogger });
  return {
    app,
    dir,
    printed,
    async close() {
      await closeLog();
      // The request lines are written once per event-loop turn.
      await new Promise((r) => setImmediate(r));
      write.mockRestore();
    },
  };
}

describe('the gists in a request line', () => {
  it('clip and quote text as collapsing whitespace and JSON.stringify would, for any text', () => {
    // The line as it was made before the fast paths: every text through replace and JSON.stringify.
    const clip = (text: string, max = 60) => { const flat = text.replace(/\s+/g, ' '); return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat; };
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '"', '\\', '\u0001', '中', '😀', '\ud83d', '→'), maxLength: 90 });
    fc.assert(fc.property(text, (t) => {
      expect(messageGist({ type: 'text', content: t } as never)).toBe(`text ${JSON.stringify(clip(t))}`);
      expect(replyGist({ type: 'news', articles: [{ title: t, url: 'u' }] } as never)).toBe(`news[1] ${JSON.stringify(clip(t, 30))}`);
    }), { numRuns: 2000 });
  });
});

describe('the request log', () => {
  it('records what each branch answered, byte for byte, without cloning the response; lines as before', async () => {
    const p = production();
    const sent: Array<{ status: number; body: string }> = [];
    const call = async (url: string, init?: RequestInit) => {
      const res = await p.app.request(url, init);
      sent.push({ status: res.status, body: await res.text() });
    };
    const msg = wechatPost(bodies.text, 'safe');
    await call(`/?signature=x&timestamp=1&nonce=2&echostr=hi`); // bad signature: 403
    await call(msg.url, { method: 'POST', body: msg.body });
    await call('/', { method: 'PUT' });
    const plain = wechatPost(bodies.subscribe, 'plaintext');
    await call(plain.url, { method: 'POST', body: plain.body });
    await p.close();
    const logged = records(p.dir);
    expect(logged.map((l) => ({ status: l.status, body: l.responseBody }))).toEqual(sent);
    // The JSON record is the exchange without message.raw, as it always was.
    const [, message] = logged;
    expect(message).toMatchObject({ kind: 'message', mode: 'safe', dedup: 'first', message: { type: 'text', content: 'this is a test' }, reply: { type: 'text', content: 'echo: this is a test' } });
    expect(message!.message).not.toHaveProperty('raw');
    expect(exchangeRecord(message!, (t) => t)).toBe(`${JSON.stringify(message)}\n`);
    // A live exchange (message in the middle, with raw) gives the line the object spread gave: same fields, same order.
    const live: Exchange = { id: 'a-1', time: 1, method: 'POST', path: '/', query: { nonce: '1' }, status: 200, durationMs: 2, kind: 'message', mode: 'safe', message: { type: 'text', content: 'hi', fromUserName: 'u', toUserName: 'g', createTime: 1, msgId: '9', raw: { Content: 'hi' } } as Exchange['message'], reply: null, responseBody: 'success', dedup: 'first' };
    const { message: m, ...rest } = live;
    expect(exchangeRecord(live, (t) => t.replace('hi', 'HI'))).toBe(`${JSON.stringify({ ...rest, message: { ...m, raw: undefined } }).replace('hi', 'HI')}\n`);
    expect(exchangeRecord(rest, (t) => t)).toBe(`${JSON.stringify(rest)}\n`);
    const lines = p.printed.join('').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d GET \/ 403 \d+ms WeChat URL verification ✗ SIGNATURE_INVALID: /);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d POST \/ 200 \d+ms \[safe\] oUser123: text "this is a test" → text "echo: this is a test"$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d PUT \/ 405 \d+ms$/);
    expect(lines[3]).toMatch(/POST \/ 200 \d+ms \[plaintext\] oUser123: event subscribe → success$/);
  });

  it('keeps the line and the server when a reply cannot be written as JSON (a cycle, a BigInt in a bot\'s article)', async () => {
    const article: Record<string, unknown> = { title: 'Loop', description: 'd', url: 'https://example.com/a', picUrl: 'https://example.com/a.png', views: 10n };
    article.self = article;
    const p = production(createRouter().on('text', () => ({ type: 'news', articles: [article] }) as never));
    const msg = wechatPost(bodies.text, 'plaintext');
    const res = await p.app.request(msg.url, { method: 'POST', body: msg.body });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Title><![CDATA[Loop]]></Title>');
    // The drain runs on the next turns: a throw there would be an uncaught exception, failing this file.
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    const [record] = records(p.dir) as Array<Exchange & { replyNotLogged?: string }>;
    expect(record).toMatchObject({ kind: 'message', status: 200, message: { type: 'text' } });
    expect(record!.reply).toBeUndefined();
    expect(record!.replyNotLogged).toMatch(/BigInt|circular/i);
    expect(record!.replyXml).toContain('Loop');
  });

  it('writes a record that cannot be JSON at all as a line saying so, and the records after it', async () => {
    const dir = tempDir();
    const log = openExchangeLog(dir);
    const base: Exchange = { id: 'x-1', time: 1, method: 'POST', path: '/', query: {}, status: 200, durationMs: 1, kind: 'message' };
    log.write({ ...base, error: { code: 'HANDLER_ERROR', message: 'm', stack: 1n as never } });
    log.write({ ...base, id: 'x-2' });
    await log.close();
    const [bad, next] = records(dir);
    expect(bad).toMatchObject({ id: 'x-1', status: 200, error: { code: 'LOG_UNWRITABLE', message: expect.stringMatching(/BigInt/) } });
    expect(next).toMatchObject({ id: 'x-2' });
  });

  it('is created 0600 (decrypted messages, OpenIDs), and an older 0644 file is made private', async () => {
    const p = production();
    const msg = wechatPost(bodies.text, 'plaintext');
    await p.app.request(msg.url, { method: 'POST', body: msg.body });
    await p.close();
    expect(statSync(join(p.dir, 'requests.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(p.dir).mode & 0o077).toBe(0);

    const old = tempDir();
    writeFileSync(join(old, 'requests.jsonl'), '');
    chmodSync(join(old, 'requests.jsonl'), 0o644);
    const log = openExchangeLog(old);
    await log.close();
    expect(statSync(join(old, 'requests.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('redacts secrets in the file and the line, wherever the handler put them', async () => {
    const leak = `token ${TOKEN} key ${AES_KEY} see https://api.weixin.qq.com/cgi-bin/x?access_token=ACCESS123&y=1`;
    const p = production(createRouter().on('text', () => { throw new Error(leak); }).event('subscribe', () => leak));
    for (const body of [bodies.text, bodies.subscribe]) {
      const msg = wechatPost(body, 'safe');
      await p.app.request(msg.url, { method: 'POST', body: msg.body });
    }
    await p.close();
    const file = readFileSync(join(p.dir, 'requests.jsonl'), 'utf8');
    const printed = p.printed.join('');
    for (const out of [file, printed]) {
      expect(out).toContain('access_token=[redacted]');
      for (const secret of [TOKEN, AES_KEY, 'ACCESS123']) expect(out).not.toContain(secret);
    }
    for (const line of file.trim().split('\n')) JSON.parse(line);
  });

  it('escapes control characters: a newline in FromUserName cannot forge a line, C1 controls and ESC are shown', async () => {
    const forged = 'oEvil\n12:00:00 POST / 200 1ms [plaintext] oAdmin: text "refund approved" → success';
    const p = production();
    const xml = envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi\u0085there \u009b31mred\u2028]]></Content><MsgId>77</MsgId>`, forged);
    const msg = wechatPost(xml, 'plaintext');
    expect((await p.app.request(msg.url, { method: 'POST', body: msg.body })).status).toBe(200);
    await p.close();
    const lines = p.printed.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('oEvil\\n12:00:00 POST');
    expect(lines[0]).toContain('hi\\u0085there \\u009b31mred');
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    // The JSON record keeps the exact value (JSON escapes what needs it).
    expect(records(p.dir)[0]!.message).toMatchObject({ fromUserName: forged });
    expect(escapeControls('a\tb\rc\u007f\u001b[31m')).toBe('a\\tb\\rc\\u007f\\u001b[31m');
  });

  it('logs a copy answered from the de-dup cache as such, with the reply it got (safe mode decrypted)', async () => {
    let runs = 0;
    const p = production(createRouter().on('text', (m) => { runs++; return `echo: ${m.content}`; }));
    const first = wechatPost(bodies.text, 'safe');
    const again = wechatPost(bodies.text, 'safe');
    const a = await (await p.app.request(first.url, { method: 'POST', body: first.body })).text();
    const b = await (await p.app.request(again.url, { method: 'POST', body: again.body })).text();
    await p.close();
    expect(runs).toBe(1);
    expect(crypto.decrypt(/<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(b)![1]!)).toBe(crypto.decrypt(/<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(a)![1]!));
    const lines = p.printed.join('').trim().split('\n');
    expect(lines[1]).toMatch(/\[safe\] oUser123: text "this is a test" → text "echo: this is a test" \(retry replayed: the first copy's answer, handler not run again\)$/);
    expect(records(p.dir)[1]).toMatchObject({ dedup: 'replayed', responseBody: b });
  });

  it('a full disk never takes the server down: writes fail, requests are still answered', async () => {
    if (!existsSync('/dev/full')) throw new Error('/dev/full is needed for this test');
    const dir = tempDir();
    symlinkSync('/dev/full', join(dir, 'requests.jsonl'));
    const { app, closeLog } = createProductionApp(config, { router: createRouter().on('text', () => 'ok'), logDir: dir, logger: silentLogger, quiet: true });
    for (let i = 0; i < 50; i++) {
      const msg = wechatPost(envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x]]></Content><MsgId>${900 + i}</MsgId>`), 'plaintext');
      const res = await app.request(msg.url, { method: 'POST', body: msg.body });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('ok');
      await new Promise((r) => setImmediate(r));
    }
    await closeLog();
  });

  it('a stalled disk costs lines, counted in one LOG_DROPPED record once it drains, never memory or the records kept', async () => {
    // Stalled for real: every thread of libuv's pool (which does all file writes) waits to open a
    // FIFO no one writes to, so the log's writes queue up until they are let go.
    const dir = tempDir();
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: threads }, (_, i) => join(dir, `stall-${i}`));
    execFileSync('mkfifo', fifos);
    const log = openExchangeLog(join(dir, 'logs'));
    const stalled = fifos.map((f) => new Promise<void>((resolve) => open(f, 'r', (error, fd) => { if (!error) closeSync(fd); resolve(); })));
    const rawBody = `<xml>${'x'.repeat(2000)}</xml>`;
    let written = 0;
    // 12 MB in bursts, each flushed before the next: past the 8 MB the writer lets wait on the disk.
    for (let burst = 0; burst < 30; burst++) {
      for (let i = 0; i < 200; i++) log.write({ id: `s-${written++}`, time: Date.now(), method: 'POST', path: '/', query: {}, status: 200, durationMs: 1, kind: 'message', rawBody });
      await new Promise((r) => setTimeout(r, LOG_FLUSH_MS + 5));
    }
    // The disk comes back: a writer for each FIFO lets its reader (and the pool's thread) go.
    for (const f of fifos) closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
    await Promise.all(stalled);
    await vi.waitFor(() => expect(existsSync(join(dir, 'logs', 'requests.jsonl')) && statSync(join(dir, 'logs', 'requests.jsonl')).size).toBeGreaterThan(8_000_000), { timeout: 10_000 });
    // The count is written with the first batch after the target drained.
    await new Promise((r) => setTimeout(r, 200));
    log.write({ id: 'after', time: Date.now(), method: 'POST', path: '/', query: {}, status: 200, durationMs: 1, kind: 'message' });
    await log.close();
    const all = records(join(dir, 'logs'));
    const kept = all.filter((r) => r.id.startsWith('s-'));
    const notice = all.filter((r) => r.error?.code === 'LOG_DROPPED');
    expect(notice).toHaveLength(1);
    const dropped = Number(/^(\d+) request log lines dropped/.exec(notice[0]!.error!.message)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(kept.length + dropped).toBe(written);
    // Whole records, in order, each as written; the notice comes before the record that followed the drain.
    expect(kept.every((r, i) => r.rawBody === rawBody && (i === 0 || Number(r.id.slice(2)) > Number(kept[i - 1]!.id.slice(2))))).toBe(true);
    expect(all.slice(-2).map((r) => r.id)).toEqual([notice[0]!.id, 'after']);
    // `wxmp deploy logs` shows it as one more line.
    expect(formatExchange(notice[0]!)).toMatch(/^\d\d:\d\d:\d\d - - 0 0ms ✗ LOG_DROPPED: \d+ request log lines dropped: the disk did not take them in time \(full or stalled\?\)$/);
  });

  it('batches a burst into one write, and past the bound drops lines (counted) instead of growing', async () => {
    const writes: string[] = [];
    let pending = 0;
    const writer = new BatchWriter({ write: (t) => { writes.push(Buffer.from(t).toString('utf8')); pending += t.length; return false; }, pending: () => pending }, { maxPendingBytes: 100, droppedLine: (n) => `dropped ${n}\n` });
    for (let i = 0; i < 5; i++) writer.push(`line ${i}\n`);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['line 0\nline 1\nline 2\nline 3\nline 4\n']);
    for (let i = 0; i < 100; i++) writer.push(`${'x'.repeat(20)}\n`);
    await new Promise((r) => setImmediate(r));
    expect(pending).toBeLessThanOrEqual(100 + 21 * 4);
    pending = 0; // the target drained
    writer.push('after\n');
    await new Promise((r) => setImmediate(r));
    expect(writes.at(-1)).toMatch(/^dropped \d+\nafter\n$/);
  });

  it('writes every byte as given: multi-byte UTF-8, lines past its buffer size, and what it handed over is never rewritten', async () => {
    const chunks: Uint8Array[] = [];
    const writer = new BatchWriter({ write: (t) => { chunks.push(t); return true; }, pending: () => 0 });
    const expected: string[] = [];
    for (let batch = 0; batch < 6; batch++) {
      // Even batches fit one buffer (handed over as is, its rest kept for the next batch); odd ones hold lines of 120 KB.
      for (let i = 0; i < (batch % 2 ? 300 : 100); i++) {
        // Mixed widths: 1-byte ASCII, 3-byte CJK, 4-byte emoji (a surrogate pair).
        const line = `${batch}.${i} 你好 😀 ${batch % 2 && i % 97 === 50 ? '长'.repeat(40_000) : 'x'.repeat(i)}\n`;
        expected.push(line);
        writer.push(line);
      }
      writer.flush();
    }
    expect(chunks.length).toBe(6);
    expect(chunks.map((c) => Buffer.from(c).toString('utf8')).join('')).toBe(expected.join(''));
  });

  it("the bot's own output in production passes the redactor, line by line", () => {
    const out: string[] = [];
    const fake = { write: (t: string) => { out.push(String(t)); return true; }, writableLength: 0 } as unknown as NodeJS.WriteStream;
    const raw = redactStream(fake, createRedactor([TOKEN]));
    fake.write(`bot says ${TOKEN.slice(0, 5)}`);
    fake.write(`${TOKEN.slice(5)} done\n`);
    fake.write(Buffer.from(`again ${TOKEN}\n`));
    raw(`raw ${TOKEN}\n`);
    expect(out).toEqual(['bot says [redacted] done\n', 'again [redacted]\n', `raw ${TOKEN}\n`]);
  });
});

describe('formatExchange', () => {
  it('is unchanged for an ordinary message', () => {
    const ex: Exchange = { id: 'a', time: 0, method: 'POST', path: '/', query: {}, status: 200, durationMs: 3.2, kind: 'message', mode: 'plaintext', message: { type: 'text', content: 'hi', fromUserName: 'oU', toUserName: 'gh', createTime: 1, msgId: '1', raw: {} } as never, reply: { type: 'text', content: 'yo' }, dedup: 'first' };
    expect(formatExchange(ex).slice(9)).toBe('POST / 200 3ms [plaintext] oU: text "hi" → text "yo"');
  });
});
