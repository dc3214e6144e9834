import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { createApp } from '../src/server/app.js';
import type { Exchange } from '../src/server/exchange.js';
import { MemoryDedupStore, type DedupStore } from '../src/wechat/dedup.js';
import { createRouter } from '../src/wechat/router.js';
import { sign } from '../src/wechat/signature.js';
import { bodies, envelope } from './fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, wechatPost } from './helpers/wechat-request.js';

/** An app on a clock the test moves, and the messages its bot saw. */
function makeApp(extra: { mode?: 'auto' | 'safe'; maxClockSkewSec?: number; dedupStore?: DedupStore } = {}) {
  const clock = { ms: Date.now() };
  const seen: string[] = [];
  const exchanges: Exchange[] = [];
  const router = createRouter().on('text', (m) => { seen.push(`${m.fromUserName}: ${m.content}`); return `ok ${m.content}`; });
  const { mode, maxClockSkewSec, dedupStore } = extra;
  const app = createApp({ config: { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, path: '/', deadlineMs: 300, mode, maxClockSkewSec }, router, dedupStore, now: () => clock.ms, onExchange: (e) => exchanges.push(e), logger: { info() {}, warn() {}, error() {} } });
  return { app, clock, seen, exchanges };
}

let n = 0;
/** A query signed with the real Token at `timestamp` (seconds), with a nonce used once. */
function queryAt(timestamp: string): string {
  const nonce = `n${Date.now()}${n++}`;
  return `signature=${sign(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;
}
const text = (content: string, from = 'oUser123', id = String(10_000 + n++)) => envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId>`, from);
const nowSec = () => Math.floor(Date.now() / 1000);

describe('freshness: a timestamp outside WECHAT_MAX_CLOCK_SKEW (default 300 s) is refused', () => {
  it.each([
    ['a day old', () => String(nowSec() - 86_400), /is 24 h old/],
    ['from 2001', () => '978307200', /days old/],
    ['a year ahead', () => String(nowSec() + 365 * 86_400), /days ahead of this server/],
    ['six minutes old', () => String(nowSec() - 360), /is 6 min old/],
  ])('%s: 403 with the reason, on POST and GET; the bot never sees it', async (_, ts, reason) => {
    const { app, seen } = makeApp();
    const post = await app.request(`/?${queryAt(ts())}`, { method: 'POST', body: text('hi') });
    expect(post.status).toBe(403);
    expect(await post.text()).toMatch(reason);
    const get = await app.request(`/?${queryAt(ts())}&echostr=e`);
    expect([get.status, await get.text()]).toEqual([403, expect.stringMatching(/WECHAT_MAX_CLOCK_SKEW/)]);
    expect(seen).toEqual([]);
  });

  it('refuses a timestamp that is not a number of seconds', async () => {
    const { app } = makeApp();
    for (const ts of ['yesterday', '-5', '1.5e9', '17000000000000']) {
      const res = await app.request(`/?${queryAt(ts)}`, { method: 'POST', body: text('hi') });
      expect([res.status, await res.text()]).toEqual([403, expect.stringMatching(/is not a number of seconds/)]);
    }
  });

  it('accepts what WeChat sends: a timestamp a little behind or ahead, within the window', async () => {
    const { app, seen } = makeApp();
    for (const skew of [-290, -20, 0, 20, 290]) {
      const res = await app.request(`/?${queryAt(String(nowSec() + skew))}`, { method: 'POST', body: text(`skew ${skew}`) });
      expect(res.status).toBe(200);
    }
    expect(seen).toHaveLength(5);
  });

  it('takes the window from WECHAT_MAX_CLOCK_SKEW; 0 turns the checks off', async () => {
    expect(parseServerConfig({ WECHAT_TOKEN: 'abc', WECHAT_MAX_CLOCK_SKEW: '60' }).maxClockSkewSec).toBe(60);
    expect(parseServerConfig({ WECHAT_TOKEN: 'abc' }).maxClockSkewSec).toBe(300);
    expect(() => parseServerConfig({ WECHAT_TOKEN: 'abc', WECHAT_MAX_CLOCK_SKEW: 'five' })).toThrow(/WECHAT_MAX_CLOCK_SKEW: expected an integer from 0 to 86400, got "five"/);
    const strict = makeApp({ maxClockSkewSec: 60 });
    expect((await strict.app.request(`/?${queryAt(String(nowSec() - 90))}`, { method: 'POST', body: text('a') })).status).toBe(403);
    const off = makeApp({ maxClockSkewSec: 0 });
    expect((await off.app.request(`/?${queryAt('978307200')}`, { method: 'POST', body: text('a') })).status).toBe(200);
  });
});

