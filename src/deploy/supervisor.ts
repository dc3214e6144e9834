/**
 * The process that owns the app's port on the server (bundled as
 * supervisor.mjs). A node:cluster primary: the listening socket lives here, so
 * swapping workers never refuses a connection. On SIGHUP it starts the release
 * named in run/next (at its own start: run/next if a deploy left one, else
 * `current`) as WXMP_WORKERS workers, checks each one's /healthz on a
 * private port, lets them all serve together, then retires the old release's
 * workers: they answer `Connection: close` from then on, finish what is in
 * flight and exit (killed only past WXMP_RETIRE_TIMEOUT_MS). The outcome is
 * written to run/reload.json once the old release is gone (`current` already
 * points at the new one), so when the deploy
 * command returns nothing of it answers any more. A release that fails is
 * killed and the old one keeps serving. The de-dup store lives here, shared by
 * every worker of every release. Starting a release's workers is in
 * release-workers.ts, the files under the base folder in supervisor-files.ts.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MemoryDedupStore } from '../wechat/dedup.js';
import { retireWorker } from '../server/primary.js';
import { boundLog } from './bound-log.js';
import { startRelease, type ReleaseHost } from './release-workers.js';
import { pointCurrent, readNextRelease, readSettings, writeAtomic } from './supervisor-files.js';

const base = process.env.WXMP_BASE ?? resolve(dirname(process.argv[1]!), '..');
const run = join(base, 'run');
const defaultTimeoutMs = Number(process.env.WXMP_HEALTH_TIMEOUT_MS) || 15_000;
const host: ReleaseHost = { base, store: new MemoryDedupStore() };

interface Outcome { release: string; ok: boolean; message: string; log: string[]; at: string }

let active: Worker[] = [];
let activeRelease = '';
let stopping = false;

function say(line: string): void {
  process.stdout.write(`supervisor: ${line}\n`);
}

const settings = () => readSettings(base, say);

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
    const next = release ? { release, timeoutMs: defaultTimeoutMs } : readNextRelease(base, defaultTimeoutMs);
    const target = next.release;
    const topUp = release !== undefined && target === activeRelease && active.length > 0;
    let outcome: Outcome;
    try {
      const started = await startRelease(host, target, next.timeoutMs, topUp ? workers - active.length : workers);
      for (const w of started) watch(w, target);
      const old = topUp ? [] : active;
      active = topUp ? [...active, ...started] : started;
      activeRelease = target;
      if (!topUp) {
        try {
          pointCurrent(base, target);
        } catch (error) {
          say(`cannot point current at ${target}: ${(error as Error).message}`);
        }
      }
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
