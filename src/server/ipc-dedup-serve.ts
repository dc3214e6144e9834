/**
 * The primary's side of de-duplication across workers (see ipc-dedup.ts): it
 * answers each worker's requests from the one store it owns.
 */
import type { DedupEntry, DedupStore } from '../wechat/dedup.js';
import type { Batch, DedupRequest, DedupResponse } from './ipc-dedup.js';

/**
 * The primary side: answers one worker's de-dup requests from `store`
 * (shared by every worker, of every release, the primary runs).
 *
 * @example
 * const store = new MemoryDedupStore();
 * serveDedup(cluster.fork(), store);
 */
export function serveDedup(worker: { on(event: 'message', listener: (message: unknown) => void): unknown; send(message: unknown, callback?: (error: Error | null) => void): boolean; isConnected?(): boolean }, store: DedupStore): void {
  const send = (message: unknown) => {
    if (worker.isConnected?.() === false) return;
    // The worker may be gone by now; its request dies with it.
    try { worker.send(message, () => {}); } catch { /* gone */ }
  };
  const sync = syncStore(store);
  worker.on('message', (message) => {
    const m = message as DedupRequest | Batch<DedupRequest>;
    if (sync && m?.type === 'wxmp-dedup-batch') {
      // A store in this process's memory answers at once: no promise per request and none per batch.
      const items: DedupResponse[] = [];
      for (const item of m.items) {
        const answer = serveOneSync(sync, item);
        if (item.id !== 0) items.push(answer);
      }
      if (items.length) send({ type: 'wxmp-dedup-batch', items } satisfies Batch<DedupResponse>);
    } else if (m?.type === 'wxmp-dedup') {
      if (m.id === 0) void serveOne(store, m);
      else void serveOne(store, m).then(send);
    } else if (m?.type === 'wxmp-dedup-batch') {
      // Started in order, so requests for one key are served in the order they were made.
      const answers = m.items.map((item) => serveOne(store, item));
      void Promise.all(answers).then((all) => {
        const items = all.filter((a, i) => m.items[i]!.id !== 0);
        if (items.length) send({ type: 'wxmp-dedup-batch', items } satisfies Batch<DedupResponse>);
      });
    }
  });
}

/** What the primary's in-memory store (MemoryDedupStore) offers besides DedupStore: each call answered at once. */
interface SyncStore {
  claimSync(key: string, ttlMs: number): DedupEntry | null;
  completeSync(key: string, reply: string, ttlMs: number): void;
  getSync(key: string): DedupEntry | null;
  rememberSync(key: string, value: string, ttlMs: number): string | null;
}

function syncStore(store: DedupStore): SyncStore | undefined {
  const s = store as Partial<SyncStore>;
  return s.claimSync && s.completeSync && s.getSync && s.rememberSync ? (s as SyncStore) : undefined;
}

/** {@link serveOne} for a store that answers at once; the same answers, in the same order. */
function serveOneSync(store: SyncStore, m: DedupRequest): DedupResponse {
  try {
    if (m.op === 'remember' || m.op === 'admit') {
      const value = store.rememberSync(m.key, m.value ?? '', m.ttlMs ?? 30_000);
      if (value !== null || m.op === 'remember' || m.claimKey === undefined) return { type: 'wxmp-dedup', id: m.id, entry: null, value };
      return { type: 'wxmp-dedup', id: m.id, entry: store.claimSync(m.claimKey, m.claimTtlMs ?? 30_000), value: null, claimed: true };
    }
    if (m.op === 'claim') return { type: 'wxmp-dedup', id: m.id, entry: store.claimSync(m.key, m.ttlMs ?? 30_000) };
    if (m.op === 'complete') {
      store.completeSync(m.key, m.reply ?? '', m.ttlMs ?? 30_000);
      return { type: 'wxmp-dedup', id: m.id, entry: null };
    }
    return { type: 'wxmp-dedup', id: m.id, entry: store.getSync(m.key) };
  } catch {
    // As serveOne: a failing store answers "nothing there" rather than leaving the worker waiting.
    return { type: 'wxmp-dedup', id: m.id, entry: null };
  }
}

/** One request's answer; never rejects (a failing store answers "nothing there"). */
function serveOne(store: DedupStore, m: DedupRequest): Promise<DedupResponse> {
  const answer = (entry: DedupEntry | null, value?: string | null): DedupResponse => ({ type: 'wxmp-dedup', id: m.id, entry, value });
  if (m.op === 'remember' || m.op === 'admit') {
    const remembered = store.remember ? store.remember(m.key, m.value ?? '', m.ttlMs ?? 30_000) : Promise.resolve(null);
    const claimKey = m.op === 'admit' ? m.claimKey : undefined;
    return remembered.then(
      // Claimed in the same turn, before any other request is served: as if the worker had asked next.
      (value) => (value !== null || claimKey === undefined ? answer(null, value) : store.claim(claimKey, m.claimTtlMs ?? 30_000).then((entry) => ({ ...answer(entry, null), claimed: true }), () => answer(null, null))),
      () => answer(null, null),
    );
  }
  const done = m.op === 'claim' ? store.claim(m.key, m.ttlMs ?? 30_000)
    : m.op === 'complete' ? store.complete(m.key, m.reply ?? '', m.ttlMs ?? 30_000).then(() => null)
    : store.get(m.key);
  return done.then((entry) => answer(entry), () => answer(null));
}