describe('replay: a signed query is good for one request', () => {
  it('refuses a captured query carrying a forged message (the plaintext signature does not cover the body)', async () => {
    const { app, seen } = makeApp();
    const query = queryAt(String(nowSec()));
    expect((await app.request(`/?${query}`, { method: 'POST', body: text('hello') })).status).toBe(200);
    for (const from of ['oVictim', 'oVictim2']) {
      const forged = await app.request(`/?${query}`, { method: 'POST', body: text('refund approved', from) });
      expect([forged.status, await forged.text()]).toEqual([403, expect.stringMatching(/already used for another message: refused as a replay/)]);
    }
    expect(seen).toEqual(['oUser123: hello']);
  });

  it("refuses a GET verification's query used to sign a message", async () => {
    const { app, seen } = makeApp();
    const query = queryAt(String(nowSec()));
    expect(await (await app.request(`/?${query}&echostr=e1`)).text()).toBe('e1');
    const forged = await app.request(`/?${query}`, { method: 'POST', body: text('as admin', 'oAdmin') });
    expect([forged.status, await forged.text()]).toEqual([403, expect.stringMatching(/GET verification/)]);
    expect(seen).toEqual([]);
  });

  it('refuses an identical request re-sent 33 s later (WeChat has stopped retrying by then)', async () => {
    const { app, clock, seen } = makeApp();
    const query = queryAt(String(nowSec()));
    const body = text('once');
    expect((await app.request(`/?${query}`, { method: 'POST', body })).status).toBe(200);
    clock.ms += 33_000;
    const again = await app.request(`/?${query}`, { method: 'POST', body });
    expect([again.status, await again.text()]).toEqual([403, expect.stringMatching(/already received more than 30 s ago: refused as a replay/)]);
    expect(seen).toEqual(['oUser123: once']);
  });

  it("lets WeChat's retries through, with the query they first came with or a new one: de-duplicated and answered", async () => {
    const { app, clock, seen, exchanges } = makeApp();
    const ts = String(nowSec());
    const query = queryAt(ts);
    const body = text('retry me');
    const first = await (await app.request(`/?${query}`, { method: 'POST', body })).text();
    clock.ms += 5_000;
    const sameQuery = await app.request(`/?${query}`, { method: 'POST', body });
    clock.ms += 5_000;
    const newQuery = await app.request(`/?${queryAt(String(nowSec() + 10))}`, { method: 'POST', body });
    expect([sameQuery.status, newQuery.status]).toEqual([200, 200]);
    expect([await sameQuery.text(), await newQuery.text()]).toEqual([first, first]);
    expect(seen).toEqual(['oUser123: retry me']);
    expect(exchanges.map((e) => e.dedup)).toEqual(['first', 'replayed', 'replayed']);
  });

  it('shares the record through the de-dup store, so a replay to another instance is refused too', async () => {
    const shared = new MemoryDedupStore();
    const a = makeApp({ dedupStore: shared });
    const b = makeApp({ dedupStore: shared });
    const query = queryAt(String(nowSec()));
    expect((await a.app.request(`/?${query}`, { method: 'POST', body: text('hello') })).status).toBe(200);
    expect((await b.app.request(`/?${query}`, { method: 'POST', body: text('forged', 'oVictim') })).status).toBe(403);
    expect(b.seen).toEqual([]);
  });
});

/** A store shared the way Redis is (no in-process ledger), over a MemoryDedupStore; `values`: what was recorded. */
function sharedStore() {
  const inner = new MemoryDedupStore();
  const values: string[] = [];
  const store: DedupStore = {
    claim: (key, ttlMs) => inner.claim(key, ttlMs),
    complete: (key, reply, ttlMs) => inner.complete(key, reply, ttlMs),
    get: (key) => inner.get(key),
    remember: (key, value, ttlMs) => (values.push(value), inner.remember(key, value, ttlMs)),
  };
  return { inner, store, values };
}

