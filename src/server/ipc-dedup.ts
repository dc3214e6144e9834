/**
 * De-duplication across the workers of one machine without Redis: the primary
 * process (the deploy supervisor, or `npm start`'s) owns every key in one
 * in-memory store, and workers ask it over the cluster IPC channel. One owner
 * per key, so a retry that lands on another worker (or, during a deploy, on
 * the next release) still gets the first answer and the handler runs once.
 */
import type { DedupEntry, DedupStore } from '../wechat/dedup.js';

type Op = 'claim' | 'complete' | 'get' | 'remember';
/** A request from a worker; `id` 0 means no answer is wanted. `value`: what `remember` records. */
export interface DedupRequest { type: 'wxmp-dedup'; id: number; op: Op; key: string; reply?: string; ttlMs?: number; value?: string }
/** `value`: what `remember` found already recorded. */
export interface DedupResponse { type: 'wxmp-dedup'; id: number; entry: DedupEntry | null; value?: string | null }

interface Channel {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  connected?: boolean;
}

/**
 * The worker side: a DedupStore whose entries live in the primary.
 *
 * @example
 * const store = new IpcDedupStore(process); // in a cluster worker
 */
export class IpcDedupStore implements DedupStore {
  private next = 1;
  private readonly waiting = new Map<number, { resolve(response: DedupResponse): void; reject(error: Error): void }>();

  constructor(private readonly channel: Channel = process, private readonly timeoutMs = 1000) {
    channel.on('message', (message) => {
      const m = message as DedupResponse;
      if (m?.type !== 'wxmp-dedup') return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      w.resolve(m);
    });
  }

  private ask(op: Op, key: string, ttlMs?: number, value?: string): Promise<DedupResponse> {
    if (!this.channel.connected || !this.channel.send) return Promise.reject(new Error('the primary process is gone'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      // A primary that stopped answering must not hold a message past WeChat's deadline.
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the primary process did not answer a de-dup ${op} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, {
        resolve: (response) => { clearTimeout(timer); resolve(response); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.channel.send!({ type: 'wxmp-dedup', id, op, key, ttlMs, value } satisfies DedupRequest, (error) => {
        if (error) this.waiting.get(id)?.reject(error);
      });
    });
  }

  async claim(key: string, ttlMs: number): Promise<DedupEntry | null> {
    return (await this.ask('claim', key, ttlMs)).entry;
  }

  /** The replay record, kept by the primary too, so a query replayed to another worker is refused. */
  async remember(key: string, value: string, ttlMs: number): Promise<string | null> {
    return (await this.ask('remember', key, ttlMs, value)).value ?? null;
  }

  async complete(key: string, reply: string, ttlMs: number): Promise<void> {
    // No answer awaited: IPC keeps this worker's messages in order, and a copy on another
    // worker that asks before this lands sees "pending" and polls for the answer.
    if (this.channel.connected && this.channel.send) this.channel.send({ type: 'wxmp-dedup', id: 0, op: 'complete', key, reply, ttlMs } satisfies DedupRequest, () => {});
  }

  async get(key: string): Promise<DedupEntry | null> {
    return (await this.ask('get', key)).entry;
  }
}

/**
 * The primary side: answers one worker's de-dup requests from `store`
 * (shared by every worker, of every release, the primary runs).
 *
 * @example
 * const store = new MemoryDedupStore();
 * serveDedup(cluster.fork(), store);
 */
export function serveDedup(worker: { on(event: 'message', listener: (message: unknown) => void): unknown; send(message: unknown, callback?: (error: Error | null) => void): boolean; isConnected?(): boolean }, store: DedupStore): void {
  worker.on('message', (message) => {
    const m = message as DedupRequest;
    if (m?.type !== 'wxmp-dedup') return;
    const answer = (entry: DedupEntry | null, value?: string | null) => {
      if (m.id === 0 || worker.isConnected?.() === false) return;
      // The worker may be gone by now; its request dies with it.
      try { worker.send({ type: 'wxmp-dedup', id: m.id, entry, value } satisfies DedupResponse, () => {}); } catch { /* gone */ }
    };
    if (m.op === 'remember') {
      const remembered = store.remember ? store.remember(m.key, m.value ?? '', m.ttlMs ?? 30_000) : Promise.resolve(null);
      remembered.then((value) => answer(null, value), () => answer(null, null));
      return;
    }
    const done = m.op === 'claim' ? store.claim(m.key, m.ttlMs ?? 30_000)
      : m.op === 'complete' ? store.complete(m.key, m.reply ?? '', m.ttlMs ?? 30_000).then(() => null)
      : store.get(m.key);
    done.then(answer, () => answer(null));
  });
}

