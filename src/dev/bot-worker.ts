/** One bot worker thread: loading a bundle, answering dispatches, retiring. */
import type { Worker } from 'node:worker_threads';
import type { Reply } from '../wechat/replies.js';
import type { FromWorker, ToWorker } from './worker-script.js';

type Pending = { resolve: (reply: Reply | null) => void; reject: (error: Error) => void };

/** One worker thread and the requests it is answering. */
export class BotWorker {
  readonly pending = new Map<number, Pending>();
  file = '';
  retired = false;
  /** Crashes of this version so far, carried over to the worker that replaces a crashed one. */
  crashes = 0;
  /** Set when the host ends the thread itself, so requests it cuts short say why instead of blaming the bot. */
  endedBy: string | undefined;
  private readonly warm: Promise<void>;

  constructor(readonly worker: Worker) {
    this.warm = new Promise((resolve) => {
      const onWarm = (msg: FromWorker) => { if (msg.type === 'warm') { worker.off('message', onWarm); resolve(); } };
      worker.on('message', onWarm);
    });
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'result') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { stack: msg.error.stack, code: msg.error.code }));
      else p.resolve((msg.reply as Reply | null) ?? null);
      if (this.retired && this.pending.size === 0) void this.worker.terminate();
    });
  }

  /** Loads the bundle; resolves to an error text or undefined when ready. */
  async load(file: string, timeoutMs: number): Promise<string | undefined> {
    await this.warm;
    this.file = file;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(`the bot did not finish loading within ${timeoutMs} ms (a top-level await that never settles?)`), timeoutMs);
      const onMessage = (msg: FromWorker) => {
        if (msg.type === 'ready') done(undefined);
        else if (msg.type === 'load-error') done(msg.stack ?? msg.message);
      };
      const onExit = () => done('the bot worker exited while loading');
      const done = (error: string | undefined) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('exit', onExit);
        resolve(error);
      };
      this.worker.on('message', onMessage);
      this.worker.on('exit', onExit);
      this.worker.postMessage({ type: 'load', file } satisfies ToWorker);
    });
  }

  /** Stops taking requests; ends the thread once the ones in flight are answered (or after `graceMs`). */
  retire(graceMs: number): void {
    this.retired = true;
    if (this.pending.size === 0) void this.worker.terminate();
    else setTimeout(() => void this.end(`hot reload after ${graceMs / 1000} s: a newer version took over and this request was still running`), graceMs).unref();
  }

  /** Ends the thread, naming `reason` to the requests still waiting on it. */
  end(reason: string): Promise<number> {
    this.endedBy ??= reason;
    return this.worker.terminate();
  }
}

