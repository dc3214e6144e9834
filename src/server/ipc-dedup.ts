/**
 * De-duplication across the workers of one machine without Redis: the primary
 * process (the deploy supervisor, or `npm start`'s) owns every key in one
 * in-memory store, and workers ask it over the cluster IPC channel (the
 * worker's side here, the primary's in ipc-dedup-serve.ts). One owner
 * per key, so a retry that lands on another worker (or, during a deploy, on
 * the next release) still gets the first answer and the handler runs once.
 */
import type { Admission, DedupEntry, DedupStore } from '../wechat/dedup.js';
import { Deadlines, type Deadline } from './deadlines.js';

type Op = 'claim' | 'complete' | 'get' | 'remember' | 'admit';
/**
 * A request from a worker; `id` 0 means no answer is wanted. `value`: what `remember` records.
 * `admit` is a `remember` of `key` followed by a claim of `claimKey` for `claimTtlMs`.
 */
export interface DedupRequest { type: 'wxmp-dedup'; id: number; op: Op; key: string; reply?: string; ttlMs?: number; value?: string; claimKey?: string; claimTtlMs?: number }
/** `value`: what `remember` found already recorded; `claimed`: `admit` made its claim (its outcome in `entry`). */
export interface DedupResponse { type: 'wxmp-dedup'; id: number; entry: DedupEntry | null; value?: string | null; claimed?: boolean }
/** Requests (or answers) of one event-loop turn in one IPC message. */
export interface Batch<T> { type: 'wxmp-dedup-batch'; items: T[] }

/**
 * Set by a primary that answers batches (in the environment of the workers it forks). A
 * worker of a new release under an older deploy supervisor finds it unset and sends one
 * IPC message per request, which every supervisor understands.
 */
export const IPC_BATCH_ENV = 'WXMP_DEDUP_BATCH';
/** Set by a primary that answers `admit` (the replay record and the claim in one request). */
export const IPC_ADMIT_ENV = 'WXMP_DEDUP_ADMIT';

interface Channel {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  connected?: boolean;
}

/** A batch sent and not yet fully answered: its one deadline is cancelled with the last answer. */
type Sent = { left: number; deadline: Deadline };
type Waiter = { resolve(response: DedupResponse): void; reject(error: Error): void; sent?: Sent };

/**
 * The worker side: a DedupStore whose entries live in the primary. With `batch`,
 * the requests of one event-loop turn go in one IPC message with one timer, and
 * come back in one: each IPC message costs both processes a serialization and a
 * write. With `admit`, a message's replay record and its claim go in one request.
 *
 * @example
 * const store = new IpcDedupStore(process, 1000, { batch: process.env[IPC_BATCH_ENV] === '1', admit: process.env[IPC_ADMIT_ENV] === '1' }); // in a cluster worker
 */
export class IpcDedupStore implements DedupStore {
  private next = 1;
  private readonly waiting = new Map<number, Waiter>();
  private outbox: DedupRequest[] = [];
  private readonly batch: boolean;
  private readonly deadlines: Deadlines;

  /** Present when the primary answers it (IPC_ADMIT_ENV): a message then costs one round trip, not two. */
  readonly admit?: (record: { key: string; value: string; ttlMs: number }, claim: { key: string; ttlMs: number }) => Promise<Admission>;

  constructor(private readonly channel: Channel = process, private readonly timeoutMs = 1000, options: { batch?: boolean; admit?: boolean } = {}) {
    this.batch = options.batch ?? false;
    if (options.admit) {
      this.admit = async (record, claim) => {
        const r = await this.ask('admit', record.key, record.ttlMs, record.value, claim);
        return r.claimed ? { earlier: r.value ?? null, claimed: r.entry } : { earlier: r.value ?? null };
      };
    }
    this.deadlines = new Deadlines(timeoutMs);
    channel.on('message', (message) => {
      const m = message as DedupResponse | Batch<DedupResponse>;
      if (m?.type === 'wxmp-dedup') this.settle(m);
      else if (m?.type === 'wxmp-dedup-batch') for (const item of m.items) this.settle(item);
    });
  }

  private settle(response: DedupResponse): void {
    const w = this.waiting.get(response.id);
    if (!w) return;
    this.waiting.delete(response.id);
    if (w.sent && --w.sent.left === 0) this.deadlines.cancel(w.sent.deadline);
    w.resolve(response);
  }

  private ask(op: Op, key: string, ttlMs?: number, value?: string, claim?: { key: string; ttlMs: number }): Promise<DedupResponse> {
    if (!this.channel.connected || !this.channel.send) return Promise.reject(new Error('the primary process is gone'));
    const id = this.next++;
    const request: DedupRequest = { type: 'wxmp-dedup', id, op, key, ttlMs, value };
    if (claim) {
      request.claimKey = claim.key;
      request.claimTtlMs = claim.ttlMs;
    }
    if (this.batch) {
      return new Promise((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        this.post(request);
      });
    }
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
      this.channel.send!(request, (error) => {
        if (error) this.waiting.get(id)?.reject(error);
      });
    });
  }

  /** Batch mode: queued, and sent with the rest of this turn's requests. */
  private post(request: DedupRequest): void {
    this.outbox.push(request);
    if (this.outbox.length === 1) setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const items = this.outbox;
    this.outbox = [];
    const waiters = items.filter((r) => r.id !== 0).map((r) => [r.id, this.waiting.get(r.id)!] as const);
    const fail = (error: Error) => {
      for (const [id, w] of waiters) {
        if (this.waiting.get(id) !== w) continue;
        this.waiting.delete(id);
        w.reject(error);
      }
    };
    if (!this.channel.connected || !this.channel.send) return fail(new Error('the primary process is gone'));
    if (waiters.length) {
      // One deadline for the batch, on one timer: a primary that stopped answering must not hold a message past WeChat's deadline.
      const sent: Sent = { left: waiters.length, deadline: this.deadlines.start(() => fail(new Error(`the primary process did not answer a de-dup ${items[0]!.op} within ${this.timeoutMs} ms`))) };
      for (const [, w] of waiters) w.sent = sent;
    }
    this.channel.send({ type: 'wxmp-dedup-batch', items } satisfies Batch<DedupRequest>, (error) => {
      if (error) fail(error);
    });
  };

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
    if (!this.channel.connected || !this.channel.send) return;
    const request: DedupRequest = { type: 'wxmp-dedup', id: 0, op: 'complete', key, reply, ttlMs };
    if (this.batch) this.post(request);
    else this.channel.send(request, () => {});
  }

  async get(key: string): Promise<DedupEntry | null> {
    return (await this.ask('get', key)).entry;
  }
}
