/**
 * The files `npm run dev` leaves for the other commands: `.wxmp/dev-state.json`
 * (where the running dev server listens; `wxmp send`, `wxmp verify` and
 * `wxmp menu` aim at it) and `.wxmp/dev.env` (the generated credentials).
 * One reader for each, so every command agrees on what a stale file is.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from '../errors.js';
import type { DevState } from './types.js';

export const DEV_STATE_FILE = '.wxmp/dev-state.json';
export const DEV_ENV_FILE = '.wxmp/dev.env';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records the running dev server; {@link removeDevState} on exit. */
export function writeDevState(cwd: string, state: DevState): void {
  const file = join(cwd, DEV_STATE_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function removeDevState(cwd: string): void {
  rmSync(join(cwd, DEV_STATE_FILE), { force: true });
}

/**
 * The running dev server, or undefined when none runs (no file, or its process is gone).
 *
 * @example
 * const state = readDevState(process.cwd()); // { port: 80, localUrl: 'http://127.0.0.1:80', path: '/', ... }
 */
export function readDevState(cwd: string): DevState | undefined {
  const file = join(cwd, DEV_STATE_FILE);
  if (!existsSync(file)) return undefined;
  let state: Partial<DevState>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevState>;
  } catch (error) {
    throw new ConfigError(`${DEV_STATE_FILE}: expected JSON written by \`npm run dev\`, got unreadable content; delete it or pass --url`, { cause: error });
  }
  if (typeof state.localUrl !== 'string' || !/^https?:\/\//.test(state.localUrl)) {
    throw new ConfigError(`${DEV_STATE_FILE}: expected a localUrl such as http://127.0.0.1:3000, got ${JSON.stringify(state.localUrl ?? null)}; restart \`npm run dev\` or pass --url`);
  }
  // A dev server that crashed leaves its state behind: fall back rather than aim at a dead port.
  if (typeof state.pid === 'number' && !alive(state.pid)) return undefined;
  return state as DevState;
}

/** The credentials `npm run dev` generated, or undefined when it has not run here. */
export function readDevEnv(cwd: string): Record<string, string> | undefined {
  const file = join(cwd, DEV_ENV_FILE);
  return existsSync(file) ? parse(readFileSync(file)) : undefined;
}
