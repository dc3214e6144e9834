/**
 * Replay records kept in this process's memory, with no JavaScript object per
 * record. The replay check records every signed request for the five minutes
 * its timestamp stays acceptable: at a burst's rate that is hundreds of
 * thousands of records, and as strings in a Map (a key, a value, a slot, an
 * expiry) each one was copied by the young-generation collector, promoted and
 * marked again: a third of the check's cost. Here a record is six words and a time in
 * typed arrays, which the collector never walks.
 *
 * A verified `signature` is sha1 over token, timestamp and nonce, so it names
 * that pair: its first 96 bits are the record's key. What the query came with
 * is named by 64 bits of a digest (of the body, or of safe mode's
 * msg_signature, which covers it). Records sit in generations of 30 seconds of
 * timestamp; a generation is dropped whole once all its timestamps are outside
 * the window, so there are no deletions and no expiry per record.
 */

/** What a signed query was first used for, returned when it comes again. */
export interface EarlierUse {
  kind: 'GET' | 'POST';
  /** The same body (or body signature) as now. */
  same: boolean;
  /** When it was first received (ms). */
  seenMs: number;
}

const GENERATION_SEC = 30;
const WORDS = 6; // key 0-2, what 0-1, kind (0: free slot, 1: GET, 2: POST)
const INITIAL_SLOTS = 1024;

/**
 * The first `bytes` bytes of a hex string (either case), or undefined when any of
 * its first `2 * bytes` characters is not hex: node's decoder stops at the first
 * such character. Decoded by node rather than a character at a time in JS, which
 * missed V8's inline caches at every character (strings sliced from the URL).
 */
function hexBytes(text: string, bytes: number): Buffer | undefined {
  if (text.length < bytes * 2) return undefined;
  const decoded = Buffer.from(text, 'hex');
  return decoded.length >= bytes ? decoded : undefined;
}

/** One generation: open addressing with linear probing, doubled at half full. */
class Table {
  words: Uint32Array;
  seen: Float64Array;
  size = 0;

  constructor(slots: number) {
    this.words = new Uint32Array(slots * WORDS);
    this.seen = new Float64Array(slots);
  }

  /** The slot holding this key, or the free slot where it goes. */
  find(k0: number, k1: number, k2: number): number {
    const mask = this.seen.length - 1;
    for (let slot = k0 & mask; ; slot = (slot + 1) & mask) {
      const w = slot * WORDS;
      if (this.words[w + 5] === 0 || (this.words[w] === k0 && this.words[w + 1] === k1 && this.words[w + 2] === k2)) return slot;
    }
  }

  grow(): void {
    const { words, seen } = this;
    this.words = new Uint32Array(words.length * 2);
    this.seen = new Float64Array(seen.length * 2);
    for (let slot = 0; slot < seen.length; slot++) {
      const w = slot * WORDS;
      if (words[w + 5] === 0) continue;
      const to = this.find(words[w]!, words[w + 1]!, words[w + 2]!) * WORDS;
      // Word by word: a subarray() per record is an object per record, what this class avoids.
      for (let i = 0; i < WORDS; i++) this.words[to + i] = words[w + i]!;
      this.seen[to / WORDS] = seen[slot]!;
    }
  }
}

/**
 * @example
 * const ledger = new ReplayLedger();
 * ledger.record(1700000000, signature, 'GET', '', Date.now(), 300); // null: first use
 * ledger.record(1700000000, signature, 'POST', digestHex, Date.now(), 300); // { kind: 'GET', same: false, ... }
 */
export class ReplayLedger {
  private readonly generations = new Map<number, Table>();
  private sweptAt = 0;
  // The widest window any caller checks with: one store may serve accounts with different settings.
  private windowSec = 0;

  /**
   * Records the first use of a signed query, or returns its earlier use.
   * `signature` and `what` are hex (at least 24 and 16 digits; `what` is ''
   * for a GET). Returns undefined when they are not hex: the caller records
   * such a query another way. `windowSec`: how far a timestamp may be from
   * this server's clock (WECHAT_MAX_CLOCK_SKEW); the record is kept that long.
   */
  record(timestampSec: number, signature: string, kind: 'GET' | 'POST', what: string, nowMs: number, windowSec: number): EarlierUse | null | undefined {
    const key = hexBytes(signature, 12);
    const of = what === '' ? undefined : hexBytes(what, 8);
    if (!key || (what !== '' && !of)) return undefined;
    const k0 = key.readUInt32BE(0);
    const k1 = key.readUInt32BE(4);
    const k2 = key.readUInt32BE(8);
    const w0 = of ? of.readUInt32BE(0) : 0;
    const w1 = of ? of.readUInt32BE(4) : 0;
    if (windowSec > this.windowSec) this.windowSec = windowSec;
    if (nowMs - this.sweptAt >= 1000) this.sweep(nowMs);
    const generation = Math.floor(timestampSec / GENERATION_SEC);
    let table = this.generations.get(generation);
    if (!table) this.generations.set(generation, (table = new Table(INITIAL_SLOTS)));
    const slot = table.find(k0, k1, k2);
    const w = slot * WORDS;
    const words = table.words;
    if (words[w + 5] !== 0) return { kind: words[w + 5] === 1 ? 'GET' : 'POST', same: words[w + 5] === (kind === 'GET' ? 1 : 2) && words[w + 3] === w0 && words[w + 4] === w1, seenMs: table.seen[slot]! };
    words[w] = k0;
    words[w + 1] = k1;
    words[w + 2] = k2;
    words[w + 3] = w0;
    words[w + 4] = w1;
    words[w + 5] = kind === 'GET' ? 1 : 2;
    table.seen[slot] = nowMs;
    if (++table.size * 2 > table.seen.length) table.grow();
    return null;
  }

  /** Records kept; for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const table of this.generations.values()) n += table.size;
    return n;
  }

  /** Drops generations whose every timestamp is older than the window (with a second to spare). */
  private sweep(nowMs: number): void {
    this.sweptAt = nowMs;
    const oldest = Math.floor(nowMs / 1000) - this.windowSec - 1;
    for (const generation of this.generations.keys()) {
      if ((generation + 1) * GENERATION_SEC <= oldest) this.generations.delete(generation);
    }
  }
}
