import { describe, expect, it } from 'vitest';
import { MemoryDedupStore, type Admission, type DedupStore } from '../wechat/dedup.js';
import { DedupRunner } from './dedup-runner.js';
import { FailoverDedupStore } from './failover-store.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A shared store in another process (the deploy supervisor over IPC) whose first
 * `slow` answers arrive 60 ms late, as from a primary starved of CPU for a moment,
 * and the rest at once: every request lands, in order.
 */
function laggingStore(slow: number): { store: DedupStore; shared: MemoryDedupStore } {
  const shared = new MemoryDedupStore();
  let calls = 0;
  const later = <T>(work: () => Promise<T>) => {
    const result = work();
    return new Promise<T>((resolve, reject) => setTimeout(() => result.then(resolve, reject), calls++ < slow ? 60 : 0));
  };
  const store: DedupStore = {
    claim: (key, ttlMs) => later(() => shared.claim(key, ttlMs)),
    complete: (key, reply, ttlMs) => later(() => shared.complete(key, reply, ttlMs)),
    get: (key) => later(() => shared.get(key)),
    remember: (key, value, ttlMs) => later(() => shared.remember(key, value, ttlMs)),
    admit: (record, claim) => later(async (): Promise<Admission> => {
      const earlier = await shared.remember(record.key, record.value, record.ttlMs);
      return earlier !== null ? { earlier } : { earlier, claimed: await shared.claim(claim.key, claim.ttlMs) };
    }),
  };
  return { store, shared };
}

describe('FailoverDedupStore.admit when the shared store answers too late', () => {
  it('claims the message here, so the handler runs once instead of waiting on its own late claim and answering "success"', async () => {
    const { store, shared } = laggingStore(1);
    const failover = new FailoverDedupStore(store, { timeoutMs: 20, logger: quiet });
    const runner = new DedupRunner(failover, 60_000, 5);
    const key = 'msg:oUser:1';
    const admitted = await failover.admit({ key: 'ts:nonce:sig', value: 'POST:x@1', ttlMs: 60_000 }, { key, ttlMs: 60_000 });
    // The shared store's admit landed after all, claim included.
    await new Promise((r) => setTimeout(r, 80));
    expect(await shared.get(key)).toEqual({ state: 'pending' });
    let runs = 0;
    const outcome = await runner.run(key, 1000, async () => { runs++; return 'the reply'; }, admitted.claimed);
    expect(outcome).toEqual({ body: 'the reply', dedup: 'first' });
    expect(runs).toBe(1);
    // The answer reaches the shared store too: a WeChat retry on another worker gets it.
    await new Promise((r) => setTimeout(r, 80));
    expect(await shared.get(key)).toEqual({ state: 'done', reply: 'the reply' });
  });

  it('still refuses a replay of the same query (the record kept in memory) and gives a copy the first answer', async () => {
    const { store } = laggingStore(1);
    const failover = new FailoverDedupStore(store, { timeoutMs: 20, logger: quiet });
    const runner = new DedupRunner(failover, 60_000, 5);
    const record = { key: 'ts:nonce:sig2', value: 'POST:y@1', ttlMs: 60_000 };
    const first = await failover.admit(record, { key: 'msg:oUser:2', ttlMs: 60_000 });
    await runner.run('msg:oUser:2', 1000, async () => 'first reply', first.claimed);
    const again = await failover.admit({ ...record, value: 'POST:y@2' }, { key: 'msg:oUser:2', ttlMs: 60_000 });
    expect(again.earlier).toBe('POST:y@1');
    let runs = 0;
    expect(await runner.run('msg:oUser:2', 1000, async () => { runs++; return 'second'; }, again.claimed)).toEqual({ body: 'first reply', dedup: 'replayed' });
    expect(runs).toBe(0);
  });
});
