/**
 * `npm run deploy` to several servers: one bundle, uploaded to every host in
 * parallel, then a rolling switch, DEPLOY_ROLLING_LIMIT hosts at a time, each
 * behind its own supervisor's health check. A host that fails stops the
 * rollout; the hosts not reached yet keep the release they run.
 */
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { DeployError, isWxmpError } from '../errors.js';
import { activate, checked } from './deploy.js';
import type { DeployHost } from './hosts.js';
import { Progress, type Output } from './progress.js';
import { buildRelease, gitState, releaseBot, releaseId } from './release.js';
import { checkReachable } from './reach.js';
import { cleanupScript, preflightScript, pruneScript, unlockScript } from './scripts.js';
import { Remote } from './ssh.js';
import { upload } from './upload.js';

export interface FleetDeployOptions {
  hosts: DeployHost[];
  /** Hosts switched at the same time; 1 keeps all but one host in service throughout. */
  rollingLimit?: number;
  cwd?: string;
  bot?: string;
  dryRun?: boolean;
  out?: Output;
}

/** Where a host stands during a rolling deploy. */
interface HostRun {
  host: DeployHost;
  remote: Remote;
  locked: boolean;
  uploaded: boolean;
  switched: boolean;
  /** The release it ran before this deploy (`current`), if any. */
  before?: string;
}

/** Why several servers need Redis, in one line (also used by setup). */
export const REDIS_WHY = 'with several servers, a WeChat retry can land on another server and must still be answered once, and all servers must share one access_token';

// Appended to preflight: does the server's .env set REDIS_URL (to anything)?
const redisSetScript = `grep -Eqs '^[[:space:]]*(export[[:space:]]+)?REDIS_URL=["'"'"']?[^[:space:]"'"'"']' "$B/shared/.env" && echo redis=1 || echo redis=0`;

/**
 * Prefixes a failure with the host it happened on, keeping its code.
 *
 * @example
 * onHost(host, error).message // 'host b.example.com: cannot reach deploy@b.example.com:22 (...)'
 */
export function onHost(host: DeployHost, error: unknown): Error {
  if (!isWxmpError(error)) return error instanceof Error ? error : new Error(String(error));
  const step = error.code.replace(/^DEPLOY_/, '').toLowerCase();
  return new DeployError(step, `host ${host.name}: ${error.message}`, { cause: error });
}

/**
 * Resolves to every result, or rejects with the first failure (in host order),
 * only once every host's work has ended: cleanup must never race a lock being
 * taken or a switch still running on another host.
 */
export async function allOrFirstFailure<I extends { host: DeployHost }, T>(items: I[], work: (item: I) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(items.map((item) => work(item)));
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) throw onHost(items[failed]!.host, (settled[failed] as PromiseRejectedResult).reason);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** "a, b run 20260101-…; c runs 20251231-…": who runs what, after a stopped rollout. */
export function whoRunsWhat(runs: { host: DeployHost; release?: string }[]): string {
  const by = new Map<string, string[]>();
  for (const r of runs) by.set(r.release ?? 'nothing', [...(by.get(r.release ?? 'nothing') ?? []), r.host.name]);
  return [...by].map(([release, names]) => `${names.join(', ')} ${names.length > 1 ? 'run' : 'runs'} ${release}`).join('; ');
}

/**
 * @example
 * await fleetDeploy({ hosts: parseDeployHosts(loadEnv()).hosts });
 * // ✓ switch 127.0.0.1:2201  0.61 s  healthy ... then the next host
 */
