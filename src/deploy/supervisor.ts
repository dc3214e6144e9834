/**
 * The process that owns the app's port on the server (bundled as
 * supervisor.mjs). A node:cluster primary: the listening socket lives here, so
 * swapping workers never refuses a connection. On SIGHUP it starts the release
 * named in run/next as WXMP_WORKERS workers, checks each one's /healthz on a
 * private port, lets them all serve together, then retires the old release's
 * workers: they answer `Connection: close` from then on, finish what is in
 * flight and exit (killed only past WXMP_RETIRE_TIMEOUT_MS). The outcome is
 * written to run/reload.json once the old release is gone, so when the deploy
 * command returns nothing of it answers any more. A release that fails is
 * killed and the old one keeps serving. The de-dup store lives here, shared by
 * every worker of every release.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MemoryDedupStore } from '../wechat/dedup.js';
import { IPC_BATCH_ENV, serveDedup } from '../server/ipc-dedup.js';
import { retireTimeoutMs, retireWorker, workerCount } from '../server/primary.js';
import { boundLog } from './bound-log.js';

const base = process.env.WXMP_BASE ?? resolve(dirname(process.argv[1]!), '..');
const run = join(base, 'run');
const defaultTimeoutMs = Number(process.env.WXMP_HEALTH_TIMEOUT_MS) || 15_000;
const TAIL = 30;
const store = new MemoryDedupStore();

interface Outcome { release: string; ok: boolean; message: string; log: string[]; at: string }

let active: Worker[] = [];
let activeRelease = '';
let stopping = false;

function say(line: string): void {
  process.stdout.write(`supervisor: ${line}\n`);
}

function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** WXMP_WORKERS and WXMP_RETIRE_TIMEOUT_MS: from the environment (systemd's EnvironmentFile), else shared/.env. */
function settings(): { workers: number; retireMs: number } {
  const env: Record<string, string | undefined> = { ...process.env };
  try {
    for (const m of readFileSync(join(base, 'shared', '.env'), 'utf8').matchAll(/^\s*(WXMP_WORKERS|WXMP_RETIRE_TIMEOUT_MS|REDIS_URL)\s*=\s*["']?([^"'\s#]*)/gm)) env[m[1]!] ??= m[2];
  } catch { /* no .env: defaults */ }
  try {
    return { workers: workerCount(env), retireMs: retireTimeoutMs(env) };
  } catch (error) {
    say(`${(error as Error).message}; using the defaults`);
    return { workers: workerCount({}), retireMs: retireTimeoutMs({}) };
  }
}

/** run/next: the release to start and, on a second line, its health timeout (set per deploy). */
function nextRelease(): { release: string; timeoutMs: number } {
  try {
    const [release = '', timeout] = readFileSync(join(run, 'next'), 'utf8').trim().split('\n');
    return { release: release.trim(), timeoutMs: Number(timeout) || defaultTimeoutMs };
  } catch {
    return { release: basename(realpathSync(join(base, 'current'))), timeoutMs: defaultTimeoutMs };
  }
}

/** Forks one worker of `release`; resolves with it once it passed /healthz on its private port (not yet serving). */
function startWorker(release: string, healthTimeoutMs: number, lines: string[]): Promise<Worker> {
  const dir = join(base, 'releases', release);
  const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
    to.write(chunk);
    lines.push(...String(chunk).split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - TAIL));
  };
  cluster.setupPrimary({ exec: join(dir, 'server.mjs'), cwd: dir, silent: true });
  const worker = cluster.fork({ WXMP_RELEASE: release, WXMP_ROLE: 'release', WXMP_LOG_DIR: join(base, 'shared', 'logs'), [IPC_BATCH_ENV]: '1' });
  serveDedup(worker, store);
  worker.process.stdout?.on('data', (d: Buffer) => keep(d, process.stdout));
  worker.process.stderr?.on('data', (d: Buffer) => keep(d, process.stderr));
  return new Promise((resolvePromise, reject) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!worker.isDead()) worker.process.kill('SIGKILL');
      // Give the pipes a moment to deliver the worker's last words.
      setTimeout(() => reject(new Error(why)), 100);
    };
    const timer = setTimeout(() => fail(`no healthy answer within ${healthTimeoutMs} ms`), healthTimeoutMs);
    const onExit = (code: number, signal: string) => fail(`the release exited during start-up (${signal ?? `code ${code}`})`);
    worker.once('exit', onExit);
    // A send on a channel that just closed emits 'error'; unhandled, it would end the supervisor and the serving release.
    worker.on('error', (error) => fail(`the release's channel failed: ${error.message}`));
    worker.on('message', async (message: { type?: string; port?: number }) => {
      if (message.type !== 'health') return;
      const problem = await checkHealth(message.port!, release);
      if (problem) return fail(problem);
      // The start-up timer may have fired (and killed the worker) during the check.
      if (done || worker.isDead()) return;
      done = true;
      clearTimeout(timer);
      worker.removeListener('exit', onExit);
      resolvePromise(worker);
    });
  });
}

/** Tells healthy workers to take their share of the public port; resolves once all do. */
function serveAll(workers: Worker[]): Promise<void> {
  return Promise.all(workers.map((worker) => new Promise<void>((resolvePromise, reject) => {
    const onExit = () => reject(new Error('a worker exited before it served'));
    worker.once('exit', onExit);
    worker.on('message', (message: { type?: string }) => {
      if (message.type !== 'serving') return;
      worker.removeListener('exit', onExit);
      resolvePromise();
    });
    worker.send({ type: 'serve' });
  }))).then(() => undefined);
}

