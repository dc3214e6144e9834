/**
 * The process that owns the app's port on the server (bundled as
 * supervisor.mjs; node:* imports only). A one-worker node:cluster primary: the
 * listening socket lives here, so swapping the worker never refuses a
 * connection. On SIGHUP it starts the release named in run/next, checks its
 * /healthz on a private port, lets it serve, then retires the old worker. A
 * release that fails is killed and the old one keeps serving. Each outcome is
 * written to run/reload.json for the deploy command to read.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const base = process.env.WXMP_BASE ?? resolve(dirname(process.argv[1]!), '..');
const run = join(base, 'run');
const defaultTimeoutMs = Number(process.env.WXMP_HEALTH_TIMEOUT_MS) || 15_000;
const TAIL = 30;

interface Outcome { release: string; ok: boolean; message: string; log: string[]; at: string }

let active: Worker | undefined;
let activeRelease = '';
let stopping = false;

function say(line: string): void {
  process.stdout.write(`supervisor: ${line}\n`);
}

function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
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

/** Forks `release`, resolves once it passed /healthz and serves the public port. */
function startRelease(release: string, healthTimeoutMs: number): Promise<Worker> {
  const dir = join(base, 'releases', release);
  const lines: string[] = [];
  const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
    to.write(chunk);
    lines.push(...String(chunk).split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - TAIL));
  };
  cluster.setupPrimary({ exec: join(dir, 'server.mjs'), cwd: dir, silent: true });
  const worker = cluster.fork({ WXMP_RELEASE: release, WXMP_LOG_DIR: join(base, 'shared', 'logs') });
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
      setTimeout(() => reject(Object.assign(new Error(why), { log: [...lines] })), 100);
    };
    const timer = setTimeout(() => fail(`no healthy answer within ${healthTimeoutMs} ms`), healthTimeoutMs);
    const onExit = (code: number, signal: string) => fail(`the release exited during start-up (${signal ?? `code ${code}`})`);
    worker.once('exit', onExit);
    // A send on a channel that just closed emits 'error'; unhandled, it would end the supervisor and the serving release.
    worker.on('error', (error) => fail(`the release's channel failed: ${error.message}`));
    worker.on('message', async (message: { type?: string; port?: number }) => {
      if (message.type === 'health') {
        const problem = await checkHealth(message.port!, release);
        if (problem) return fail(problem);
        // The start-up timer may have fired (and killed the worker) during the check.
        if (done || worker.isDead()) return;
        worker.send({ type: 'serve' });
      } else if (message.type === 'serving' && !done) {
        done = true;
        clearTimeout(timer);
        worker.removeListener('exit', onExit);
        resolvePromise(worker);
      }
    });
  });
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

function retire(worker: Worker): void {
  worker.disconnect();
  // A worker stuck on a request must not live forever.
  setTimeout(() => { if (!worker.isDead()) worker.process.kill('SIGKILL'); }, 10_000).unref();
}

let crashes = 0;

/** Restarts a worker that dies while serving: 1 s, then doubling up to 30 s while it keeps dying young. */
function watch(worker: Worker, release: string): void {
  const started = Date.now();
  worker.on('exit', (code, signal) => {
    if (stopping || worker !== active) return;
    if (Date.now() - started > 60_000) crashes = 0;
    say(`release ${release} exited (${signal ?? `code ${code}`})`);
    active = undefined;
    scheduleRestart(release);
  });
}

function scheduleRestart(release: string): void {
  crashes++;
  const delay = Math.min(30_000, 1000 * 2 ** (crashes - 1));
  say(`restarting release ${release} in ${delay / 1000} s`);
  setTimeout(() => { void reload(release); }, delay);
}

let queue: Promise<void> = Promise.resolve();

/** Starts `release` (or the one in run/next) and records the outcome; serialized. */
function reload(release?: string): Promise<void> {
  queue = queue.then(async () => {
    // A restart after a crash is moot once a deploy has put a worker in service meanwhile.
    if (release && active) return;
    const next = release ? { release, timeoutMs: defaultTimeoutMs } : nextRelease();
    const target = next.release;
    let outcome: Outcome;
    try {
      const worker = await startRelease(target, next.timeoutMs);
      const old = active;
      active = worker;
      activeRelease = target;
      watch(worker, target);
      if (old) retire(old);
      outcome = { release: target, ok: true, message: `release ${target} is serving`, log: [], at: new Date().toISOString() };
    } catch (error) {
      const log = (error as { log?: string[] }).log ?? [];
      const keeps = active ? `release ${activeRelease} keeps serving` : 'nothing is serving';
      outcome = { release: target, ok: false, message: `release ${target} failed its health check: ${(error as Error).message}; ${keeps}`, log, at: new Date().toISOString() };
    }
    say(outcome.message);
    try {
      writeAtomic(join(run, 'reload.json'), JSON.stringify(outcome));
    } catch (error) {
      // A full disk must not take the serving worker down with us; the deploy times out and points here.
      say(`cannot write run/reload.json: ${(error as Error).message}`);
    }
    if (!outcome.ok && !active) {
      // A release that served before keeps being retried; one that never started has nothing to fall back to.
      if (release) scheduleRestart(release);
      else shutdown(1);
    }
  }).catch((error: unknown) => say(`reload failed: ${(error as Error).message}`));
  return queue;
}

function shutdown(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.disconnect();
  const check = setInterval(() => {
    if (Object.keys(cluster.workers ?? {}).length === 0) {
      rmSync(join(run, 'supervisor.pid'), { force: true });
      process.exit(code);
    }
  }, 50);
  setTimeout(() => { clearInterval(check); process.exit(code); }, 12_000).unref();
}

mkdirSync(run, { recursive: true });
writeAtomic(join(run, 'supervisor.pid'), `${process.pid}\n`);
process.on('SIGHUP', () => { void reload(); });
process.on('SIGUSR2', () => { void reload(); });
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
say(`pid ${process.pid}, base ${base}, port ${process.env.PORT ?? '8000'}`);
void reload();
