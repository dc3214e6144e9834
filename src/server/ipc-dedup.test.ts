import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemoryDedupStore, type DedupStore } from '../wechat/dedup.js';
import { IpcDedupStore } from './ipc-dedup.js';
import { serveDedup } from './ipc-dedup-serve.js';

/** A store that only answers through promises, as Redis does: the primary's general path. */
function asyncOnly(inner: MemoryDedupStore): DedupStore {
  return { claim: (k, t) => inner.claim(k, t), complete: (k, r, t) => inner.complete(k, r, t), get: (k) => inner.get(k), remember: (k, v, t) => inner.remember(k, v, t) };
}

/** Two workers wired to one primary through in-process channels shaped like cluster's. */
function cluster(options: { batch?: boolean; admit?: boolean; timeoutMs?: number; silent?: boolean; asyncStore?: boolean } = {}) {
  const memory = new MemoryDedupStore();
  const store = options.asyncStore ? asyncOnly(memory) : memory;
  const sent: unknown[] = [];
  const worker = () => {
    const toPrimary = new EventEmitter();
    const toWorker = new EventEmitter();
    const primarySide = { on: (e: 'message', l: (m: unknown) => void) => toPrimary.on(e, l), send: (m: unknown, cb?: (e: Error | null) => void) => { setImmediate(() => toWorker.emit('message', m)); cb?.(null); return true; } };
    if (!options.silent) serveDedup(primarySide, store);
    // Serialized and parsed like cluster's JSON channel.
    return new IpcDedupStore({ connected: true, on: (e, l) => toWorker.on(e, l), send: (m, cb) => { sent.push(m); const copy = JSON.parse(JSON.stringify(m)); setImmediate(() => toPrimary.emit('message', copy)); cb?.(null); return true; } }, options.timeoutMs ?? 1000, { batch: options.batch, admit: options.admit });
  };
  return { workers: [worker(), worker()] as const, sent, store };
}

describe('IpcDedupStore.remember', () => {
  it("keeps the replay record in the primary, so another worker sees the first request's value", async () => {
    const [a, b] = cluster().workers;
    expect(await a.remember('ts:n:sig', 'POST:x@1', 60_000)).toBeNull();
    expect(await b.remember('ts:n:sig', 'POST:y@2', 60_000)).toBe('POST:x@1');
    expect(await b.claim('msg:u:1', 30_000)).toBeNull();
    expect(await a.claim('msg:u:1', 30_000)).toEqual({ state: 'pending' });
  });
});

