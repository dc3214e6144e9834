import { DeployError } from '../errors.js';
import type { Exchange } from '../server/exchange.js';
import { formatExchange } from '../server/request-log.js';
import type { DeployConfig } from './config.js';
import { activate, checked } from './deploy.js';
import { Progress, type Output } from './progress.js';
import { listScript, logsScript, preflightScript, rolledBackScript, unlockScript } from './scripts.js';
import { Remote } from './ssh.js';

export interface ReleaseInfo { id: string; commit?: string | null; dirty?: boolean; builtAt?: string }

export interface ServerStatus {
  current?: string;
  releases: ReleaseInfo[];
  supervisor?: { pid: number; uptimeSeconds: number };
  health: { status: number | 'down'; body: string };
}

/**
 * Reads releases, the supervisor and /healthz from the server.
 *
 * @example
 * const { current, health } = await readStatus(new Remote(config));
 */
export async function readStatus(remote: Remote): Promise<ServerStatus> {
  const text = await checked(remote, 'status', listScript(remote.config));
  const status: ServerStatus = { releases: [], health: { status: 'down', body: '' } };
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.split('=');
    const value = rest.join('=');
    if (key === 'current') status.current = value || undefined;
    if (key === 'release') {
      const space = value.indexOf(' ');
      const pkg = JSON.parse(value.slice(space + 1)) as ReleaseInfo & { release?: string };
      status.releases.push({ id: value.slice(0, space), commit: pkg.commit, dirty: pkg.dirty, builtAt: pkg.builtAt });
    }
    if (key === 'supervisor' && value !== 'none') {
      const [pid, up] = value.split(' ');
      status.supervisor = { pid: Number(pid), uptimeSeconds: Number(up) };
    }
    if (key === 'health') {
      const space = value.indexOf(' ');
      const code = value.slice(0, space);
      status.health = { status: code === 'down' ? 'down' : Number(code), body: value.slice(space + 1) };
    }
  }
  return status;
}

/**
 * `wxmp deploy status`: the current release, its commit, the supervisor's
 * uptime and what /healthz answers on the server.
 *
 * @example
 * await status({ config }); // current 20260101-120000-000 (commit abc1234) ...
 */
export async function status(options: { config: DeployConfig; out?: Output }): Promise<ServerStatus> {
  const out = options.out ?? process.stdout;
  const remote = new Remote(options.config);
  try {
    const s = await readStatus(remote);
    const cur = s.releases.find((r) => r.id === s.current);
    out.write(`current   ${s.current ?? 'none (nothing deployed yet)'}${cur?.commit ? ` (commit ${cur.commit}${cur.dirty ? ' + local edits' : ''})` : ''}\n`);
    out.write(`process   ${s.supervisor ? `supervisor pid ${s.supervisor.pid}, up ${s.supervisor.uptimeSeconds} s` : 'not running'}\n`);
    out.write(`health    ${s.health.status} ${s.health.body}\n`);
    out.write(`releases  ${s.releases.map((r) => (r.id === s.current ? `*${r.id}` : r.id)).join(' ') || 'none'}\n`);
    return s;
  } finally {
    await remote.close();
  }
}

/**
 * `wxmp deploy rollback`: puts the release before the current one back in
 * service, health-checked like a deploy, under the same lock.
 *
 * @example
 * await rollback({ config }); // ✓ rollback 1.02 s  20260101-120000-000 is current again
 */
export async function rollback(options: { config: DeployConfig; out?: Output }): Promise<string> {
  const p = new Progress(options.out ?? process.stdout);
  const remote = new Remote(options.config);
  let locked = false;
  try {
    const s = await readStatus(remote);
    const ids = s.releases.map((r) => r.id).sort();
    const at = s.current ? ids.indexOf(s.current) : -1;
    const target = at > 0 ? ids[at - 1] : undefined;
    if (!target) throw new DeployError('rollback', `no earlier release to roll back to (current: ${s.current ?? 'none'}, releases: ${ids.join(' ') || 'none'})`);
    await checked(remote, 'rollback', preflightScript(options.config, `rollback to ${target} since ${new Date().toISOString()}`));
    locked = true;
    await p.step('rollback', () => activate(remote, target), () => `${target} is current again (was ${s.current})`);
    if (s.current) await checked(remote, 'rollback', rolledBackScript(options.config, s.current));
    return target;
  } finally {
    if (locked) await remote.exec(unlockScript(options.config)).catch(() => undefined);
    await remote.close();
  }
}

/**
 * Formats one JSON line of the production request log like the dev server does;
 * a line that is not JSON comes back as it is.
 *
 * @example
 * formatLogLine(line) // '12:00:01 POST / 200 3ms [safe] o6_bmjr: text "hi" → text "你说：hi"'
 */
export function formatLogLine(line: string): string {
  try {
    return formatExchange(JSON.parse(line) as Exchange);
  } catch {
    return line;
  }
}

/**
 * `wxmp deploy logs [-f]`: the production request log, one readable line per
 * request, the same lines `npm run dev` prints. With `app`, the app's own
 * output instead (console.log, stack traces: the journal, or supervisor.log
 * without systemd). With `follow` it runs until `signal` aborts (or Ctrl-C).
 *
 * @example
 * await logs({ config, lines: 50, follow: true });
 */
export async function logs(options: { config: DeployConfig; lines?: number; follow?: boolean; app?: boolean; out?: Output; signal?: AbortSignal }): Promise<void> {
  const out = options.out ?? process.stdout;
  const remote = new Remote(options.config);
  let rest = '';
  try {
    await remote.exec(logsScript(options.config, options.lines ?? 50, options.follow ?? false, options.app), (chunk) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) out.write(`${formatLogLine(line)}\n`);
    }, options.signal);
    if (rest.trim()) out.write(`${formatLogLine(rest)}\n`);
  } finally {
    await remote.close();
  }
}