export async function fleetDeploy(options: FleetDeployOptions): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const p = new Progress(options.out ?? process.stdout);
  const limit = Math.max(1, options.rollingLimit ?? 1);
  const release = releaseId();
  const git = gitState(cwd);
  const names = options.hosts.map((h) => h.name).join(', ');
  p.line(`deploy ${release}${git ? ` (commit ${git.commit})` : ''} → ${options.hosts.length} hosts: ${names}`);
  if (git?.dirty) p.line(`warning: uncommitted changes are deployed too; release ${release} records commit ${git.commit} plus local edits`);
  if (options.dryRun) {
    p.line(`plan (dry run, nothing is changed):
  1. bundle the bot ${releaseBot(cwd, options.bot).label} once into .wxmp/deploy/build
  2. on every host at once: check the server (rsync, Node, REDIS_URL in shared/.env) and take its deploy lock
  3. rsync the release to every host at once
  4. switch ${limit === 1 ? 'one host at a time' : `${limit} hosts at a time`}, each only after its new release passed /healthz; a failure stops the rollout and the hosts not reached keep their release
  5. keep the newest releases on every host; release the locks`);
    return release;
  }
  const buildDir = join(cwd, '.wxmp', 'deploy', 'build');
  const owner = `${userInfo().username}@${hostname()} pid ${process.pid} release ${release} since ${new Date().toISOString()}`;
  // ssh and rsync in their own process group: Ctrl-C never cuts a switch short on a server.
  const runs: HostRun[] = options.hosts.map((host) => ({ host, remote: new Remote(host.config, true), locked: false, uploaded: false, switched: false }));
  let interrupted = false;
  let inFlight = 'the bundle';
  // The step in flight finishes (a host is switched wholly or not at all); the next one never starts.
  const onInterrupt = () => {
    p.line(interrupted ? `still finishing ${inFlight}; it stops right after` : `interrupted: finishing ${inFlight} so that no host is left half-switched, then stopping the rollout and cleaning up...`);
    interrupted = true;
  };
  const enter = (next: string) => {
    if (interrupted) throw new DeployError('interrupted', 'interrupted by Ctrl-C');
    inFlight = next;
  };
  process.on('SIGINT', onInterrupt);
  try {
    await checkReachable(options.hosts);
    await p.step('bundle', () => buildRelease({ cwd, outDir: buildDir, bot: options.bot, release, stamp: `${buildDir}.json` }), (r) => `${Math.round(r.bytes / 1024)} KB${r.reused ? ' (unchanged since the last build: not rebuilt)' : ''}, once for ${options.hosts.length} hosts`);
    enter('the server checks');
    const facts = await p.step('connect', () => allOrFirstFailure(runs, async (r) => {
      const text = await checked(r.remote, 'preflight', `${preflightScript(r.host.config, owner)}\n${redisSetScript}`);
      r.locked = true;
      const f = Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      r.before = f.current || undefined;
      return f;
    }), () => `${runs.length} hosts ready, locks taken`);
    const noRedis = runs.filter((_, i) => facts[i]!.redis !== '1').map((r) => r.host.name);
    if (noRedis.length) {
      throw new DeployError('redis', `REDIS_URL is not set in the server's .env on ${noRedis.join(', ')}: ${REDIS_WHY}. Set REDIS_URL in .env.production and run \`wxmp deploy setup --env .env.production\`; nothing was changed`);
    }
    enter('the upload');
    await p.step('upload', () => allOrFirstFailure(runs, (r) => {
      r.uploaded = true; // from here on a (partial) release folder may exist
      return upload(r.remote, buildDir, `${r.host.config.path}/releases/${release}`, r.before ? `${r.host.config.path}/releases/${r.before}` : undefined);
    }), (bytes) => `${runs.length} hosts in parallel, ${bytes.reduce((a, b) => a + b, 0)} bytes sent`);
    for (let i = 0; i < runs.length; i += limit) {
      const batch = runs.slice(i, i + limit);
      enter(`the switch of ${batch.map((r) => r.host.name).join(', ')}`);
      await p.step(`switch ${batch.map((r) => r.host.name).join(', ')}`, () => allOrFirstFailure(batch, async (r) => {
        try {
          await activate(r.remote, release);
          r.switched = true;
        } catch (error) {
          // Only a release the supervisor refused is surely out of service; keep any other.
          if (isWxmpError(error) && (error.code === 'DEPLOY_HEALTH' || error.code === 'DEPLOY_DISK')) r.uploaded = true;
          else r.uploaded = false;
          throw error;
        }
      }), () => 'healthy');
    }
    enter('pruning');
    // Prune and release the lock in one session per host: each ssh round trip counts on a slow link.
    await p.step('prune', () => allOrFirstFailure(runs, async (r) => {
      await checked(r.remote, 'prune', `(${pruneScript(r.host.config)})\n${unlockScript(r.host.config, owner)}`);
      r.locked = false;
    }), () => `${runs.length} hosts`);
    p.line(`deployed ${release} to ${runs.length} hosts in ${p.total()}`);
    return release;
  } catch (caught) {
    const all = runs.every((r) => r.switched);
    // Ctrl-C stops the rollout between steps (or ends esbuild); a step that failed on its own keeps its reason.
    const stopped = interrupted && ((isWxmpError(caught) && caught.code === 'DEPLOY_INTERRUPTED') || inFlight === 'the bundle');
    const error = stopped
      ? new DeployError('interrupted', all ? 'interrupted by Ctrl-C after every host was switched; old releases were not pruned this time' : `interrupted by Ctrl-C${runs.some((r) => r.switched) ? '' : ': no host was switched'}`, { cause: caught })
      : caught;
    if (runs.some((r) => r.switched) || runs.some((r) => r.uploaded)) {
      const status = whoRunsWhat(runs.map((r) => ({ host: r.host, release: r.switched ? release : r.before })));
      const next = runs.some((r) => r.switched) && !all ? '; `wxmp deploy rollback` puts the switched hosts back' : '';
      const message = `${(error as Error).message}\n${all ? 'now' : 'rollout stopped'}: ${status}${next}`;
      throw isWxmpError(error) ? new DeployError(error.code.replace(/^DEPLOY_/, '').toLowerCase(), message, { cause: error }) : new Error(message, { cause: error });
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await Promise.all(runs.map(async (r) => {
      // In one session: a release that never went into service on this host is removed, the lock released.
      const script = cleanupScript(r.host.config, { discard: r.uploaded && !r.switched ? release : undefined, unlock: r.locked, owner });
      if (script) await r.remote.exec(script).catch(() => undefined);
      await r.remote.close();
    }));
  }
}
