import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { DeployError, isWxmpError } from '../errors.js';
import type { DeployConfig } from './config.js';
import { Progress, type Output } from './progress.js';
import { activateScript, cleanupScript, FAILURES, preflightScript, pruneScript, unlockScript } from './scripts.js';
import { Remote } from './ssh.js';
import { upload } from './upload.js';
import { buildRelease, gitState, releaseBot, releaseId } from './release.js';

export interface DeployOptions {
  config: DeployConfig;
  /** The project folder (git repository, package.json); process.cwd() by default. */
  cwd?: string;
  /** The bot module to bundle (WXMP_BOT); the project's own by default (see releaseBot). */
  bot?: string;
  /** Print the plan and change nothing. */
  dryRun?: boolean;
  out?: Output;
}

/** What the supervisor said about a release (run/reload.json). */
export interface Verdict { release: string; ok: boolean; message: string; log: string[] }

/**
 * Runs a script that may exit with a known failure code and throws that step's DeployError.
 *
 * @example
 * const out = await checked(remote, 'prune', pruneScript(config)); // DEPLOY_PRUNE on failure
 */
export async function checked(remote: Remote, step: string, script: string): Promise<string> {
  const result = await remote.exec(script);
  if (result.code === 0) return result.stdout;
  const said = result.stderr.trim() || `exit code ${result.code}`;
  throw new DeployError(FAILURES[result.code] ?? step, said);
}

/**
 * Asks the supervisor to put `release` in service and switches `current` when
 * it is healthy. A failing release throws with its last log lines; the running
 * release is untouched.
 *
 * @example
 * await activate(remote, '20260101-120000-123'); // { ok: true, message: 'release ... is serving' }
 */
export async function activate(remote: Remote, release: string): Promise<Verdict> {
  const out = await checked(remote, 'activate', activateScript(remote.config, release));
  const line = out.split('\n').find((l) => l.startsWith('reload='));
  let verdict: Verdict;
  try {
    verdict = JSON.parse(line?.slice('reload='.length) ?? '') as Verdict;
  } catch {
    throw new DeployError('activate', `the supervisor's verdict was unreadable (${JSON.stringify(out.slice(-200))}); see ${remote.config.path}/shared/logs/supervisor.log or journalctl -u ${remote.config.serviceName}`);
  }
  if (!verdict.ok) {
    const log = verdict.log?.length ? `\nlast lines of release ${release}:\n  ${verdict.log.join('\n  ')}` : '';
    throw new DeployError('health', `${verdict.message ?? 'the supervisor gave no verdict'}${log}`);
  }
  return verdict;
}

/**
 * `npm run deploy`: bundle, upload into releases/<id>, start it behind the
 * supervisor, switch `current` once /healthz passes, keep the newest releases.
 *
 * @example
 * const code = await deploy({ config: parseDeployConfig(loadEnv()) });
 */
