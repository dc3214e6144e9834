/**
 * A worker that retires while its primary is handing it a connection.
 *
 * node:cluster's round-robin primary (Linux's default) accepts each connection
 * itself and sends it to a worker; it closes its own copy only when the worker
 * answers, and a worker that has stopped listening answers "not accepted", so the
 * connection goes to another worker. A worker that exits before it has read the
 * message never answers: the connection stays open in the primary, unserved,
 * until the client (nginx: 5 s, then 504) gives up. The window is the time the
 * primary takes to read the worker's "close" after handing it a connection; here
 * it is held open by stopping the primary (SIGSTOP) while the connections arrive
 * and the worker retires, as a primary starved of CPU would be. A retiring worker
 * therefore leaves only after a round trip with its primary (cluster's
 * worker-side disconnect), reading and handing back whatever was sent before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../src/deploy/bundle.js';
import { TOKEN } from '../helpers/wechat-request.js';
import { freePort } from './support/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wxmp-retire-'));
const base = join(tmp, 'app');
const release = join(base, 'releases', 'r1');
const children: ChildProcess[] = [];

beforeAll(async () => {
  mkdirSync(join(base, 'shared', 'logs'), { recursive: true });
  mkdirSync(join(base, 'run'), { recursive: true });
  await bundle({ outDir: release, release: 'r1', version: '1.0.0' });
  writeFileSync(join(base, 'shared', '.env'), `WECHAT_TOKEN=${TOKEN}\nWXMP_WORKERS=2\nWXMP_RETIRE_TIMEOUT_MS=20000\n`);
  symlinkSync('../../shared/.env', join(release, '.env'));
  writeFileSync(join(base, 'run', 'next'), 'r1\n');
}, 60_000);

afterAll(() => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    // The whole group: the primary's workers too, even if the primary is still stopped.
    try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts `file` under node in its own process group; resolves once `ready` appears in its output. */
async function startPrimary(file: string, env: Record<string, string>, ready: RegExp): Promise<{ pid: number; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, [file], { cwd: release, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env } });
  children.push(child);
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  await until(() => ready.test(output), 40_000, () => `no ${ready} in: ${output}`);
  return { pid: child.pid!, output: () => output };
}

async function until(check: () => boolean, ms: number, what?: () => string): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (what) throw new Error(what());
  return false;
}

/** The process state letter from /proc (R, S, Z...), or undefined once reaped. */
function state(pid: number): string | undefined {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return /\) \S (\d+)/.exec(readFileSync(`/proc/${d}/stat`, 'utf8'))?.[1] === String(pid);
    } catch {
      return false;
    }
  }).map(Number);
}

/** GET /healthz on a connection of its own; the status, or why there was none within `ms`. */
function healthz(port: number, connected: () => void, ms = 8000): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: ms }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('socket', (socket) => socket.once('connect', connected));
    req.on('timeout', () => { req.destroy(); resolve(`no answer within ${ms / 1000} s`); });
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

/** Which of `pids` holds the server end of the loopback connection from local port `from` to `port` (/proc/net/tcp). */
function holder(pids: number[], port: number, from: number): number | undefined {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  const row = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hex(port)}`) && f[2]?.endsWith(`:${hex(from)}`));
  const socket = `socket:[${row?.[9]}]`;
  return pids.find((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === socket; } catch { return false; } });
    } catch {
      return false;
    }
  });
}

/**
 * The worker the primary hands the next connection to. The round-robin primary
 * keeps its idle workers in the order they became idle: one request served by a
 * worker (found by who holds its connection) puts that one last, the other first.
 */
async function nextInLine(primary: number, port: number): Promise<number> {
  const workers = childrenOf(primary);
  expect(workers).toHaveLength(2);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const from = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket!.localPort!));
      });
      req.on('timeout', () => req.destroy(new Error('no answer to the first request')));
      req.on('error', reject);
      req.end();
    });
    let served: number | undefined;
    await until(() => (served = holder(workers, port, from)) !== undefined, 5000, () => 'no worker holds the first connection');
    return workers.find((w) => w !== served)!;
  } finally {
    agent.destroy();
  }
}

/**
 * Stops the primary, opens `count` connections (the kernel completes them into
 * its listen queue), retires the worker next in line by SIGTERM (the same
 * retire() a deploy's "retire" message runs) and gives it up to 3 s to exit,
 * then lets the primary go on: it hands the first queued connection to that worker.
 */
async function retireWhileHandingOff(primary: number, port: number, count = 4): Promise<(number | string)[]> {
  const leaving = await nextInLine(primary, port);
  process.kill(primary, 'SIGSTOP');
  let answers: Promise<(number | string)[]>;
  try {
    let connected = 0;
    answers = Promise.all(Array.from({ length: count }, () => healthz(port, () => { connected++; })));
    await until(() => connected === count, 5000, () => `${connected} of ${count} connections completed`);
    process.kill(leaving, 'SIGTERM');
    // Without the round trip it exits at once (a zombie: its stopped parent cannot reap it); with it, it waits.
    await until(() => state(leaving) === 'Z', 3000);
  } finally {
    process.kill(primary, 'SIGCONT');
  }
  const result = await answers;
  // And the retired worker does leave, by itself: the primary reaps it.
  await until(() => state(leaving) === undefined, 20_000, () => `worker ${leaving} is still there (${state(leaving)})`);
  return result;
}

describe('a worker retired while connections are being handed to it', { timeout: 60_000 }, () => {
  it('under the deploy supervisor: every connection is answered (the retired worker hands back what it is sent)', async () => {
    const port = await freePort();
    const sup = await startPrimary(join(release, 'supervisor.mjs'), { PORT: String(port), WXMP_BASE: base }, /release r1 is serving/);
    // No deploy script ran here: the supervisor took run/next and pointed `current` at what serves by itself.
    expect(existsSync(join(base, 'run', 'next'))).toBe(false);
    expect(readlinkSync(join(base, 'current'))).toBe('releases/r1');
    const answers = await retireWhileHandingOff(sup.pid, port);
    expect(answers, sup.output()).toEqual(answers.map(() => 200));
    // Printed by the supervisor once it has reaped the worker: it may arrive a moment after.
    await expect.poll(() => sup.output(), { timeout: 5000 }).toMatch(/a worker of release r1 exited \(code 0\)/);
    // A release whose folder is gone is named as such, not as "spawn node ENOENT"; r1 keeps serving.
    writeFileSync(join(base, 'run', 'next'), 'gone\n');
    process.kill(sup.pid, 'SIGHUP');
    await expect.poll(() => sup.output(), { timeout: 10_000 }).toMatch(/release gone failed its health check: \S+\/releases\/gone holds no server\.mjs \(the release was removed or never fully uploaded\); release r1 keeps serving/);
    expect(readlinkSync(join(base, 'current'))).toBe('releases/r1');
  });

  it('under `npm start`\'s primary: every connection is answered, and the primary lives on', async () => {
    const port = await freePort();
    const env = { PORT: String(port), WECHAT_TOKEN: TOKEN, WXMP_WORKERS: '2', WXMP_LOG_DIR: join(tmp, 'start-logs') };
    const primary = await startPrimary(join(release, 'server.mjs'), env, /; 2 workers \(WXMP_WORKERS\)/);
    const answers = await retireWhileHandingOff(primary.pid, port);
    expect(answers, primary.output()).toEqual(answers.map(() => 200));
    await expect.poll(() => primary.output(), { timeout: 5000 }).toMatch(/a worker exited \(code 0\)/);
    expect(state(primary.pid), primary.output()).toMatch(/^[RSD]$/);
  });
});