/** Starts `count` workers of `release`; all healthy and serving, or none (the others are killed). */
async function startRelease(release: string, healthTimeoutMs: number, count: number): Promise<Worker[]> {
  const lines: string[] = [];
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(release, healthTimeoutMs, lines)));
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    await serveAll(workers);
    return workers;
  } catch (error) {
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    // Every worker of a release that cannot start says the same thing: once is enough.
    throw Object.assign(error as Error, { log: [...new Set(lines)] });
  }
}

async function checkHealth(port: number, release: string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string; version?: string };
    if (res.status !== 200 || body.status !== 'ok') return `/healthz answered ${res.status} ${JSON.stringify(body)}`;
    if (body.version !== release) return `/healthz reports release ${body.version}, expected ${release}`;
    return undefined;
  } catch (error) {
    return `/healthz failed: ${(error as Error).message}`;
  }
}

let crashes = 0;

/** Replaces a worker that dies while serving: 1 s, then doubling up to 30 s while they keep dying young. */
function watch(worker: Worker, release: string): void {
  const started = Date.now();
  worker.on('exit', (code, signal) => {
    if (stopping || !active.includes(worker)) return;
    active = active.filter((w) => w !== worker);
    if (Date.now() - started > 60_000) crashes = 0;
    say(`a worker of release ${release} exited (${signal ?? `code ${code}`})`);
    crashes++;
    const delay = Math.min(30_000, 1000 * 2 ** (crashes - 1));
    say(`restarting release ${release} in ${delay / 1000} s (one worker)`);
    setTimeout(() => { void reload(release); }, delay);
  });
}

let queue: Promise<void> = Promise.resolve();

/** Starts `release` (or the one in run/next) and records the outcome; serialized. With `release`: tops up a crashed one. */
function reload(release?: string): Promise<void> {
  queue = queue.then(async () => {
    const { workers, retireMs } = settings();
    // A crash restart is moot once a deploy has put another release in service meanwhile.
    if (release && (release !== activeRelease || active.length >= workers) && active.length > 0) return;
    const next = release ? { release, timeoutMs: defaultTimeoutMs } : nextRelease();
    const target = next.release;
    const topUp = release !== undefined && target === activeRelease && active.length > 0;
    let outcome: Outcome;
    try {
      const started = await startRelease(target, next.timeoutMs, topUp ? workers - active.length : workers);
      for (const w of started) watch(w, target);
      const old = topUp ? [] : active;
      active = topUp ? [...active, ...started] : started;
      activeRelease = target;
      say(`release ${target}: ${active.length} worker${active.length === 1 ? '' : 's'} (WXMP_WORKERS) serving`);
      if (old.length) {
        say(`retiring the previous release's ${old.length} worker${old.length === 1 ? '' : 's'}: no new requests, finishing those in flight (killed after ${retireMs / 1000} s)`);
        await Promise.all(old.map((w) => retireWorker(w, retireMs, say)));
      }
      outcome = { release: target, ok: true, message: `release ${target} is serving`, log: [], at: new Date().toISOString() };
    } catch (error) {
      const log = (error as { log?: string[] }).log ?? [];
      const keeps = active.length ? `release ${activeRelease} keeps serving` : 'nothing is serving';
      outcome = { release: target, ok: false, message: `release ${target} failed its health check: ${(error as Error).message}; ${keeps}`, log, at: new Date().toISOString() };
    }
    say(outcome.message);
    if (!topUp) {
      try {
        writeAtomic(join(run, 'reload.json'), JSON.stringify(outcome));
      } catch (error) {
        // A full disk must not take the serving workers down with us; the deploy times out and points here.
        say(`cannot write run/reload.json: ${(error as Error).message}`);
      }
    }
    if (!outcome.ok && !active.length) {
      // A release that served before keeps being retried; one that never started has nothing to fall back to.
      if (release) setTimeout(() => { void reload(release); }, Math.min(30_000, 1000 * 2 ** crashes++));
      else shutdown(1);
    }
  }).catch((error: unknown) => say(`reload failed: ${(error as Error).message}`));
  return queue;
}

function shutdown(code = 0): void {
  if (stopping) return;
  stopping = true;
  const { retireMs } = settings();
  void Promise.all(Object.values(cluster.workers ?? {}).map((w) => retireWorker(w!, retireMs, say))).then(() => {
    rmSync(join(run, 'supervisor.pid'), { force: true });
    process.exit(code);
  });
}

mkdirSync(run, { recursive: true });
writeAtomic(join(run, 'supervisor.pid'), `${process.pid}\n`);
// supervisor.log (DEPLOY_SERVICE=none) is our stdout, opened for appending by the shell.
if (process.env.WXMP_SUPERVISOR_LOG) boundLog(process.env.WXMP_SUPERVISOR_LOG, Number(process.env.WXMP_SUPERVISOR_LOG_BYTES) || undefined);
process.on('SIGHUP', () => { void reload(); });
process.on('SIGUSR2', () => { void reload(); });
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
say(`pid ${process.pid}, base ${base}, port ${process.env.PORT ?? '8000'}`);
void reload();
