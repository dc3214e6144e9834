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

/** Default time an entry is kept: longer than WeChat's last retry (about 15 s after the first try). */
export const DEDUP_TTL_MS = 30_000;

export { MemoryDedupStore } from './memory-dedup-store.js';
