/**
 * What a failure around the handler costs: a listener that rejects, a handler that
 * throws something String() cannot show or fails after WeChat's last try, a reply
 * with characters XML forbids. Each costs its own log line, never the process, a
 * second run of the handler, or the user's next message.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/server/app.js';
import { errorStack } from '../src/server/error-text.js';
import type { Exchange } from '../src/server/exchange.js';
import { consoleLogger, type Logger } from '../src/server/logger.js';
import { createRouter, type Router } from '../src/wechat/router.js';
import { parseAny, parseXml } from '../src/wechat/xml.js';
import { bodies } from './fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, crypto, wechatPost, type Mode } from './helpers/wechat-request.js';

function makeApp(router: Router, extra: Partial<Parameters<typeof createApp>[0]> = {}) {
  const lines: string[] = [];
  const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m, e) => lines.push(`${m}\n${errorStack(e)}`) };
  const exchanges: Exchange[] = [];
  const app = createApp({ config: { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, path: '/', deadlineMs: 300 }, router, logger, onExchange: (e) => exchanges.push(e), ...extra });
  return { app, lines, exchanges };
}

const post = (app: ReturnType<typeof createApp>, xml: string, mode: Mode = 'plaintext') => {
  const { url, body } = wechatPost(xml, mode);
  return app.request(url, { method: 'POST', body });
};
const textBody = (content: string, msgId: string) => bodies.text.replace('this is a test', content).replace('1234567890123456', msgId);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('async listeners', () => {
  it('an onExchange that rejects is logged like one that throws, and the process goes on', async () => {
    const { app, lines } = makeApp(createRouter().on('text', () => 'ok'), { onExchange: async () => { throw new Error('db insert failed'); } });
    expect((await post(app, bodies.text)).status).toBe(200);
    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/onExchange listener threw\nError: db insert failed/));
  });

  it('an onLateDropped that rejects is logged like one that throws', async () => {
    const slow = createRouter().on('text', async () => { await new Promise((r) => setTimeout(r, 100)); return 'late'; });
    const { app, lines } = makeApp(slow, { config: { token: TOKEN, path: '/', deadlineMs: 30, lateReply: 'off' }, onLateDropped: async () => { throw new Error('inspector gone'); } });
    expect(await (await post(app, bodies.text)).text()).toBe('success');
    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/onLateDropped listener threw\nError: inspector gone/));
  });
});

describe('a handler that throws something String() cannot convert', () => {
  it('is logged and recorded, and its copy joins the one run: the handler never runs again', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    let runs = 0;
    const router = createRouter().on('text', async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      throw Object.assign(Object.create(null) as object, { message: 'rpc failed' });
    });
    const { app, exchanges } = makeApp(router, { logger: consoleLogger });
    const { url, body } = wechatPost(bodies.text, 'plaintext');
    const send = () => app.request(url, { method: 'POST', body });
    const responses = await Promise.all([send(), new Promise((r) => setTimeout(r, 10)).then(send)]);
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(['success', 'success']);
    expect(responses.map((r) => r.headers.get('x-wxmp-dedup'))).toEqual(['first', 'joined']);
    expect(runs).toBe(1);
    expect(exchanges[0]!.error).toEqual({ code: 'HANDLER_ERROR', message: 'rpc failed' });
    expect(printed.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/handler for text from oUser123 threw; answered "success"\nrpc failed/)]);
  });

  it("an error while answering (here the logger's own) is never taken for a de-dup store failure", async () => {
    let runs = 0;
    const lines: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (m) => { lines.push(m); if (m.includes('threw')) throw new Error('log disk full'); } };
    const app = createApp({ config: { token: TOKEN, path: '/' }, router: createRouter().on('text', () => { runs++; throw new Error('boom'); }), logger });
    expect(await (await post(app, bodies.text)).text()).toBe('success');
    expect(runs).toBe(1);
    expect(lines.join('\n')).not.toMatch(/de-dup store failed/);
  });
});

describe('a reply with characters XML forbids', () => {
  it.each<Mode>(['plaintext', 'safe'])('%s: the characters are dropped, the reply parses and keeps the rest', async (mode) => {
    const { app } = makeApp(createRouter().on('text', () => 'bell\u0007 nul\u0000 half\uD83D ok 😀'));
    let xml = await (await post(app, bodies.text, mode)).text();
    if (mode !== 'plaintext') xml = crypto.decrypt(parseXml(xml).Encrypt as string);
    expect(() => parseAny(xml)).not.toThrow();
    expect(parseXml(xml).Content).toBe('bell nul half ok 😀');
  });
});

describe('WECHAT_LATE_REPLY=retry, a handler that fails late', () => {
  const retryApp = (router: Router) => makeApp(router, { config: { token: TOKEN, path: '/', deadlineMs: 100, lateReply: 'retry' }, retryHoldMs: 150 });

  it('after WeChat\'s last try: logged once with its stack, and "继续" reaches the bot again', async () => {
    let fail!: (error: Error) => void;
    const router = createRouter()
      .text('继续', () => 'the bot got 继续')
      .on('text', () => new Promise<string>((_, reject) => { fail = reject; }));
    const { app, lines } = retryApp(router);
    const slow = textBody('slow', '777');
    const tries: string[] = [];
    for (let i = 0; i < 3; i++) tries.push(await (await post(app, slow)).text());
    expect(tries.slice(0, 2)).toEqual(['success', 'success']);
    expect(parseXml(tries[2]!).Content).toMatch(/继续/);
    fail(new Error('late failure'));
    await vi.waitFor(() => expect(lines.filter((l) => l.includes('failed after WeChat\'s last try'))).toEqual([expect.stringMatching(/late handler for text from oUser123 failed[^\n]*\nError: late failure\n\s+at /)]));
    expect(parseXml(await (await post(app, textBody('继续', '778'))).text()).Content).toBe('the bot got 继续');
    expect(lines.filter((l) => l.includes('late failure'))).toHaveLength(1);
  });

  it('seen by a retry: reported by that try only, and "继续" then reaches the bot', async () => {
    const router = createRouter()
      .text('继续', () => 'the bot got 继续')
      // Fails after the deadline (100 ms) and before the first try's hold ends (150 ms).
      .on('text', async () => { await new Promise((r) => setTimeout(r, 120)); throw new Error('late failure'); });
    const { app, lines } = retryApp(router);
    const slow = textBody('slow', '779');
    const first = await post(app, slow);
    expect(first.headers.get('x-wxmp-handler')).toBe('late');
    const second = await post(app, slow);
    expect([await second.text(), second.headers.get('x-wxmp-handler')]).toEqual(['success', 'error']);
    expect(await (await post(app, slow)).text()).toBe('success');
    expect(parseXml(await (await post(app, textBody('继续', '780'))).text()).Content).toBe('the bot got 继续');
    expect(lines.filter((l) => l.includes('late failure'))).toHaveLength(1);
  });
});
