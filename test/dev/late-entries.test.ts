/**
 * What the inspector's late-reply entries are made of, without a browser: the
 * server marks the try that carries a held reply (retry mode) and hands the
 * replies `off` drops to a hook; the store links a late reply and its message
 * both ways, whichever is recorded first. The pages show them in
 * pages-late.test.ts.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ExchangeStore, type StoredExchange } from '../../src/dev/inspector/store.js';
import { messageKey } from '../../src/dev/late-replies.js';
import type { Exchange } from '../../src/server/exchange.js';
import { wechat, type LateReply } from '../../src/server/wechat.js';
import { createRouter } from '../../src/wechat/router.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { textXml } from './support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A callback whose handler answers "done <text>" once `open()` is called: no timing guessed. */
function callback(options: { lateReply: 'retry' | 'off'; onLateDropped?: (late: LateReply) => void }) {
  const exchanges: Exchange[] = [];
  let open = () => {};
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const router = createRouter().on('text', async (m) => {
    if (m.content !== '继续') await gate;
    return `done ${m.content}`;
  });
  const app = new Hono();
  app.all('/', wechat({ token: TOKEN, router, deadlineMs: 30, retryHoldMs: 120, lateReply: options.lateReply, onLateDropped: options.onLateDropped, onExchange: (ex) => exchanges.push(ex), logger: { info: () => {}, warn: () => {}, error: () => {} } }));
  return { exchanges, open: () => open(), post: (xml: string) => { const { url, body } = wechatPost(xml, 'plaintext'); return () => app.request(url, { method: 'POST', body }); } };
}

describe('the server\'s side of late-reply entries', () => {
  it('retry: the try that carries the held reply says which message it answers, how late, and on what', async () => {
    const { exchanges, post, open } = callback({ lateReply: 'retry' });
    const send = post(textXml('slow', 'oHeld'));
    const first = send();
    await sleep(60);
    open();
    const second = await send();
    expect(await second.text()).toContain('done slow');
    expect(await (await first).text()).toBe('success');
    const [carried, held] = [exchanges.find((e) => e.heldReply)!, exchanges.find((e) => e.late)!];
    expect(held).toMatchObject({ late: true, lateMode: 'retry' });
    expect(carried.heldReply).toMatchObject({ via: 'retry', of: { user: 'oHeld', createTime: held.message!.createTime, msgId: (held.message as { msgId: string }).msgId } });
    // Later than the deadline (30 ms): the first try missed it.
    expect(carried.heldReply!.delayMs).toBeGreaterThanOrEqual(30);
  });

  it('retry: "继续" after the last try carries it too, marked as such', async () => {
    const { exchanges, post, open } = callback({ lateReply: 'retry' });
    const send = post(textXml('slower', 'oParked'));
    const tries = [send()];
    await sleep(60);
    tries.push(send());
    await sleep(60);
    expect(await (await send()).text()).toContain('继续');
    open();
    expect(await (await post(textXml('继续', 'oParked'))()).text()).toContain('done slower');
    await Promise.all(tries);
    const carried = exchanges.filter((e) => e.heldReply);
    expect(carried).toHaveLength(1);
    expect(carried[0]!.heldReply!.via).toBe('continue');
    expect((carried[0]!.message as { content: string }).content).toBe('继续');
    expect(carried[0]!.heldReply!.delayMs).toBeGreaterThanOrEqual(150);
  });

  it('off: the dropped reply goes to onLateDropped, and the message says so', async () => {
    const dropped: LateReply[] = [];
    const { exchanges, post, open } = callback({ lateReply: 'off', onLateDropped: (late) => dropped.push(late) });
    expect(await (await post(textXml('dropped', 'oOff'))()).text()).toBe('success');
    await sleep(20);
    open();
    expect(exchanges[0]).toMatchObject({ late: true, lateMode: 'off' });
    await expect.poll(() => dropped.length).toBe(1);
    expect(dropped[0]).toMatchObject({ reply: { type: 'text', content: 'done dropped' }, message: { fromUserName: 'oOff' } });
    expect(dropped[0]!.elapsedMs).toBeGreaterThanOrEqual(45);
  });
});

describe('the inspector\'s store', () => {
  const message = (id: string, extra: Partial<StoredExchange> = {}): StoredExchange => ({
    id, time: Date.now(), method: 'POST', path: '/', query: {}, status: 200, durationMs: 1, kind: 'message',
    message: { type: 'text', toUserName: 'gh_a', fromUserName: 'oU', createTime: 1700000000, msgId: '42', content: 'hi', raw: {} } as never, ...extra,
  });

  it('links a late reply recorded before its message (retry mode: the copy answers before the held first try ends)', () => {
    const store = new ExchangeStore();
    const heard: string[] = [];
    store.subscribe((e) => heard.push(e.kind === 'clear' ? 'clear' : `${e.kind} ${e.summary.id} ${e.summary.lateReply?.of ?? ''}${e.summary.lateReplyId ?? ''}`));
    const carried = message('b', { dedup: 'joined', lateReply: { key: messageKey(message('x').message!), delayMs: 5000, delivery: 'retry', detail: '' } });
    store.add(carried);
    expect(store.get('b')!.lateReply!.of).toBeUndefined();
    // Another copy of the message is not its first try.
    store.add(message('c', { dedup: 'joined', late: true }));
    expect(store.get('b')!.lateReply!.of).toBeUndefined();
    store.add(message('a', { dedup: 'first', late: true }));
    expect(store.get('b')!.lateReply!.of).toBe('a');
    expect(store.get('a')!.lateReplyId).toBe('b');
    // The page hears the message already linked, then the late reply's update.
    expect(heard.slice(-2)).toEqual(['exchange a b', 'update b a']);
    expect(store.list().find((s) => s.id === 'b')!.type).toBe('late reply');
  });

  it('links a late reply recorded after its message, to the first try rather than a copy', () => {
    const store = new ExchangeStore();
    store.add(message('a', { dedup: 'first', late: true }));
    store.add(message('c', { dedup: 'joined', late: true }));
    store.add(message('b', { dedup: 'joined', lateReply: { key: messageKey(message('x').message!), delayMs: 5000, delivery: 'retry', detail: '' } }));
    expect(store.get('b')!.lateReply!.of).toBe('a');
    expect(store.get('a')!.lateReplyId).toBe('b');
    expect(store.findMessage({ user: 'oU', createTime: 1700000000, msgId: '42' })!.id).toBe('a');
  });
});
