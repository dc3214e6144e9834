/**
 * Who holds the dev tunnel's port on the server. The holder leaves a marker
 * (run/dev-tunnel.json) naming its user, machine and checkout, so a second dev
 * server can say who has the port instead of stealing it, and a dev server
 * whose own dropped connection still holds it can take it back.
 */
import { hostname, userInfo } from 'node:os';
import { sh } from '../deploy/ssh.js';

/** What the marker says about its dev server. */
interface Marker { id?: string; user?: string; machine?: string; cwd?: string; pid?: number; since?: string }

/** The marker's path on the server, under DEPLOY_PATH. */
export function markerPath(deployPath: string): string {
  return `${deployPath}/run/dev-tunnel.json`;
}

/** A shell script that writes this dev server's marker atomically. */
export function markerScript(file: string, id: string, cwd: string): string {
  const marker: Marker = { id, user: userInfo().username, machine: hostname(), cwd, pid: process.pid, since: new Date().toISOString() };
  return `mkdir -p ${sh(file.slice(0, file.lastIndexOf('/')))} && printf '%s\\n' ${sh(JSON.stringify(marker))} > ${sh(`${file}.tmp`)} && mv ${sh(`${file}.tmp`)} ${sh(file)}`;
}

/**
 * A shell script that prints the marker and, when it is `id`'s own (a network
 * change or sleep the server has not noticed yet), ends the sessions holding
 * `port` and prints `freed=<pid>` for each.
 */
export function holderScript(file: string, port: number, id: string): string {
  return `m=$(cat ${sh(file)} 2>/dev/null); printf '%s\\n' "$m"
case "$m" in *'"id":"${id}"'*)
  for p in $(ss -ltnpH "sport = :${port}" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do kill "$p" 2>/dev/null && echo "freed=$p"; done;;
esac`;
}

/** What {@link holderScript} printed, in words; or 'freed' when the port was `id`'s own and has been freed. */
export function explainHolder(out: string, where: { id: string; port: number; host: string }): string {
  if (/^freed=\d+$/m.test(out)) return 'freed';
  const taken = `port ${where.port} on ${where.host} is taken`;
  const fix = `stop that one, or give this checkout its own DEPLOY_DEV_PORT and DEPLOY_DEV_DOMAIN (then wxmp deploy setup)`;
  let marker: Marker | undefined;
  try { marker = JSON.parse(out.split('\n')[0] ?? ''); } catch { marker = undefined; }
  if (marker?.id === where.id) return `${taken} by this dev server's earlier connection, which the server has not dropped yet (no \`ss\` there to end it); waiting for sshd to notice`;
  if (marker?.machine) return `${taken} by another dev server: ${marker.user}@${marker.machine} in ${marker.cwd} (pid ${marker.pid}, since ${marker.since}); ${fix}`;
  return `${taken} by a program that is not a wxmp dev tunnel (see \`ss -ltnp 'sport = :${where.port}'\` on the server); ${fix}`;
}
