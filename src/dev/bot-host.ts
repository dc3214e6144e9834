/**
 * Hot reload without a restart: the bot runs in a worker thread while this
 * thread keeps the port, the tunnel and the HTTP server. A save builds a new
 * worker; only once it has loaded does it take over, and the old one is
 * terminated when its last request is answered, which also disposes of its
 * timers, intervals and connections.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Env } from '../config.js';
import { WxmpError } from '../errors.js';
import type { Logger } from '../server/logger.js';
import { redactLines } from '../server/redact.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';
import { createBundler, type BotBundler } from './bundle.js';
import { BotWorker } from './bot-worker.js';
import { WORKER_SCRIPT, type ToWorker } from './worker-script.js';
import type { WorkerAccount } from './worker-services.js';
import type { DispatchServices } from '../wechat/router.js';

/** Options of {@link BotHost.create}. */
export interface BotHostOptions {
  cwd: string;
  /** Default `src/app.ts`. */
  entry?: string;
  /** The bot's process.env. */
  env: Env;
  logger: Logger;
  /** Applied to what the bot prints (console.log in src/app.ts), so secrets stay out of the terminal. */
  redact?: (text: string) => string;
  /** Further accounts' API client settings, for the bot's `ctx.client` per account. */
  accounts?: WorkerAccount[];
  /** Give up on a worker that has not loaded by then. Default 10 s. */
  loadTimeoutMs?: number;
  /** How long an old version may keep answering after a reload before it is ended. Default 2 minutes. */
  retireGraceMs?: number;
}

/**
 * A handler that misses WeChat's 5 s still has its reply delivered late (a
 * customer-service message, or held for a retry or "继续"), so a reload must not
 * cut it short; only one that never finishes is ended.
 */
const RETIRE_GRACE_MS = 120_000;

/** A reload's outcome: the new version and its build + load time, or the error text (file:line first). */
export type ReloadResult = { ok: true; ms: number; version: number } | { ok: false; error: string };

/**
 * @example
 * const host = await BotHost.create({ cwd: process.cwd(), env, logger: consoleLogger });
 * await host.reload();                               // the first version
 * const app = createApp({ config, router: host });  // host.dispatch forwards to the current worker
 * await host.reload();                               // after a save
 */
export class BotHost {
  private current: BotWorker | undefined;
  private spare: BotWorker | undefined;
  /** Old versions still answering their last requests; close() must not wait for them. */
  private readonly retiring = new Set<BotWorker>();
  private nextId = 0;
  private preload: string[] = [];
  private restarting: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private inputs: string[] = [];
  private buildStartedAt = 0;
  /** Number of good versions loaded so far. */
  version = 0;

  private constructor(private readonly options: BotHostOptions, private readonly bundler: BotBundler, private readonly script: string) {}

  /** Prepares the build; call {@link reload} to load the first version. */
  static async create(options: BotHostOptions): Promise<BotHost> {
    const outDir = join('.wxmp', 'build');
    const bundler = await createBundler({ cwd: options.cwd, entry: options.entry ?? 'src/app.ts', outDir });
    const script = join(options.cwd, outDir, 'worker.mjs');
    writeFileSync(script, WORKER_SCRIPT);
    return new BotHost(options, bundler, script);
  }

  /** True once a good version serves. */
  get ready(): boolean {
    return this.current !== undefined;
  }

