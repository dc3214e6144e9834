import { describe, expect, it } from 'vitest';
import { MemoryDedupStore, type DedupStore } from '../wechat/dedup.js';
import { DedupRunner, DedupStoreError } from './dedup-runner.js';

const down = () => Promise.reject(new Error('redis down'));

describe('DedupRunner tells the store failing from the work failing', () => {
  it('a failed claim is a DedupStoreError with no reply: the work never ran', async () => {
    let runs = 0;
    const runner = new DedupRunner({ ...new MemoryDedupStore(), claim: down, complete: down, get: down } as DedupStore);
    const failure = await runner.run('k', 100, async () => `run ${++runs}`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DedupStoreError);
    expect(failure).toMatchObject({ code: 'DEDUP_STORE_FAILED', reply: undefined, cause: new Error('redis down') });
    expect(runs).toBe(0);
  });

  it('a failed complete carries the reply made, for the first run and for the copy that joined it', async () => {
    const memory = new MemoryDedupStore();
    const runner = new DedupRunner({ claim: (k, ttl) => memory.claim(k, ttl), get: (k) => memory.get(k), complete: down });
    const work = async () => { await new Promise((r) => setTimeout(r, 20)); return 'the reply'; };
    const run = () => runner.run('k', 100, work).catch((e: unknown) => e);
    const outcomes = await Promise.all([run(), new Promise((r) => setTimeout(r, 5)).then(run)]);
    expect(outcomes).toEqual([expect.objectContaining({ reply: 'the reply' }), expect.objectContaining({ reply: 'the reply' })]);
  });

  it("the work's own error passes through as it is", async () => {
    const boom = new Error('boom');
    await expect(new DedupRunner(new MemoryDedupStore()).run('k', 100, () => Promise.reject(boom))).rejects.toBe(boom);
  });
});
