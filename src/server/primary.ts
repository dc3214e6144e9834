/**
 * The primary of a production server without the deploy supervisor: `npm start`
 * and the Docker image (`node server.mjs`). It forks WXMP_WORKERS workers that
 * share the port, owns the in-memory de-dup store they all ask, restarts a
 * worker that dies, and on SIGTERM/SIGINT retires them all gracefully.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadEnv, parseServerConfig, type Env } from '../config.js';
import { ConfigError, isWxmpError } from '../errors.js';
import { MemoryDedupStore } from '../wechat/dedup.js';
import { IPC_ADMIT_ENV, IPC_BATCH_ENV } from './ipc-dedup.js';
import { serveDedup } from './ipc-dedup-serve.js';

/**
 * WXMP_WORKERS: worker processes per server. Default: the machine's available
 * parallelism when REDIS_URL is set, else 1. De-dup is shared by the workers
 * either way (the primary owns it), but without Redis the bot's sessions and
 * the late replies held for WeChat's retries live in one process, and a
 * message on another worker would not find them: set REDIS_URL, or set
 * WXMP_WORKERS yourself if your bot keeps no such state.
 *
 * @example
 * workerCount({ WXMP_WORKERS: '1' }) // 1
 * workerCount({ REDIS_URL: 'redis://127.0.0.1:6379' }) // os.availableParallelism()
 */
export function workerCount(env: Env): number {
  const raw = env.WXMP_WORKERS?.trim();
  if (!raw) return env.REDIS_URL?.trim() ? availableParallelism() : 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new ConfigError(`WXMP_WORKERS: expected an integer from 1 to 256 (worker processes; default: the number of cores), got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * WXMP_RETIRE_TIMEOUT_MS: how long a retired worker may take to finish its
 * requests before it is killed. Default 60 s: WeChat's deadline is 5 s, so only a
 * handler stuck for good (or a late reply still being delivered) lasts that long.
 */
export function retireTimeoutMs(env: Env): number {
  const raw = env.WXMP_RETIRE_TIMEOUT_MS?.trim();
  if (!raw) return 60_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100 || n > 3_600_000) throw new ConfigError(`WXMP_RETIRE_TIMEOUT_MS: expected an integer from 100 to 3600000 (ms), got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Asks `worker` to finish what it has in flight and exit; kills it after `limitMs`.
 * Resolves once it has exited.
 */
export function retireWorker(worker: Worker, limitMs: number, log: (line: string) => void = (line) => console.error(line)): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (worker.isDead()) return;
      log(`worker ${worker.process.pid} still busy: killed after ${limitMs / 1000} s (WXMP_RETIRE_TIMEOUT_MS)`);
      worker.process.kill('SIGKILL');
    }, limitMs);
    worker.once('exit', () => { clearTimeout(timer); resolve(); });
    try { worker.send({ type: 'retire' }); } catch { worker.process.kill('SIGTERM'); }
  });
}

export async function runPrimary(env: Env = process.env): Promise<number> {
  let count: number;
  let limitMs: number;
  try {
    // Checked here once, so a bad setting is one line instead of one per worker.
    parseServerConfig(loadEnv());
    count = workerCount(env);
    limitMs = retireTimeoutMs(env);
  } catch (error) {
    if (!isWxmpError(error)) throw error;
    process.stderr.write(`wxmp start: ${error.message}\n`);
    return 1;
  }
  const store = new MemoryDedupStore();
  const serving = new Set<Worker>();
  let stopping = false;
  let announced = false;
  let crashes = 0;

  const done = new Promise<number>((resolve) => {
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await Promise.all(Object.values(cluster.workers ?? {}).map((w) => retireWorker(w!, limitMs)));
      resolve(code);
    };
    // `on`, not `once`: Ctrl-C reaches us twice (from the terminal and from `wxmp start`).
    process.on('SIGTERM', () => void stop(0));
    process.on('SIGINT', () => void stop(0));

    const fork = () => {
      const worker = cluster.fork({ WXMP_WORKER_COUNT: String(count), [IPC_BATCH_ENV]: '1', [IPC_ADMIT_ENV]: '1' });
      serveDedup(worker, store);
      const started = Date.now();
      worker.on('message', (message: { type?: string; line?: string }) => {
        if (message?.type !== 'serving') return;
        serving.add(worker);
        if (!announced && serving.size === count) {
          announced = true;
          const why = env.WXMP_WORKERS?.trim() ? '' : env.REDIS_URL?.trim() ? ', one per core' : '; set REDIS_URL to use every core';
          console.log(`${message.line}; ${count} worker${count === 1 ? '' : 's'} (WXMP_WORKERS${why})`);
        }
      });
      worker.on('exit', (code, signal) => {
        const served = serving.delete(worker);
        if (stopping) return;
        // A worker that never served failed at start-up (its error is printed): nothing to retry.
        if (!served) return void stop(1);
        if (Date.now() - started > 60_000) crashes = 0;
        const delay = Math.min(30_000, 1000 * 2 ** crashes++);
        console.error(`wxmp: a worker exited (${signal ?? `code ${code}`}); starting another in ${delay / 1000} s`);
        setTimeout(() => { if (!stopping) fork(); }, delay).unref();
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
  return done;
}
