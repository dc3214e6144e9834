/**
 * The files `npm run dev` leaves for the other commands: `.wxmp/dev-state.json`
 * (where the latest dev server listens; `wxmp send`, `wxmp verify` and
 * `wxmp menu` aim at it), one `.wxmp/dev-servers/<port>.json` per running dev
 * server (so two in one checkout do not lose each other, and `--port` finds
 * either), and `.wxmp/dev.env` (the generated credentials). One reader for
 * each, so every command agrees on what a stale file is.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from '../errors.js';
import type { DevState } from './types.js';

export const DEV_STATE_FILE = '.wxmp/dev-state.json';
export const DEV_ENV_FILE = '.wxmp/dev.env';
export const DEV_SERVERS_DIR = '.wxmp/dev-servers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records the running dev server (as the latest one, and under its port); {@link removeDevState} on exit. */
export function writeDevState(cwd: string, state: DevState): void {
  const dir = join(cwd, DEV_SERVERS_DIR);
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(state, null, 2)}\n`;
  writeFileSync(join(dir, `${state.port}.json`), text);
  writeFileSync(join(cwd, DEV_STATE_FILE), text);
}

/** Forgets this dev server; when it was the latest, another one still running takes its place. */
export function removeDevState(cwd: string, state?: Pick<DevState, 'port' | 'pid'>): void {
  const main = join(cwd, DEV_STATE_FILE);
  if (!state) {
    rmSync(main, { force: true });
    return;
  }
  rmSync(join(cwd, DEV_SERVERS_DIR, `${state.port}.json`), { force: true });
  const latest = readFile(main, DEV_STATE_FILE);
  if (latest && (latest.port !== state.port || latest.pid !== state.pid)) return;
  const other = runningServers(cwd)[0];
  if (other) writeFileSync(main, `${JSON.stringify(other, null, 2)}\n`);
  else rmSync(main, { force: true });
}

function readFile(file: string, name: string): DevState | undefined {
  if (!existsSync(file)) return undefined;
  let state: Partial<DevState>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevState>;
  } catch (error) {
    throw new ConfigError(`${name}: expected JSON written by \`npm run dev\`, got unreadable content; delete it or pass --url`, { cause: error });
  }
  if (typeof state.localUrl !== 'string' || !/^https?:\/\//.test(state.localUrl)) {
    throw new ConfigError(`${name}: expected a localUrl such as http://127.0.0.1:3000, got ${JSON.stringify(state.localUrl ?? null)}; restart \`npm run dev\` or pass --url`);
  }
  // A dev server that crashed leaves its state behind: fall back rather than aim at a dead port.
  if (typeof state.pid === 'number' && !alive(state.pid)) return undefined;
  return state as DevState;
}

/** The dev servers running in this checkout, newest first. */
export function runningServers(cwd: string): DevState[] {
  const dir = join(cwd, DEV_SERVERS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^\d+\.json$/.test(f))
    .map((f) => ({ f, mtime: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .flatMap(({ f }) => {
      try { return readFile(join(dir, f), `${DEV_SERVERS_DIR}/${f}`) ?? []; } catch { return []; }
    });
}

/**
 * The running dev server (the one on `port` when given), or undefined when none
 * runs (no file, or its process is gone).
 *
 * @example
 * const state = readDevState(process.cwd()); // { port: 80, localUrl: 'http://127.0.0.1:80', path: '/', ... }
 * readDevState(process.cwd(), { port: 8081 }) // the second dev server in this checkout
 */
export function readDevState(cwd: string, options: { port?: number } = {}): DevState | undefined {
  if (options.port !== undefined) return readFile(join(cwd, DEV_SERVERS_DIR, `${options.port}.json`), `${DEV_SERVERS_DIR}/${options.port}.json`);
  return readFile(join(cwd, DEV_STATE_FILE), DEV_STATE_FILE) ?? runningServers(cwd)[0];
}

/** The credentials `npm run dev` generated, or undefined when it has not run here. */
export function readDevEnv(cwd: string): Record<string, string> | undefined {
  const file = join(cwd, DEV_ENV_FILE);
  return existsSync(file) ? parse(readFileSync(file)) : undefined;
}
