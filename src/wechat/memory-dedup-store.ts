import type { DedupEntry, DedupStore } from './dedup.js';
import { ReplayLedger } from './replay-ledger.js';

const PENDING: DedupEntry = Object.freeze({ state: 'pending' });

type Slot = { reply: string | undefined; expires: number };

/**
 * A {@link DedupStore} in this process's memory. Expired entries are swept as
 * new ones arrive, so memory stays bounded by the message rate, with no timer.
 *
 * @example
 * const store = new MemoryDedupStore();
 * await store.claim('msg:u:1', 30_000); // null: handle it
 * await store.claim('msg:u:1', 30_000); // { state: 'pending' }
 */
export class MemoryDedupStore implements DedupStore {
  // One small object per message, updated in place when the answer is known: at a burst's
  // rate the store holds a few hundred thousand entries, and every extra object or replaced
  // slot is more work for the garbage collector. `reply` is undefined while pending.
  private readonly entries = new Map<string, Slot>();
  // Keys in the order their expiry was set. The sweep reads this queue, not the map: a Map
  // keeps its deleted slots until it is rehashed, and iterating it from the front walked every
  // one of them, on every claim (46 µs per message with 60k expired entries behind it).
  private readonly queue = new ExpiryQueue();
  private readonly now: () => number;
  /** The replay check's records, when it runs in this process: compact, see {@link ReplayLedger}. */
  readonly replays = new ReplayLedger();
  // Records made through remember() (the primary answering its workers, a fallback for Redis)
  // live for minutes, with TTLs of their own, so they get their own map, and
  // their keys are listed by the second they expire in: a sweep once a second drops whole
  // seconds, instead of a pass over every record (hundreds of thousands at a burst's rate).
  private readonly remembered = new Map<string, { value: string; expires: number }>();
  private readonly expiring = new Map<number, string[]>();
  private sweptAt = 0;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async claim(key: string, ttlMs: number): Promise<DedupEntry | null> {
    return this.claimSync(key, ttlMs);
  }

  /** {@link claim} without a promise: the server claims every message it handles. */
  claimSync(key: string, ttlMs: number): DedupEntry | null {
    const existing = this.lookup(key);
    if (existing) return existing;
    const now = this.now();
    this.sweep(now);
    const expires = now + ttlMs;
    this.entries.set(key, { reply: undefined, expires });
    this.queue.push(key, expires);
    return null;
  }

  async complete(key: string, reply: string, ttlMs: number): Promise<void> {
    this.completeSync(key, reply, ttlMs);
  }

  /** {@link complete} without a promise. */
  completeSync(key: string, reply: string, ttlMs: number): void {
    const expires = this.now() + ttlMs;
    const slot = this.entries.get(key);
    if (!slot) this.entries.set(key, { reply, expires });
    else {
      slot.reply = reply;
      slot.expires = expires;
    }
    // Queued again at its new expiry; the sweep skips the earlier place, whose time no longer holds.
    this.queue.push(key, expires);
  }

  async get(key: string): Promise<DedupEntry | null> {
    return this.lookup(key);
  }

  /** {@link get} without a promise. */
  getSync(key: string): DedupEntry | null {
    return this.lookup(key);
  }

  private lookup(key: string): DedupEntry | null {
    const slot = this.entries.get(key);
    if (!slot) return null;
    if (slot.expires <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return slot.reply === undefined ? PENDING : { state: 'done', reply: slot.reply };
  }

  async remember(key: string, value: string, ttlMs: number): Promise<string | null> {
    return this.rememberSync(key, value, ttlMs);
  }

  /** {@link DedupStore.remember} without a promise. The replay check in this process uses {@link replays} instead. */
  rememberSync(key: string, value: string, ttlMs: number): string | null {
    const now = this.now();
    const slot = this.remembered.get(key);
    if (slot && slot.expires > now) return slot.value;
    if (now - this.sweptAt >= 1000) this.sweepRemembered(now);
    const expires = now + ttlMs;
    this.remembered.set(key, { value, expires });
    const second = Math.ceil(expires / 1000);
    const keys = this.expiring.get(second);
    if (keys) keys.push(key);
    else this.expiring.set(second, [key]);
    return null;
  }

  /** Number of live replay records; for tests. */
  get rememberedSize(): number {
    return this.remembered.size;
  }

  private sweepRemembered(now: number): void {
    this.sweptAt = now;
    // One bucket per second of expiry: a few hundred at most, whatever the request rate.
    for (const [second, keys] of this.expiring) {
      if (second * 1000 > now) continue;
      for (const key of keys) {
        // A key recorded again since (it had expired) sits in a later bucket too: keep that one.
        if ((this.remembered.get(key)?.expires ?? Infinity) <= now) this.remembered.delete(key);
      }
      this.expiring.delete(second);
    }
  }

  /** Number of live entries; for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (let key = this.queue.popExpired(now); key !== undefined; key = this.queue.popExpired(now)) {
      // Only when the entry's own time is up: a completed entry was queued again, later.
      if ((this.entries.get(key)?.expires ?? Infinity) <= now) this.entries.delete(key);
    }
  }
}

/**
 * Keys with the time each expires, first in first out, in two flat arrays read
 * from a moving head; the arrays are compacted once most of them has been read.
 * Entries of one TTL expire in the order they were queued, so the sweep stops
 * at the first one still live.
 */
class ExpiryQueue {
  private keys: string[] = [];
  private times: number[] = [];
  private head = 0;

  push(key: string, at: number): void {
    this.keys.push(key);
    this.times.push(at);
  }

  /** The key at the front when its time is up (and removes it), else undefined. */
  popExpired(now: number): string | undefined {
    if (this.head >= this.keys.length || this.times[this.head]! > now) return undefined;
    const key = this.keys[this.head]!;
    this.keys[this.head] = '';
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return key;
  }
}
