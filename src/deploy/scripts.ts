/**
 * The bash run on the server, one function per step. Each script is sent over
 * the shared ssh connection on stdin; values are quoted with `sh`. Exit codes
 * above 9 name a known failure (see FAILURES) and stderr says what to do.
 */
import type { DeployConfig } from './config.js';
import { sh } from './ssh.js';

/**
 * Exit codes of the scripts below, mapped to the step reported.
 *
 * @example
 * FAILURES[11] // 'rsync': DeployError code DEPLOY_RSYNC
 */
export const FAILURES: Record<number, string> = { 10: 'setup', 11: 'rsync', 12: 'node', 13: 'node', 14: 'lock', 15: 'disk' };

// A pid file can outlive its process and the pid be reused: only signal a supervisor.
const supervisorPid = `pid=$(cat "$B/run/supervisor.pid" 2>/dev/null || true)
if [ -n "$pid" ] && ! grep -qs supervisor.mjs "/proc/$pid/cmdline"; then pid=; fi`;

/** Oldest Node major the bundle runs on. */
export const NODE_MAJOR = 20;

const nodeCheck = `
command -v node >/dev/null 2>&1 || { echo "Node.js is missing on the server: install Node ${NODE_MAJOR} or newer (e.g. NodeSource's apt repository: https://github.com/nodesource/distributions, or your distribution's nodejs package if it is ${NODE_MAJOR}+)" >&2; exit 12; }
v=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
[ "\${v%%.*}" -ge ${NODE_MAJOR} ] 2>/dev/null || { echo "Node.js $v on the server is too old: install Node ${NODE_MAJOR} or newer (NodeSource: https://github.com/nodesource/distributions)" >&2; exit 13; }
echo "node=$v"`;

/**
 * Creates the folder layout (idempotent) and checks Node.
 *
 * @example
 * await remote.exec(layoutScript(config));
 */
export function layoutScript(c: DeployConfig): string {
  return `B=${sh(c.path)}
mkdir -p "$B/releases" "$B/shared/logs" "$B/shared/data" "$B/shared/acme" "$B/run" "$B/bin" || exit 10
touch "$B/shared/.env" && chmod 600 "$B/shared/.env"
chmod 700 "$B/shared/logs"
${nodeCheck}
command -v rsync >/dev/null 2>&1 || echo "warning=rsync is missing on the server; deploys need it (sudo apt-get install rsync)"
echo "user=$(id -un)"`;
}

/** Checks the server and takes the deploy lock; prints key=value lines. */
export function preflightScript(c: DeployConfig, owner: string): string {
  return `B=${sh(c.path)}
[ -d "$B/releases" ] && [ -d "$B/shared" ] || { echo "$B is not set up on the server: run \\\`npx wxmp deploy setup\\\` first" >&2; exit 10; }
command -v rsync >/dev/null 2>&1 || { echo "rsync is missing on the server: install it there (Debian/Ubuntu: sudo apt-get install rsync; RHEL: sudo dnf install rsync)" >&2; exit 11; }
${nodeCheck}
if ! mkdir "$B/run/deploy.lock" 2>/dev/null; then
  echo "another deploy is running on the server ($(cat "$B/run/deploy.lock/owner" 2>/dev/null || echo 'owner unknown')). Wait for it; if it died, remove the lock: ssh ${c.user}@${c.host} rm -r $B/run/deploy.lock" >&2
  exit 14
fi
printf '%s\\n' ${sh(owner)} > "$B/run/deploy.lock/owner"
cur=$(readlink "$B/current" 2>/dev/null || true)
echo "current=\${cur##*/}"
echo "free_kb=$(df -Pk "$B" | awk 'NR==2{print $4}')"`;
}

/** Releases the lock taken by preflightScript; with `owner`, only if it is still that owner's. */
export function unlockScript(c: DeployConfig, owner?: string): string {
  const lock = sh(`${c.path}/run/deploy.lock`);
  if (!owner) return `rm -rf ${lock}`;
  return `[ "$(cat ${lock}/owner 2>/dev/null)" = ${sh(owner)} ] && rm -rf ${lock}; true`;
}

/**
 * Removes a release that never went into service. An interrupted upload can
 * leave rsync's receiving side still writing for a moment: stop it first, or it
 * would put files back after the removal.
 */
export function discardScript(c: DeployConfig, release: string): string {
  const dir = `${c.path}/releases/${release}`;
  return `pkill -f -- ${sh(`rsync --server.* ${dir}`)} 2>/dev/null
i=0; while pgrep -f -- ${sh(`rsync --server.* ${dir}`)} >/dev/null 2>&1 && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
rm -rf ${sh(dir)}`;
}

/**
 * Cleanup in one ssh session (each one costs a round trip): the release that
 * never went into service removed, then the lock released.
 */
export function cleanupScript(c: DeployConfig, options: { discard?: string; unlock: boolean; owner?: string }): string {
  return [options.discard ? discardScript(c, options.discard) : '', options.unlock ? unlockScript(c, options.owner) : ''].filter(Boolean).join('\n');
}

/**
 * Links shared files into the release, asks the supervisor to start it (or
 * starts the supervisor), waits for its verdict and, only when healthy,
 * switches `current` atomically. Prints the verdict as `reload={json}`.
 */