  /** Runs the message through the current version of the bot; of `services`, only the account crosses to the worker (it has its own). */
  async dispatch(message: WechatMessage, services?: DispatchServices): Promise<Reply | null> {
    if (!this.current && this.restarting) await this.restarting;
    const target = this.current;
    if (!target) {
      throw new WxmpError('DEV_BOT_NOT_LOADED', 'the bot is not loaded: fix the error printed above and save src/app.ts');
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ type: 'dispatch', id, message, account: services?.account } satisfies ToWorker);
    });
  }

  /** Builds and swaps in the current source; calls made during a reload run one after another. */
  reload(): Promise<ReloadResult> {
    const run = this.queue.then(() => this.swap());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * True when a file of the last build changed after that build began. The
   * file watcher drops a second change within 50 ms of the first (a formatter
   * saving again), so this check catches the save it missed.
   */
  changedSinceBuild(): boolean {
    return this.inputs.some((file) => {
      try { return statSync(file).mtimeMs > this.buildStartedAt; } catch { return true; }
    });
  }

  private boot(): BotWorker {
    const worker = new Worker(this.script, { env: { ...this.options.env }, workerData: { preload: this.preload, accounts: this.options.accounts ?? [] }, stdout: true, stderr: true });
    const redact = this.options.redact ?? ((text: string) => text);
    for (const [from, to] of [[worker.stdout, process.stdout], [worker.stderr, process.stderr]] as const) {
      // Decoded as UTF-8 across chunks, and redacted by line: a secret may arrive in two writes.
      const out = redactLines(redact, (text) => to.write(text));
      from.setEncoding('utf8').on('data', out.write).on('end', out.end);
    }
    const bot = new BotWorker(worker);
    worker.on('error', (error) => this.crashed(bot, error));
    // process.exit() in the bot ends its thread only; treat it like a crash so no request waits forever.
    worker.on('exit', (code) => this.crashed(bot, new Error(bot.endedBy ? `the bot's worker thread was ended by ${bot.endedBy}` : `the bot's worker thread exited with code ${code} (process.exit() in the bot?)`)));
    return bot;
  }

  private crashed(bot: BotWorker, error: Error): void {
    for (const p of bot.pending.values()) p.reject(error);
    bot.pending.clear();
    if (bot !== this.current || this.closed) return;
    this.current = undefined;
    if (bot.crashes >= 3) {
      this.options.logger.error('wxmp dev: the bot crashed again (3 times in this version); fix it and save', error);
      return;
    }
    this.options.logger.error('wxmp dev: the bot crashed (an uncaught error in a timer or callback, or process.exit); restarting the same version', error);
    const again = this.spare ?? this.boot();
    this.spare = undefined;
    again.crashes = bot.crashes + 1;
    // Requests that arrive meanwhile wait for the restart instead of failing.
    this.restarting = again.load(bot.file, this.options.loadTimeoutMs ?? 10_000).then((failure) => {
      if (!failure && !this.closed && !this.current) this.current = again;
      else void again.worker.terminate();
      this.restarting = undefined;
      if (!this.closed) this.spare ??= this.boot();
    });
  }

  private async swap(): Promise<ReloadResult> {
    const started = performance.now();
    this.buildStartedAt = Date.now();
    const built = await this.bundler.build();
    if (!built.ok) return { ok: false, error: built.error };
    this.inputs = built.inputs;
    if (this.closed) return { ok: false, error: 'closed' };
    this.preload = built.externals;
    const next = this.spare ?? this.boot();
    this.spare = undefined;
    const failure = await next.load(built.file, this.options.loadTimeoutMs ?? 10_000);
    // close() ran while it loaded: it never saw `next`, so nobody else would end it.
    if (this.closed) {
      next.end('the dev server closing');
      rmSync(built.file, { force: true });
      return { ok: false, error: 'closed' };
    }
    if (failure) {
      void next.worker.terminate();
      rmSync(built.file, { force: true });
      this.spare = this.boot();
      return { ok: false, error: this.relativeStack(failure) };
    }
    const old = this.current;
    this.current = next;
    this.version++;
    if (old) {
      this.retiring.add(old);
      old.worker.once('exit', () => this.retiring.delete(old));
      old.retire(this.options.retireGraceMs ?? RETIRE_GRACE_MS);
      rmSync(old.file, { force: true });
    }
    this.spare = this.boot();
    return { ok: true, ms: performance.now() - started, version: this.version };
  }

  /** Stack frames as `src/app.ts:12:5` rather than absolute file URLs. */
  private relativeStack(stack: string): string {
    return stack.replace(/(?:file:\/\/)?(\/[^\s):]+)/g, (whole, path: string) => (path.startsWith(this.options.cwd) ? relative(this.options.cwd, path) : whole));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.current, this.spare, ...this.retiring].map((bot) => bot?.end('the dev server closing')));
    this.retiring.clear();
    this.current = this.spare = undefined;
    await this.bundler.dispose();
  }
}
