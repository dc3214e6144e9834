/**
 * De-duplication of WeChat's retries. WeChat re-sends a message up to three
 * times when it gets no answer within 5 s; the handler must run once, and every
 * copy must get the same answer.
 */
import { createHash } from 'node:crypto';
import type { WechatMessage } from './messages.js';
import type { XmlObject } from './xml.js';

/** What a store knows about a key: still being handled, or the answer sent. */
export type DedupEntry = { state: 'pending' } | { state: 'done'; reply: string };

/**
 * Shared state behind de-duplication. The in-memory store serves one process;
 * a shared store (Redis) lets several instances behind nginx agree.
 */
export interface DedupStore {
  /**
   * Atomically claims `key` for `ttlMs`. Resolves to `null` when this caller won
   * the claim (and must handle the message), or to the entry that already exists.
   */
  claim(key: string, ttlMs: number): Promise<DedupEntry | null>;
  /** Records the answer sent for `key`, so later copies get the same answer. */
  complete(key: string, reply: string, ttlMs: number): Promise<void>;
  /** Reads the entry for `key`, or `null` when there is none (or it expired). */
  get(key: string): Promise<DedupEntry | null>;
  /**
   * Records `value` under `key` unless the key holds one already (set-if-absent),
   * for `ttlMs`. Resolves to `null` when this value was recorded, or to the value
   * already there. The replay check records each signed query with it, so a
   * shared store refuses a replay that reaches another instance. Optional: the
   * server keeps the record in its own memory when a store has none.
   */
  remember?(key: string, value: string, ttlMs: number): Promise<string | null>;
  /**
   * `remember(record)` and, only when nothing was recorded under `record.key`
   * before (no replay, no retry with the same query), `claim(claim.key)`: in one
   * round trip to a store in another process. `claimed` is left out when the
   * record existed: the caller judges it and claims on its own. Optional.
   */
  admit?(record: { key: string; value: string; ttlMs: number }, claim: { key: string; ttlMs: number }): Promise<Admission>;
  /**
   * False while the store is known to be unreachable (a Redis connection that is
   * down), so callers can skip it without waiting; optional.
   */
  readonly available?: boolean;
  /** Releases connections; optional. */
  close?(): Promise<void>;
}

/** What {@link DedupStore.admit} found: the earlier record, and the claim's outcome when it was made. */
export interface Admission {
  earlier: string | null;
  claimed?: DedupEntry | null;
}

/** The fields of a message that identify it across WeChat's retries. */
export interface DedupFields {
  msgId?: string;
  fromUserName: string;
  createTime: number;
  event?: string;
  eventKey?: string;
  /** Every field of the message; events are told apart by all of them. */
  raw?: XmlObject;
}

/**
 * The identity of a message across retries. A message with a MsgId: that id and
 * the sender (MsgId alone collided in practice, WxJava #333). An event has no
 * id of its own, and sender + CreateTime + Event + EventKey let two card events
 * of one user in one second collide (the second got the first's answer): its key
 * adds a digest of all its fields, which WeChat's retries repeat exactly, so
 * ids such as CardId and UserCardCode tell events apart whatever their type.
 */
export function dedupKey(m: DedupFields): string {
  if (m.msgId && !m.event) return `msg:${m.fromUserName}:${m.msgId}`;
  const base = `evt:${m.fromUserName}:${m.createTime}:${m.event ?? ''}`;
  return m.raw ? `${base}:${digest(m.raw)}` : `${base}:${m.eventKey ?? ''}`;
}

/** {@link dedupKey} of a parsed message. */
export function messageDedupKey(m: WechatMessage): string {
  return dedupKey({
    fromUserName: m.fromUserName,
    createTime: m.createTime,
    msgId: 'msgId' in m ? m.msgId : undefined,
    event: 'event' in m ? m.event : undefined,
    raw: m.raw,
  });
}

// JSON of the parsed fields, not the XML text: the same message in other layout or
// another mode (an encrypted retry decrypts to the same fields) gets the same key.
function digest(raw: XmlObject): string {
  return createHash('sha1').update(JSON.stringify(raw)).digest('base64url');
}

const PENDING: DedupEntry = Object.freeze({ state: 'pending' });

/** Default time an entry is kept: longer than WeChat's last retry (about 15 s after the first try). */
export const DEDUP_TTL_MS = 30_000;

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
  private readonly entries = new Map<string, { reply: string | undefined; expires: number }>();
  private readonly now: () => number;
  // Replay records live for minutes, with TTLs of their own, so they get their own map, and
  // their keys are listed by the second they expire in: a sweep once a second drops whole
  // seconds, instead of a pass over every record (hundreds of thousands at a burst's rate).
  private readonly remembered = new Map<string, { value: string; expires: number }>();
  private readonly expiring = new Map<number, string[]>();
  private sweptAt = 0;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async claim(key: string, ttlMs: number): Promise<DedupEntry | null> {
    // No await before the write: concurrent claims must see each other.
    const existing = this.lookup(key);
    if (existing) return existing;
    this.sweep();
    this.entries.set(key, { reply: undefined, expires: this.now() + ttlMs });
    return null;
  }

  async complete(key: string, reply: string, ttlMs: number): Promise<void> {
    const expires = this.now() + ttlMs;
    const slot = this.entries.get(key);
    if (!slot) {
      this.entries.set(key, { reply, expires });
      return;
    }
    slot.reply = reply;
    slot.expires = expires;
  }

  async get(key: string): Promise<DedupEntry | null> {
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

  /** {@link DedupStore.remember} without a promise: the replay check calls it for every request. */
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

  private sweep(): void {
    const now = this.now();
    // Map keeps insertion order and TTLs are equal, so expired entries sit at the front.
    for (const [key, slot] of this.entries) {
      if (slot.expires > now) break;
      this.entries.delete(key);
    }
  }
}