export function activateScript(c: DeployConfig, release: string): string {
  // The verdict comes once the old release has finished its requests: up to its retire limit (60 s by default) more.
  const waitTenths = Math.ceil(c.healthTimeoutMs / 100) + 50 + 650;
  const start = c.service === 'systemd'
    ? `if [ "$(id -u)" = 0 ]; then systemctl restart ${sh(c.serviceName)}; else sudo -n systemctl restart ${sh(c.serviceName)}; fi`
    : `touch "$B/shared/logs/supervisor.log" && chmod 600 "$B/shared/logs/supervisor.log"
  PORT=${c.appPort} HOST=127.0.0.1 WXMP_BASE="$B" WXMP_HEALTH_TIMEOUT_MS=${c.healthTimeoutMs} WXMP_SUPERVISOR_LOG="$B/shared/logs/supervisor.log" setsid node "$B/bin/supervisor.mjs" >> "$B/shared/logs/supervisor.log" 2>&1 < /dev/null &`;
  // A dropped ssh link (SIGHUP) or a reader gone (SIGPIPE on the verdict) must not stop this
  // script between the supervisor's verdict and the switch of `current`.
  return `trap '' HUP PIPE
B=${sh(c.path)}; R=${sh(release)}
cd "$B" || exit 10
[ -d "releases/$R" ] || { echo "release $R is not on the server" >&2; exit 10; }
ln -sfn ../../shared/.env "releases/$R/.env"
ln -sfn ../../shared/data "releases/$R/data"
printf '%s\\n%s\\n' "$R" ${c.healthTimeoutMs} > run/next.tmp && mv run/next.tmp run/next || { echo "cannot write $B/run/next (disk full? $(df -Ph "$B" | awk 'NR==2{print $4" free"}')); nothing was switched" >&2; exit 15; }
rm -f run/reload.json
${supervisorPid}
if [ -n "$pid" ]; then
  kill -HUP "$pid"
else
  cp "releases/$R/supervisor.mjs" bin/supervisor.mjs.tmp && mv bin/supervisor.mjs.tmp bin/supervisor.mjs
  ${start}
fi
i=0
while [ ! -f run/reload.json ] && [ $i -lt ${waitTenths} ]; do sleep 0.1; i=$((i+1)); done
[ -f run/reload.json ] || { echo "the supervisor gave no answer in $((i/10)) s; see $B/shared/logs/supervisor.log" >&2; exit 1; }
# The supervisor points current itself; a supervisor of an older release does not, so this stays.
if grep -q '"ok":true' run/reload.json; then
  ln -sfn "releases/$R" current.tmp && mv -T current.tmp current
fi
echo "reload=$(cat run/reload.json)"`;
}

/**
 * Notes in run/rolled-back that `release` was rolled back from: the next prune deletes it first,
 * so the releases kept (and a later rollback's target) are ones that served last, never the one
 * a user abandoned just because its id sorts later.
 */
export function rolledBackScript(c: DeployConfig, release: string): string {
  return `printf '%s\\n' ${sh(release)} >> ${sh(`${c.path}/run/rolled-back`)}`;
}

/** Deletes the releases rolled back from, then all but the newest `keep`; never the current one. */
export function pruneScript(c: DeployConfig): string {
  return `B=${sh(c.path)}
cd "$B/releases" || exit 0
cur=$(readlink "$B/current" 2>/dev/null || true); cur=\${cur##*/}
if [ -f "$B/run/rolled-back" ]; then
  while read -r r; do
    case "$r" in ''|*[!0-9A-Za-z-]*) continue;; esac
    [ "$r" = "$cur" ] || rm -rf -- "$r"
  done < "$B/run/rolled-back"
  rm -f "$B/run/rolled-back"
fi
ls -1 | sort | head -n -${c.keep} | while read -r r; do [ "$r" = "$cur" ] || rm -rf -- "$r"; done
ls -1 | sort | tr '\\n' ' '`;
}

/** Lists releases (oldest first) with their package.json, and the current one. */
export function listScript(c: DeployConfig): string {
  return `B=${sh(c.path)}
cur=$(readlink "$B/current" 2>/dev/null || true)
echo "current=\${cur##*/}"
for d in "$B"/releases/*/; do [ -f "$d/package.json" ] && echo "release=$(basename "$d") $(tr -d '\\n' < "$d/package.json")"; done
${supervisorPid}
if [ -n "$pid" ]; then echo "supervisor=$pid $(ps -o etimes= -p "$pid" | tr -d ' ')"; else echo "supervisor=none"; fi
node -e 'fetch("http://127.0.0.1:${c.appPort}/healthz",{signal:AbortSignal.timeout(3000)}).then(async r=>console.log("health="+r.status+" "+await r.text()),e=>console.log("health=down "+e.message))'`;
}

/** Prints the last `lines` request-log lines (or, with `app`, the app's own output), then follows when `follow`. */
export function logsScript(c: DeployConfig, lines: number, follow: boolean, app = false): string {
  if (app && c.service === 'systemd') {
    // The journal needs root, the systemd-journal or adm group, or sudo. Without them journalctl
    // prints nothing and exits 0, so membership is checked first and a refusal is said.
    const j = `journalctl -u ${sh(c.serviceName)} -n ${lines} --no-pager -o cat${follow ? ' -f' : ''}`;
    return `if [ "$(id -u)" = 0 ] || id -nG | tr ' ' '\\n' | grep -qxE 'systemd-journal|adm'; then exec ${j}; fi
sudo -n ${j} 2>/dev/null || echo "wxmp: $(id -un) may not read the journal of ${c.serviceName}: add it to the systemd-journal group (sudo usermod -aG systemd-journal $(id -un)) or allow it sudo -n journalctl"`;
  }
  const file = sh(`${c.path}/shared/logs/${app ? 'supervisor.log' : 'requests.jsonl'}`);
  return follow ? `touch ${file}; exec tail -n ${lines} -F ${file} 2>/dev/null` : `[ -f ${file} ] && tail -n ${lines} ${file}; true`;
}