describe('replay in safe and compatible mode: msg_signature covers the body', () => {
  it('records the msg_signature instead of a digest of the body, and still tells a retry from a replay', async () => {
    for (const mode of ['safe', 'compatible'] as const) {
      for (const where of ['this process', 'a shared store'] as const) {
        const shared = sharedStore();
        const memory = new MemoryDedupStore();
        const record = vi.spyOn(memory.replays, 'record');
        const { app, clock, seen, exchanges } = makeApp({ dedupStore: where === 'this process' ? memory : shared.store });
        const { url, body } = wechatPost(text(`sealed ${mode}`), mode);
        const first = await (await app.request(url, { method: 'POST', body })).text();
        const msgSignature = new URL(url, 'http://x').searchParams.get('msg_signature')!;
        if (where === 'this process') expect(record.mock.calls[0]?.[3]).toBe(msgSignature);
        else expect(shared.values).toEqual([expect.stringMatching(new RegExp(`^POST:sig:${msgSignature}@\\d+$`))]);
        clock.ms += 5_000;
        const retry = await app.request(url, { method: 'POST', body });
        expect([retry.status, await retry.text()]).toEqual([200, first]);
        clock.ms += 30_000;
        const replay = await app.request(url, { method: 'POST', body });
        expect([replay.status, await replay.text()], `${mode}, ${where}`).toEqual([403, expect.stringMatching(/already received more than 30 s ago/)]);
        expect(seen).toEqual([`oUser123: sealed ${mode}`]);
        expect(exchanges.map((e) => e.dedup)).toEqual(['first', 'replayed', undefined]);
      }
    }
  });

  it("matches a retry against a shared store's record of the body's digest, as a release before this one wrote it", async () => {
    const { inner, store } = sharedStore();
    const { app, seen } = makeApp({ dedupStore: store });
    const { url, body } = wechatPost(text('across a deploy'), 'safe');
    const q = new URL(url, 'http://x').searchParams;
    const digest = createHash('sha1').update(body).digest('base64url');
    await inner.remember(`${q.get('timestamp')}:${q.get('nonce')}:${q.get('signature')}`, `POST:${digest}@${Date.now()}`, 60_000);
    const retry = await app.request(url, { method: 'POST', body });
    expect(retry.status).toBe(200);
    expect(seen).toEqual(['oUser123: across a deploy']);
    const other = wechatPost(text('another message'), 'safe');
    const otherQuery = new URL(other.url, 'http://x').searchParams;
    await inner.remember(`${otherQuery.get('timestamp')}:${otherQuery.get('nonce')}:${otherQuery.get('signature')}`, `POST:${digest}@${Date.now()}`, 60_000);
    const mismatch = await app.request(other.url, { method: 'POST', body: other.body });
    expect([mismatch.status, await mismatch.text()]).toEqual([403, expect.stringMatching(/already used for another message/)]);
  });
});

describe('WECHAT_MODE=safe: encrypted messages only', () => {
  it('refuses plaintext with 403 and the reason, and reads safe and compatible mode', async () => {
    const { app, seen } = makeApp({ mode: 'safe' });
    const plain = wechatPost(bodies.text, 'plaintext');
    const refused = await app.request(plain.url, { method: 'POST', body: plain.body });
    expect([refused.status, await refused.text()]).toEqual([403, expect.stringMatching(/plaintext message refused: WECHAT_MODE=safe/)]);
    // Compatible mode without msg_signature is plaintext to the server: refused as well.
    const compatible = wechatPost(bodies.text.replace('1234567890123456', '77'), 'compatible');
    const stripped = await app.request(compatible.url.replace(/&msg_signature=[^&]*/, ''), { method: 'POST', body: compatible.body });
    expect(stripped.status).toBe(403);
    for (const mode of ['safe', 'compatible'] as const) {
      const { url, body } = wechatPost(bodies.text.replace('1234567890123456', mode === 'safe' ? '1' : '2'), mode);
      expect((await app.request(url, { method: 'POST', body })).status).toBe(200);
    }
    expect(seen).toHaveLength(2);
  });

  it('defaults to auto (plaintext read), and checks the setting up front', async () => {
    const { app } = makeApp();
    const plain = wechatPost(bodies.text, 'plaintext');
    expect((await app.request(plain.url, { method: 'POST', body: plain.body })).status).toBe(200);
    expect(parseServerConfig({ WECHAT_TOKEN: 'abc' }).mode).toBe('auto');
    expect(parseServerConfig({ WECHAT_TOKEN: 'abc', WECHAT_MODE: 'safe', WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_APP_ID: APP_ID }).mode).toBe('safe');
    expect(() => parseServerConfig({ WECHAT_TOKEN: 'abc', WECHAT_MODE: 'secure' })).toThrow(/WECHAT_MODE: expected auto .* or safe .*, got "secure"/);
    expect(() => parseServerConfig({ WECHAT_TOKEN: 'abc', WECHAT_MODE: 'safe' })).toThrow(/WECHAT_MODE: safe needs WECHAT_ENCODING_AES_KEY/);
  });
});
