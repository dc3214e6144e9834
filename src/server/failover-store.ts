import { MemoryDedupStore, type Admission, type DedupEntry, type DedupStore } from '../wechat/dedup.js';
import { Deadlines } from './deadlines.js';
import { errorMessage } from './error-text.js';
import type { Logger } from './logger.js';

export interface FailoverOptions {
  /** Longest wait for the shared store on one call (ms). Default 300: Redis answers in about 1. */
  timeoutMs?: number;
  /** While the shared store is failing, how often one call tries it again (ms). Default 1000. */
  probeMs?: number;
  logger: Logger;
  now?: () => number;
}

class Timeout extends Error {}

/**
 * A shared de-dup store (Redis, or the primary process over IPC) that can fail without stalling a message: each
 * call is bounded by `timeoutMs` and a call that fails or times out is served
 * from this process's memory. When the connection is lost (or three calls in a
 * row fail) the store is marked down, with one log line, and not waited for. While it
 * is down, one call per `probeMs` tries it again (ioredis reconnects by itself);
 * the first that succeeds brings it back, with one more line. Messages handled
 * here are mirrored in memory until they expire, so a retry still gets its
 * answer when Redis loses them (a retry that reaches another instance during
 * the outage is handled there again: its memory never saw the message).
 */
export class FailoverDedupStore implements DedupStore {
  private readonly local: MemoryDedupStore;
  private readonly timeoutMs: number;
  private readonly probeMs: number;
  private readonly now: () => number;
  private down = false;
  private nextProbe = 0;
  private failures = 0;
  // Every call has the same limit: one queue on one timer, not a timer and a race per call.
  private readonly deadlines: Deadlines;

  constructor(
    private readonly shared: DedupStore,
    private readonly options: FailoverOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.local = new MemoryDedupStore({ now: this.now });
    this.timeoutMs = options.timeoutMs ?? 300;
    this.probeMs = options.probeMs ?? 1000;
    this.deadlines = new Deadlines(this.timeoutMs);
  }

  /** Whether the shared store is in use (false during an outage). */
  get healthy(): boolean {
    return !this.down;
  }

  async claim(key: string, ttlMs: number): Promise<DedupEntry | null> {
    const local = await this.local.get(key);
    if (local) return local;
    const entry = await this.either(() => this.shared.claim(key, ttlMs), () => this.local.claim(key, ttlMs));
    // This process's own messages are mirrored in memory: when Redis dies (and its
    // records with it) a retry of a message handled here still gets its answer.
    if (entry === null) await this.local.claim(key, ttlMs);
    return entry;
  }

  async complete(key: string, reply: string, ttlMs: number): Promise<void> {
    await this.local.complete(key, reply, ttlMs);
    return this.either(() => this.shared.complete(key, reply, ttlMs), async () => {});
  }

  async get(key: string): Promise<DedupEntry | null> {
    return (await this.local.get(key)) ?? this.either(() => this.shared.get(key), async () => null);
  }

  async remember(key: string, value: string, ttlMs: number): Promise<string | null> {
    const remember = this.shared.remember?.bind(this.shared);
    if (!remember) return this.local.remember(key, value, ttlMs);
    return this.either(() => remember(key, value, ttlMs), () => this.local.remember(key, value, ttlMs));
  }

  /**
   * The shared store's admit (one round trip for the replay record and the claim) when it
   * has one; else, or for a message this process already knows, the record alone.
   */
  async admit(record: { key: string; value: string; ttlMs: number }, claim: { key: string; ttlMs: number }): Promise<Admission> {
    const admit = this.shared.admit?.bind(this.shared);
    if (!admit || (await this.local.get(claim.key))) return { earlier: await this.remember(record.key, record.value, record.ttlMs) };
    let fellBack = false;
    const result = await this.either(() => admit(record, claim), async (): Promise<Admission> => {
      // The shared admit may still land, its claim with it: a caller left to claim on its own would
      // then find that claim pending in the shared store, wait on itself and answer "success" with
      // the handler never run. So the claim is made here, in memory, as claim()'s fallback does.
      fellBack = true;
      const earlier = await this.local.remember(record.key, record.value, record.ttlMs);
      return earlier !== null ? { earlier } : { earlier, claimed: await this.local.claim(claim.key, claim.ttlMs) };
    });
    // Mirrored like claim()'s: see there.
    if (result.claimed === null && !fellBack) await this.local.claim(claim.key, claim.ttlMs);
    return result;
  }

  async close(): Promise<void> {
    await this.shared.close?.();
  }

  private async either<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    // A connection known to be down is not waited for at all (its commands would only queue).
    if (this.lost()) {
      this.markDown('its connection is down');
      return local();
    }
    if (this.down && this.now() < this.nextProbe) return local();
    // Claimed before the call, so a burst during an outage sends one probe, not one per message.
    if (this.down) this.nextProbe = this.now() + this.probeMs;
    try {
      const result = await new Promise<T>((resolve, reject) => {
        const deadline = this.deadlines.start(() => reject(new Timeout(`no answer within ${this.timeoutMs} ms`)));
        shared().then(
          (value) => { this.deadlines.cancel(deadline); resolve(value); },
          (error: unknown) => { this.deadlines.cancel(deadline); reject(error); },
        );
      });
      this.failures = 0;
      if (this.down) {
        this.down = false;
        this.options.logger.warn('wxmp: the shared de-dup store answers again; de-duplicating across processes again');
      }
      return result;
    } catch (error) {
      // One slow answer on a loaded machine is not an outage: this call goes to memory,
      // and the store is marked down on a lost connection or the third failure in a row.
      if (this.lost() || ++this.failures >= 3) this.markDown(errorMessage(error).split('\n')[0]!);
      return local();
    }
  }

  /** Read afresh each time: the connection may drop while a call is waiting. */
  private lost(): boolean {
    return this.shared.available === false;
  }

  private markDown(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.nextProbe = this.now() + this.probeMs;
    this.options.logger.warn(`wxmp: the shared de-dup store failed (${reason}); de-duplicating in this process until it answers again`);
  }
}
