/**
 * Conversation state per user: loaded before the handler chain, saved when it
 * ends. The rule for concurrent messages from one user:
 *
 * - In one process they run one after another (a per-user queue), so each
 *   handler sees the previous one's writes.
 * - Across processes a save is a compare-and-set on a version. When another
 *   process saved first, the top-level keys this handler changed are applied
 *   onto the newer copy; a key both changed keeps the other process's value
 *   and is reported through the logger as SESSION_CONFLICT. Nothing is
 *   dropped without a log line.
 */

/** What a store holds for one user: the data and its version (1 after the first save). */
export interface StoredSession {
  data: Record<string, unknown>;
  version: number;
}

/** Where sessions live: memory (one process), a file (the dev loop) or Redis (several). */
export interface SessionStore {
  /** The session, or null when there is none or it expired. */
  get(key: string): Promise<StoredSession | null>;
  /**
   * Saves `data` as version `expectedVersion + 1` if the stored version is still
   * `expectedVersion` (0: nothing stored); resolves to false when another writer came first.
   */
  set(key: string, data: Record<string, unknown>, options: { expectedVersion: number; ttlMs: number }): Promise<boolean>;
  /**
   * `get` without a promise, for stores that can read at once (memory, files).
   * With it a session is read only when a handler touches `ctx.session`;
   * stores without it (Redis) are read before the chain runs. Optional.
   */
  getSync?(key: string): StoredSession | null;
  close?(): Promise<void>;
}

/** Default time a session is kept after its last change: one day. */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Sessions in this process's memory; expired ones are swept as others are saved.
 *
 * @example
 * const store = new MemorySessionStore();
 * await store.set('s:gh:o1', { step: 'name' }, { expectedVersion: 0, ttlMs: 60_000 }); // true
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, { json: string; version: number; expiresAt: number }>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<StoredSession | null> {
    return this.getSync(key);
  }

  getSync(key: string): StoredSession | null {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) return null;
    // A copy: the handler mutates what it gets; the store keeps what was saved.
    return { data: JSON.parse(entry.json), version: entry.version };
  }

  async set(key: string, data: Record<string, unknown>, options: { expectedVersion: number; ttlMs: number }): Promise<boolean> {
    const now = this.now();
    const entry = this.entries.get(key);
    const current = entry && entry.expiresAt > now ? entry.version : 0;
    if (current !== options.expectedVersion) return false;
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(data), version: current + 1, expiresAt: now + options.ttlMs });
    // Map order is insertion order: the oldest saves come first.
    for (const [k, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(k);
    }
    return true;
  }
}

/** The key of one user's session with one account. */
export function sessionKey(account: string, openid: string): string {
  return `session:${account}:${openid}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A loaded session: the data the handlers mutate, and `save()` for when they end. */
export interface OpenSession {
  data: Record<string, unknown>;
  /** Resolves to the keys that lost to another process's write (empty when none). */
  save(data: Record<string, unknown>): Promise<string[]>;
}

/**
 * Loads a session and returns how to save it under the rule above.
 *
 * @example
 * const s = await openSession(store, key, { ttlMs: 60_000, initial: () => ({}) });
 * s.data.step = 'name';
 * const lost = await s.save(s.data); // [] unless another process changed `step` meanwhile
 */
export async function openSession(store: SessionStore, key: string, options: SessionOptions): Promise<OpenSession> {
  return sessionFrom(await store.get(key), store, key, options);
}

type SessionOptions = { ttlMs: number; initial: () => Record<string, unknown> };

/** {@link openSession} for a store with `getSync`: read at once, no promise. */
export function openSessionSync(store: SessionStore & Pick<Required<SessionStore>, 'getSync'>, key: string, options: SessionOptions): OpenSession {
  return sessionFrom(store.getSync(key), store, key, options);
}

function sessionFrom(loaded: StoredSession | null, store: SessionStore, key: string, options: SessionOptions): OpenSession {
  const base = loaded ?? { data: options.initial(), version: 0 };
  // Kept as text: most handlers change nothing, and one string comparison tells.
  const before = JSON.stringify(base.data);
  return {
    data: base.data,
    async save(data) {
      if (JSON.stringify(data) === before) return [];
      if (await store.set(key, data, { expectedVersion: base.version, ttlMs: options.ttlMs })) return [];
      const snapshot = JSON.parse(before) as Record<string, unknown>;
      const mine = [...new Set([...Object.keys(snapshot), ...Object.keys(data)])].filter((k) => !same(snapshot[k], data[k]));
      for (let attempt = 0; attempt < 5; attempt++) {
        const fresh = (await store.get(key)) ?? { data: options.initial(), version: 0 };
        const lost = mine.filter((k) => !same(snapshot[k], fresh.data[k]) && !same(fresh.data[k], data[k]));
        const merged = { ...fresh.data };
        for (const k of mine) {
          if (lost.includes(k)) continue;
          if (data[k] === undefined) delete merged[k];
          else merged[k] = data[k];
        }
        if (await store.set(key, merged, { expectedVersion: fresh.version, ttlMs: options.ttlMs })) return lost;
      }
      return mine;
    },
  };
}
