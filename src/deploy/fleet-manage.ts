/**
 * `wxmp deploy setup | status | rollback | logs` across several servers: the
 * single-host commands run per host, their answers gathered into one view.
 */
import { DeployError } from '../errors.js';
import { activate, checked } from './deploy.js';
import { allOrFirstFailure, onHost, REDIS_WHY, whoRunsWhat } from './fleet.js';
import type { DeployHost } from './hosts.js';
import { formatLogLine, readStatus, type ServerStatus } from './manage.js';
import { Progress, type Output } from './progress.js';
import { logsScript, preflightScript, rolledBackScript, unlockScript } from './scripts.js';
import { setup } from './setup.js';
import { Remote, sh } from './ssh.js';

/** Runs `work` with a connection to each host at once, closing them all. */
async function eachHost<T>(hosts: DeployHost[], work: (host: DeployHost, remote: Remote) => Promise<T>): Promise<T[]> {
  const remotes = hosts.map((h) => new Remote(h.config));
  try {
    return await Promise.all(hosts.map((h, i) => work(h, remotes[i]!).catch((error: unknown) => { throw onHost(h, error); })));
  } finally {
    await Promise.all(remotes.map((r) => r.close()));
  }
}

/**
 * On the server: PING the Redis named by REDIS_URL in shared/.env (AUTH first
 * when the URL has a password; TLS for rediss://). Prints `redis=ok <ms>`; the
 * password never reaches the output.
 */
export function redisPingScript(path: string): string {
  const js = `const u=new URL(process.env.U);const net=require(u.protocol==="rediss:"?"tls":"net");const cmd=(...a)=>"*"+a.length+"\\r\\n"+a.map(x=>"$"+Buffer.byteLength(x)+"\\r\\n"+x+"\\r\\n").join("");const t=Date.now();const host=u.hostname.replace(/^\\[|\\]$/g,"");const s=net.connect({host,port:Number(u.port)||6379,servername:host},()=>{let m="";if(u.password)m+=cmd("AUTH",...(u.username?[decodeURIComponent(u.username)]:[]),decodeURIComponent(u.password));s.write(m+cmd("PING"))});let d="";s.setTimeout(3000,()=>{console.error("no answer from Redis at "+u.host+" within 3 s");process.exit(17)});s.on("data",c=>{d+=c;if(d.includes("+PONG")){console.log("redis=ok "+(Date.now()-t));process.exit(0)}if(/^-/m.test(d)){console.error("Redis at "+u.host+" answered "+d.trim().split("\\r\\n").filter(l=>l.startsWith("-")).join(" "));process.exit(17)}});s.on("error",e=>{console.error("cannot reach Redis at "+u.host+" ("+e.message+")");process.exit(17)})`;
  return `B=${sh(path)}
u=$(sed -nE 's/^[[:space:]]*(export[[:space:]]+)?REDIS_URL=["'"'"']?([^"'"'"'[:space:]]*).*/\\2/p' "$B/shared/.env" 2>/dev/null | tail -n 1)
[ -n "$u" ] || { echo "REDIS_URL is not set in $B/shared/.env" >&2; exit 16; }
U="$u" node -e ${sh(js)}`;
}

/**
 * Setup on every host at once, then (with several hosts, or `checkRedis`)
 * checks that each one reaches the Redis its .env names.
 *
 * @example
 * await fleetSetup({ hosts, envFile: '.env.production' });
 */
export async function fleetSetup(options: { hosts: DeployHost[]; envFile?: string; yes?: boolean; checkRedis?: boolean; out?: Output }): Promise<void> {
  const out = options.out ?? process.stdout;
  // Every host at once; each host's lines are shown together, in DEPLOY_HOST's order.
  const said = options.hosts.map(() => '');
  const done = await Promise.allSettled(options.hosts.map((host, i) => setup({ config: host.config, envFile: options.envFile, yes: options.yes, out: { write: (t) => { said[i] += t; } } })));
  options.hosts.forEach((host, i) => out.write(`── ${host.name}\n${said[i]}`));
  const failed = done.findIndex((d) => d.status === 'rejected');
  if (failed >= 0) throw onHost(options.hosts[failed]!, (done[failed] as PromiseRejectedResult).reason);
  if (options.hosts.length < 2 && !options.checkRedis) return;
  const p = new Progress(out);
  await p.step('redis', () => eachHost(options.hosts, async (host, remote) => {
    const r = await remote.exec(redisPingScript(host.config.path));
    if (r.code === 16) throw new DeployError('redis', `${r.stderr.trim()}: ${REDIS_WHY}. Add it to the .env you send with --env`);
    if (r.code !== 0) throw new DeployError('redis', `${r.stderr.trim() || `exit ${r.code}`}. Every host must reach the Redis in REDIS_URL (firewall, bind address, password)`);
    return `${host.name} ${r.stdout.trim().slice('redis=ok '.length)} ms`;
  }), (lines) => `every host reaches REDIS_URL (PONG: ${lines.join(', ')})`);
}

/** One host's line of `wxmp deploy status`. */
export interface HostStatus { host: DeployHost; status: ServerStatus; workers: number }

const workersScript = (path: string) => `B=${sh(path)}; pid=$(cat "$B/run/supervisor.pid" 2>/dev/null || true)
if [ -n "$pid" ] && grep -qs supervisor.mjs "/proc/$pid/cmdline"; then pgrep -P "$pid" | wc -l; else echo 0; fi`;

/**
 * `wxmp deploy status` with several hosts: one line each (release, commit,
 * workers, health), then who runs what when they differ.
 *
 * @example
 * await fleetStatus({ hosts }); // a.example.com  20260101-120000-123  commit 3f2a9c1  workers 1  healthy
 */
