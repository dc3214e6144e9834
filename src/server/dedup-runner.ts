import { WxmpError } from '../errors.js';
import { DEDUP_TTL_MS, type DedupEntry, type DedupStore } from '../wechat/dedup.js';
import { errorMessage } from './error-text.js';

export type DedupOutcome = { body: string; dedup: 'first' | 'joined' | 'replayed' };

/**
 * The de-dup store failed, as opposed to the work: only then may the message be
 * handled without de-duplication, and never run again once the work ran. `reply`: the
 * store failed to record the answer, which is made.
 */
export class DedupStoreError extends WxmpError {
  constructor(cause: unknown, readonly reply?: string) {
    super('DEDUP_STORE_FAILED', `the de-dup store failed: ${errorMessage(cause)}`, { cause });
    this.name = 'DedupStoreError';
  }
}

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

  /**
   * `claimed`: the outcome of a claim of `key` already made (see DedupStore.admit); undefined: claim here.
   * Rejects with a {@link DedupStoreError} when the store fails, and with the work's own error when it fails.
   */
  async run(key: string, waitMs: number, work: () => Promise<string>, claimed?: DedupEntry | null): Promise<DedupOutcome> {
    const local = this.inflight.get(key);
    if (local) return { body: await local, dedup: 'joined' };
    let existing: DedupEntry | null;
    try {
      // A store in this process's memory answers without a promise: no turn of the queue per message.
      existing = claimed !== undefined ? claimed : this.store.claimSync ? this.store.claimSync(key, this.ttlMs) : await this.store.claim(key, this.ttlMs);
      if (existing?.state === 'pending') return { body: await this.waitElsewhere(key, waitMs), dedup: 'joined' };
    } catch (error) {
      throw new DedupStoreError(error);
    }
    if (existing?.state === 'done') return { body: existing.reply, dedup: 'replayed' };

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
    try {
      if (this.store.completeSync) this.store.completeSync(key, body, this.ttlMs);
      else await this.store.complete(key, body, this.ttlMs);
    } catch (error) {
      throw new DedupStoreError(error, body);
    }
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
