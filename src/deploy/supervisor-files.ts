/**
 * The files the supervisor reads and writes under the app's base folder:
 * shared/.env (worker settings), run/next (the release a deploy asks for) and
 * the atomic writes of run/reload.json and run/supervisor.pid.
 */
import { readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { retireTimeoutMs, workerCount } from '../server/primary.js';

/** Readers never see half a file: the deploy command polls run/reload.json while it is written. */
export function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/**
 * WXMP_WORKERS and WXMP_RETIRE_TIMEOUT_MS: from the environment (systemd's
 * EnvironmentFile), else shared/.env; a bad value is said and the defaults used,
 * so a typo never stops the serving release.
 */
export function readSettings(base: string, say: (line: string) => void): { workers: number; retireMs: number } {
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

/**
 * run/next: the release to start and, on a second line, its health timeout (set per deploy);
 * else the one `current` points at. run/next is taken once: a later start (a reboot, a
 * crashed supervisor restarted by systemd) must bring back the release that passed its
 * check, never one a failed deploy named and has since deleted.
 */
export function readNextRelease(base: string, defaultTimeoutMs: number): { release: string; timeoutMs: number } {
  const file = join(base, 'run', 'next');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { release: basename(realpathSync(join(base, 'current'))), timeoutMs: defaultTimeoutMs };
  }
  rmSync(file, { force: true });
  const [release = '', timeout] = text.trim().split('\n');
  return { release: release.trim(), timeoutMs: Number(timeout) || defaultTimeoutMs };
}

/**
 * Points `current` at `release` in one rename. The supervisor does it as soon as the release
 * serves, so `current` names what serves even when the deploy's ssh session died waiting.
 */
export function pointCurrent(base: string, release: string): void {
  const temp = join(base, 'current.tmp');
  rmSync(temp, { force: true });
  symlinkSync(join('releases', release), temp);
  renameSync(temp, join(base, 'current'));
}