export async function deploy(options: DeployOptions): Promise<string> {
  const { config } = options;
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? process.stdout;
  const p = new Progress(out);
  const release = releaseId();
  const git = gitState(cwd);
  const base = config.path;
  p.line(`deploy ${release}${git ? ` (commit ${git.commit})` : ''} → ${config.user}@${config.host}:${base}`);
  if (!git) p.line('warning: not a git repository; the release records no commit');
  else if (git.dirty) p.line(`warning: uncommitted changes are deployed too; release ${release} records commit ${git.commit} plus local edits`);

  if (options.dryRun) {
    p.line(`plan (dry run, nothing is changed):
  1. bundle wxmp's server + the bot ${releaseBot(cwd, options.bot).label} with esbuild into .wxmp/deploy/build (server.mjs, supervisor.mjs, package.json)
  2. ssh ${config.user}@${config.host} -p ${config.sshPort}: check rsync and Node >= 20, take the lock ${base}/run/deploy.lock
  3. rsync -az --delete --link-dest=<current release> into ${base}/releases/${release} (never .env, node_modules, .git, logs)
  4. link ${base}/shared/.env and shared/data into the release
  5. start it beside the running release, check /healthz, then switch ${base}/current and retire the old worker (port ${config.appPort})
  6. delete releases rolled back from, keep the newest ${config.keep}; release the lock`);
    return release;
  }

  const buildDir = join(cwd, '.wxmp', 'deploy', 'build');
  const remote = new Remote(config);
  const owner = `${userInfo().username}@${hostname()} pid ${process.pid} release ${release} since ${new Date().toISOString()}`;
  let connected = false;
  let locked = false;
  let discard = false;
  let step = 'bundle';
  let interrupted = false;
  // Ctrl-C reaches the running esbuild/ssh/rsync too (same process group); the
  // cleanup below still runs. Installed before the first step: without a
  // listener, SIGINT would end the process at once.
  const onInterrupt = () => {
    interrupted = true;
    p.line('interrupted: cleaning up on the server (lock, unfinished release)...');
  };
  process.once('SIGINT', onInterrupt);
  // Checked before every step: a Ctrl-C that lands between two steps must not start the next one.
  const enter = (next: string) => {
    if (interrupted) throw new Error('interrupted');
    step = next;
  };
  try {
    await p.step('bundle', () => buildRelease({ cwd, outDir: buildDir, bot: options.bot, release, stamp: `${buildDir}.json` }), (r) => `${Math.round(r.bytes / 1024)} KB, bot ${r.bot}${r.reused ? ' (unchanged since the last build: not rebuilt)' : ''}`);
    enter('connect');
    connected = true;
    const facts = await p.step('connect', async () => {
      const text = await checked(remote, 'preflight', preflightScript(config, owner));
      locked = true;
      return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    }, (f) => `node ${f.node}, ${Math.round(Number(f.free_kb) / 1024)} MB free`);
    const current = facts.current || undefined;
    if (Number(facts.free_kb) < 50 * 1024) p.line(`warning: only ${Math.round(Number(facts.free_kb) / 1024)} MB free under ${base} on the server; logs and releases need room`);
    discard = true;
    enter('upload');
    await p.step('upload', () => upload(remote, buildDir, `${base}/releases/${release}`, current ? `${base}/releases/${current}` : undefined), (bytes) => `${bytes} bytes sent`);
    enter('activate');
    try {
      await p.step('activate', () => activate(remote, release), () => `healthy; current → releases/${release}`);
    } catch (error) {
      // Only a release the supervisor rejected (or never got to see) is surely out
      // of service; after any other failure here it may be serving, so it stays.
      discard = isWxmpError(error) && (error.code === 'DEPLOY_HEALTH' || error.code === 'DEPLOY_DISK');
      throw error;
    }
    discard = false;
    step = 'prune';
    // Pruned and unlocked in one session: each ssh round trip counts on a slow link.
    await p.step('prune', () => checked(remote, 'prune', `(${pruneScript(config)})\n${unlockScript(config)}`), (kept) => `kept ${kept.trim().split(' ').length}`);
    connected = false;
    p.line(`deployed ${release} in ${p.total()}`);
    return release;
  } catch (error) {
    // Ctrl-C reaches the ssh/rsync child too; its exit may be seen before our own SIGINT handler runs.
    if (!interrupted) await new Promise((r) => setTimeout(r, 100));
    if (!interrupted) throw error;
    throw new DeployError('interrupted', step === 'activate'
      ? `interrupted by Ctrl-C while release ${release} was being activated: it may or may not be serving; \`wxmp deploy status\` tells, \`wxmp deploy rollback\` goes back`
      : step === 'prune'
        ? `interrupted by Ctrl-C after release ${release} went live (it is serving); old releases were not pruned this time`
        : `interrupted by Ctrl-C during ${step}: nothing was switched; the running release is untouched`, { cause: error });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    // A release that never went into service is removed: nothing half-done stays behind.
    // Even when the answer to preflight was lost, a lock that names this deploy is ours to release.
    const cleanup = cleanupScript(config, { discard: discard ? release : undefined, unlock: connected, owner: locked ? undefined : owner });
    if (cleanup) await remote.exec(cleanup).catch(() => undefined);
    await remote.close();
  }
}