export async function fleetStatus(options: { hosts: DeployHost[]; out?: Output }): Promise<HostStatus[]> {
  const out = options.out ?? process.stdout;
  const all = await eachHost(options.hosts, async (host, remote) => {
    const status = await readStatus(remote);
    const workers = Number((await remote.exec(workersScript(host.config.path))).stdout.trim()) || 0;
    return { host, status, workers };
  });
  const width = Math.max(...all.map((s) => s.host.name.length));
  for (const { host, status: s, workers } of all) {
    const cur = s.releases.find((r) => r.id === s.current);
    const commit = cur?.commit ? `commit ${cur.commit}${cur.dirty ? '+' : ''}` : 'commit -';
    const health = s.health.status === 200 ? 'healthy' : `UNHEALTHY (${s.health.status} ${s.health.body.slice(0, 80)})`;
    out.write(`${host.name.padEnd(width)}  ${s.current ?? 'none'}  ${commit}  workers ${workers}  ${health}\n`);
  }
  if (new Set(all.map((s) => s.status.current)).size > 1) out.write(`hosts differ: ${whoRunsWhat(all.map((s) => ({ host: s.host, release: s.status.current })))}\n`);
  return all;
}

/**
 * `wxmp deploy rollback` with several hosts: the release before the newest
 * one in service goes back on every host that runs something else, one host
 * at a time (`rollingLimit`), each health-checked, under every host's lock.
 *
 * @example
 * await fleetRollback({ hosts }); // ✓ rollback a.example.com ... 20260101-120000-123 is current again
 */
export async function fleetRollback(options: { hosts: DeployHost[]; rollingLimit?: number; out?: Output }): Promise<string> {
  const p = new Progress(options.out ?? process.stdout);
  const locked: boolean[] = options.hosts.map(() => false);
  const remotes = options.hosts.map((h) => new Remote(h.config));
  const onAll = <T>(work: (h: DeployHost, r: Remote, i: number) => Promise<T>, which = options.hosts.map((_, i) => i)) =>
    allOrFirstFailure(which.map((i) => ({ host: options.hosts[i]!, i })), ({ host, i }) => work(host, remotes[i]!, i));
  try {
    const statuses = await onAll((_, r) => readStatus(r));
    const newest = statuses.map((s) => s.current ?? '').sort().at(-1) ?? '';
    const ids = [...new Set(statuses.flatMap((s) => s.releases.map((r) => r.id)))].sort();
    const target = ids.filter((id) => id < newest).at(-1);
    if (!target) throw new DeployError('rollback', `no earlier release to roll back to (${whoRunsWhat(statuses.map((s, i) => ({ host: options.hosts[i]!, release: s.current })))})`);
    const move = statuses.flatMap((s, i) => (s.current === target ? [] : [i]));
    const missing = move.filter((i) => !statuses[i]!.releases.some((r) => r.id === target)).map((i) => options.hosts[i]!.name);
    if (missing.length) throw new DeployError('rollback', `release ${target} is no longer kept on ${missing.join(', ')}; nothing was changed (deploy the version you want instead)`);
    await onAll(async (h, r, i) => {
      await checked(r, 'rollback', preflightScript(h.config, `rollback to ${target} since ${new Date().toISOString()}`));
      locked[i] = true;
    }, move);
    const limit = Math.max(1, options.rollingLimit ?? 1);
    for (let k = 0; k < move.length; k += limit) {
      const batch = move.slice(k, k + limit);
      await p.step(`rollback ${batch.map((i) => options.hosts[i]!.name).join(', ')}`, () => onAll(async (h, r, i) => {
        await activate(r, target);
        const was = statuses[i]!.current;
        if (was) await checked(r, 'rollback', rolledBackScript(h.config, was));
        return was;
      }, batch), (was) => `${target} is current again (was ${was.join(', ')})`);
    }
    return target;
  } finally {
    await Promise.all(remotes.map(async (r, i) => {
      if (locked[i]) await r.exec(unlockScript(options.hosts[i]!.config)).catch(() => undefined);
      await r.close();
    }));
  }
}

/**
 * `wxmp deploy logs` with several hosts: every line prefixed with its host.
 * Request-log lines are merged in time order; with `follow`, lines appear as
 * each host sends them, until `signal` aborts.
 *
 * @example
 * await fleetLogs({ hosts, lines: 50 }); // a.example.com | 12:00:01 POST / 200 3ms ...
 */
export async function fleetLogs(options: { hosts: DeployHost[]; lines?: number; follow?: boolean; app?: boolean; out?: Output; signal?: AbortSignal }): Promise<void> {
  const out = options.out ?? process.stdout;
  const width = Math.max(...options.hosts.map((h) => h.name.length));
  const gathered: { time: number; order: number; text: string }[] = [];
  const emit = (host: DeployHost, line: string) => {
    const text = `${host.name.padEnd(width)} | ${formatLogLine(line)}`;
    if (options.follow) return out.write(`${text}\n`);
    let time = Number.NaN;
    try { time = Number((JSON.parse(line) as { time?: number }).time); } catch { /* not a request line */ }
    gathered.push({ time, order: gathered.length, text });
  };
  await eachHost(options.hosts, async (host, remote) => {
    let rest = '';
    await remote.exec(logsScript(host.config, options.lines ?? 50, options.follow ?? false, options.app), (chunk) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) emit(host, line);
    }, options.signal);
    if (rest.trim()) emit(host, rest);
  });
  // Lines without a time (the app's own output) keep their host's order.
  const timed = gathered.every((g) => !Number.isNaN(g.time));
  for (const g of timed ? gathered.sort((a, b) => a.time - b.time || a.order - b.order) : gathered) out.write(`${g.text}\n`);
}
