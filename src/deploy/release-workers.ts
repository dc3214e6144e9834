/**
 * Starting one release's workers under the supervisor's node:cluster primary:
 * each is forked, checked on its private port's /healthz, and only then told
 * to serve on the shared public port; all of them or none.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DedupStore } from '../wechat/dedup.js';
import { IPC_ADMIT_ENV, IPC_BATCH_ENV } from '../server/ipc-dedup.js';
import { serveDedup } from '../server/ipc-dedup-serve.js';

/** Lines of the workers' output kept for the outcome of a failed start. */
const TAIL = 30;

/** Where releases live and the de-dup store every worker shares. */
export interface ReleaseHost {
  base: string;
  store: DedupStore;
}

/**
 * Starts `count` workers of `release`; resolves once all are healthy and
 * serving, else kills the others and rejects with the workers' last lines in
 * the error's `log`.
 */
export async function startRelease(host: ReleaseHost, release: string, healthTimeoutMs: number, count: number): Promise<Worker[]> {
  // Forking from a folder that is gone fails as "spawn node ENOENT", which blames node.
  if (!existsSync(join(host.base, 'releases', release, 'server.mjs'))) throw Object.assign(new Error(`${join(host.base, 'releases', release)} holds no server.mjs (the release was removed or never fully uploaded)`), { log: [] });
  const lines: string[] = [];
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(host, release, healthTimeoutMs, lines)));
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

/** Forks one worker of `release`; resolves with it once it passed /healthz on its private port (not yet serving). */
function startWorker(host: ReleaseHost, release: string, healthTimeoutMs: number, lines: string[]): Promise<Worker> {
  const dir = join(host.base, 'releases', release);
  const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
    to.write(chunk);
    lines.push(...String(chunk).split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - TAIL));
  };
  cluster.setupPrimary({ exec: join(dir, 'server.mjs'), cwd: dir, silent: true });
  const worker = cluster.fork({ WXMP_RELEASE: release, WXMP_ROLE: 'release', WXMP_LOG_DIR: join(host.base, 'shared', 'logs'), [IPC_BATCH_ENV]: '1', [IPC_ADMIT_ENV]: '1' });
  serveDedup(worker, host.store);
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

/** A problem in words, or undefined when /healthz says ok for this very release. */
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