describe('IpcDedupStore in batch mode (a primary that sets WXMP_DEDUP_BATCH)', () => {
  it("sends one turn's requests as one IPC message and gives each its own answer", async () => {
    const { workers: [a, b], sent } = cluster({ batch: true });
    const first = await Promise.all([a.remember('q1', 'POST:x@1', 60_000), a.claim('msg:u:1', 30_000), a.remember('q2', 'GET:y@1', 60_000)]);
    expect(first).toEqual([null, null, null]);
    expect(sent).toHaveLength(1);
    await a.complete('msg:u:1', 'the reply', 30_000);
    expect(await b.remember('q1', 'POST:other@2', 60_000)).toBe('POST:x@1');
    expect(await b.claim('msg:u:1', 30_000)).toEqual({ state: 'done', reply: 'the reply' });
    expect(await b.get('msg:u:2')).toBeNull();
  });

  it('a retry storm spread over two workers: one claim wins, the others see it pending', async () => {
    const { workers: [a, b] } = cluster({ batch: true });
    const claims = await Promise.all([a.claim('msg:u:9', 30_000), b.claim('msg:u:9', 30_000), a.claim('msg:u:9', 30_000), b.claim('msg:u:9', 30_000)]);
    expect(claims.filter((c) => c === null)).toHaveLength(1);
    expect(claims.filter((c) => c?.state === 'pending')).toHaveLength(3);
  });

  it('fails every request of a batch the primary never answers, after the timeout', async () => {
    const { workers: [a] } = cluster({ batch: true, timeoutMs: 50, silent: true });
    const results = await Promise.allSettled([a.claim('k', 1000), a.remember('q', 'v', 1000)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/did not answer a de-dup claim within 50 ms/);
  });
});

describe('the primary', () => {
  it('answers a batch from its in-memory store at once, exactly as through the promise path any store has', async () => {
    const run = async (asyncStore: boolean) => {
      const { workers: [a, b] } = cluster({ batch: true, admit: true, asyncStore });
      const turns: unknown[] = [];
      turns.push(await Promise.all([a.remember('q1', 'POST:x@1', 60_000), a.claim('m1', 30_000), b.claim('m1', 30_000), b.remember('q1', 'POST:y@2', 60_000), a.get('m1')]));
      await a.complete('m1', 'reply 1', 30_000);
      turns.push(await Promise.all([b.get('m1'), b.claim('m1', 30_000), a.claim('m2', 30_000), b.remember('q2', 'GET:z@3', 60_000), a.get('m9')]));
      // admit: a fresh query claims; a seen one claims nothing; a fresh query for a message claimed elsewhere gets its entry.
      turns.push(await Promise.all([b.admit!({ key: 'q3', value: 'POST:w@4', ttlMs: 60_000 }, { key: 'm3', ttlMs: 30_000 }), a.admit!({ key: 'q3', value: 'POST:w@5', ttlMs: 60_000 }, { key: 'm4', ttlMs: 30_000 }), a.admit!({ key: 'q4', value: 'POST:v@6', ttlMs: 60_000 }, { key: 'm1', ttlMs: 30_000 })]));
      return turns;
    };
    const [viaPromises, atOnce] = [await run(true), await run(false)];
    expect(atOnce).toEqual(viaPromises);
    expect(atOnce).toEqual([
      [null, null, { state: 'pending' }, 'POST:x@1', { state: 'pending' }],
      [{ state: 'done', reply: 'reply 1' }, { state: 'done', reply: 'reply 1' }, null, null, null],
      [{ earlier: null, claimed: null }, { earlier: 'POST:w@4' }, { earlier: null, claimed: { state: 'done', reply: 'reply 1' } }],
    ]);
  });
});

describe('IpcDedupStore.admit (a primary that sets WXMP_DEDUP_ADMIT)', () => {
  it('records the query and claims the message in one IPC message; a replayed query claims nothing', async () => {
    const { workers: [a], sent, store } = cluster({ batch: true });
    // Without WXMP_DEDUP_ADMIT (an older primary) there is no admit: the replay check asks twice.
    expect(a.admit).toBeUndefined();
    // A worker with admit, wired to the same primary.
    const toPrimary = new EventEmitter();
    const toWorker = new EventEmitter();
    serveDedup({ on: (e, l) => toPrimary.on(e, l), send: (m) => { setImmediate(() => toWorker.emit('message', m)); return true; } }, store);
    const w = new IpcDedupStore({ connected: true, on: (e, l) => toWorker.on(e, l), send: (m) => { sent.push(m); setImmediate(() => toPrimary.emit('message', JSON.parse(JSON.stringify(m)))); return true; } }, 1000, { batch: true, admit: true });
    sent.length = 0;
    expect(await w.admit!({ key: 'q1', value: 'POST:x@1', ttlMs: 60_000 }, { key: 'msg:u:1', ttlMs: 30_000 })).toEqual({ earlier: null, claimed: null });
    expect(sent).toHaveLength(1);
    // The claim is the primary's: another worker sees it pending.
    expect(await a.claim('msg:u:1', 30_000)).toEqual({ state: 'pending' });
    // The same query again: the earlier record comes back and no claim is made.
    expect(await w.admit!({ key: 'q1', value: 'POST:x@1', ttlMs: 60_000 }, { key: 'msg:u:2', ttlMs: 30_000 })).toEqual({ earlier: 'POST:x@1' });
    expect(await store.get('msg:u:2')).toBeNull();
    // A fresh query for a message claimed elsewhere: its entry comes back.
    await a.complete('msg:u:1', 'the reply', 30_000);
    expect(await w.admit!({ key: 'q2', value: 'POST:x@2', ttlMs: 60_000 }, { key: 'msg:u:1', ttlMs: 30_000 })).toEqual({ earlier: null, claimed: { state: 'done', reply: 'the reply' } });
  });
});
