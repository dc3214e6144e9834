/**
 * Starts a throwaway redis-server (Debian's package) on 127.0.0.1 at a free
 * port. Missing redis-server is an error, never a skip: CI installs it, and a
 * silent skip would hide that the multi-instance paths went untested.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../helpers/free-port.js';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL, as an outage: no goodbye to clients. Resolves once the process is gone. */
  kill(): Promise<void>;
}


/** `port`: start on this port (to bring a killed server back where its clients look for it). */
export async function startRedis(options: { port?: number } = {}): Promise<RunningRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed (apt-get install redis-server); the Redis tests need it');
  }
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    child.once('exit', onExit);
    const started = Date.now();
    const check = () => {
      if (Date.now() - started > 10_000) return reject(new Error(`redis-server did not get ready within 10 s:\n${output}`));
      if (/Ready to accept connections/.test(output)) {
        child.off('exit', onExit);
        resolve();
      } else setTimeout(check, 20);
    };
    check();
  });
  const url = `redis://127.0.0.1:${port}`;
  const signal = (name: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(name);
    });
  return {
    url,
    port,
    kill: () => signal('SIGKILL'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A connection for assertions and cleanup in tests. */
export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/**
 * Starts Redis for a test file without letting a missing server turn into
 * skipped tests: vitest reports tests behind a failed beforeAll as skipped, so
 * the error is kept and thrown from beforeEach, failing every test in the file.
 */
export function redisForFile(hooks: { beforeAll: (fn: () => Promise<void>) => void; beforeEach: (fn: () => void) => void; afterAll: (fn: () => Promise<void>) => void }): { url: () => string } {
  let running: RunningRedis | undefined;
  let failure: unknown;
  hooks.beforeAll(async () => {
    try {
      running = await startRedis();
    } catch (error) {
      failure = error;
    }
  });
  hooks.beforeEach(() => {
    if (failure) throw failure;
  });
  hooks.afterAll(async () => {
    await running?.stop();
  });
  return {
    url: () => {
      if (!running) throw failure ?? new Error('Redis is not started yet');
      return running.url;
    },
  };
}
