import { DEDUP_TTL_MS, type DedupEntry, type DedupStore } from '../wechat/dedup.js';

export type DedupOutcome = { body: string; dedup: 'first' | 'joined' | 'replayed' };

/**
 * Runs `work` once per key: a copy that arrives while the first run is still
 * going joins it; a copy after it finished gets the stored answer. Copies that
 * reach another instance (shared store, run elsewhere) poll for the answer until
 * `waitMs`, then answer `success`: the first instance replies in time or
 * delivers the late reply itself.
 */
export class DedupRunner {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly store: DedupStore & { claimSync?(key: string, ttlMs: number): DedupEntry | null; completeSync?(key: string, reply: string, ttlMs: number): void },
    readonly ttlMs = DEDUP_TTL_MS,
    private readonly pollMs = 50,
  ) {}

  /** `claimed`: the outcome of a claim of `key` already made (see DedupStore.admit); undefined: claim here. */
  async run(key: string, waitMs: number, work: () => Promise<string>, claimed?: DedupEntry | null): Promise<DedupOutcome> {
    const local = this.inflight.get(key);
    if (local) return { body: await local, dedup: 'joined' };
    // A store in this process's memory answers without a promise: no turn of the queue per message.
    const existing = claimed !== undefined ? claimed : this.store.claimSync ? this.store.claimSync(key, this.ttlMs) : await this.store.claim(key, this.ttlMs);
    if (existing?.state === 'done') return { body: existing.reply, dedup: 'replayed' };
    if (existing?.state === 'pending') return { body: await this.waitElsewhere(key, waitMs), dedup: 'joined' };

    const running = this.completed(key, work());
    this.inflight.set(key, running);
    try {
      return { body: await running, dedup: 'first' };
    } finally {
      this.inflight.delete(key);
    }
  }

  /** `answer`'s body once the store has it: one async frame, not a closure chained on `answer`. */
  private async completed(key: string, answer: Promise<string>): Promise<string> {
    const body = await answer;
    if (this.store.completeSync) this.store.completeSync(key, body, this.ttlMs);
    else await this.store.complete(key, body, this.ttlMs);
    return body;
  }

  private async waitElsewhere(key: string, waitMs: number): Promise<string> {
    const until = Date.now() + waitMs;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      const entry = await this.store.get(key);
      if (entry?.state === 'done') return entry.reply;
      if (!entry) break;
    }
    return 'success';
  }
}
