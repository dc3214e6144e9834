/**
 * End to end on this machine: real sshd, rsync and nginx on 127.0.0.1, the
 * supervisor started with setsid (systemd is not PID 1 here). setup → deploy →
 * a signed message through nginx; deploys under continuous load; a failing
 * release; rollback; logs; the lock; pruning.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWxmpError } from '../../src/errors.js';
import { parseDeployConfig, type DeployConfig } from '../../src/deploy/config.js';
import { deploy } from '../../src/deploy/deploy.js';
import { deployCommand } from '../../src/deploy/command.js';
import { logs, readStatus, rollback } from '../../src/deploy/manage.js';
import { setup } from '../../src/deploy/setup.js';
import { Remote } from '../../src/deploy/ssh.js';
import { TOKEN } from '../helpers/wechat-request.js';
import { replyText, sendText, startLoad } from './support/load.js';
import { freePort, startNginx, startSshd, type Nginx, type Sshd } from './support/servers.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-deploy-e2e-'));
const base = join(tmp, 'server', 'app');
const project = join(tmp, 'project');
let sshd: Sshd;
let nginx: Nginx;
let httpPort: number;
let config: DeployConfig;
let firstRelease = '';
/** The release rolled back from in the rollback test. */
let abandoned = '';

function buffer(): { write(t: string): void; text: () => string } {
  let text = '';
  return { write: (t) => { text += t; }, text: () => text };
}

/** A bot module in the project folder, built on wxmp's own router. */
function writeBot(name: string, body: string): string {
  const file = join(project, `${name}.ts`);
  writeFileSync(file, `import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};\n${body}\n`);
  return file;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function supervisorPid(): number | undefined {
  try {
    return Number(readFileSync(join(base, 'run', 'supervisor.pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  sshd = await startSshd(join(tmp, 'ssh'), { good: '' });
  // Every file of the folder, as Debian's sites-enabled is included: a backup there would be loaded too.
  nginx = await startNginx(join(tmp, 'nginx'), { include: '*' });
  httpPort = await freePort();
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"1.2.3"}\n');
  writeFileSync(join(project, '.env.production'), `WECHAT_TOKEN=${TOKEN}\n`);
  execFileSync('git', ['init', '-q'], { cwd: project });
  execFileSync('git', ['add', 'package.json'], { cwd: project });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: project });
  config = parseDeployConfig({
    DEPLOY_HOST: '127.0.0.1',
    DEPLOY_USER: userInfo().username,
    DEPLOY_SSH_PORT: String(sshd.port),
    DEPLOY_SSH_KEY: sshd.keys.good,
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts,
    DEPLOY_PATH: base,
    DEPLOY_DOMAIN: 'wx.test.local',
    DEPLOY_APP_PORT: String(await freePort()),
    DEPLOY_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    DEPLOY_SERVICE: 'none',
    DEPLOY_NGINX: nginx.command,
    DEPLOY_NGINX_CONF_DIR: nginx.confDir,
    DEPLOY_KEEP: '2',
    DEPLOY_HEALTH_TIMEOUT_MS: '8000',
  });
});

afterAll(async () => {
  const pid = supervisorPid();
  if (pid) try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  await Promise.all([nginx?.stop(), sshd?.stop()]);
  // The supervisor's workers leave on SIGTERM; give them a moment before removing their folder.
  execFileSync('sleep', ['0.5']);
  if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(tmp, { recursive: true, force: true });
});

describe('wxmp deploy, end to end (sshd + rsync + nginx on loopback)', { timeout: 60_000 }, () => {
  it('setup creates the layout, uploads .env with mode 0600 and installs a checked nginx block', async () => {
    const out = buffer();
    await setup({ config, envFile: join(project, '.env.production'), out });
    expect(out.text()).toMatch(/✓ layout/);
    expect(out.text()).toMatch(/✓ nginx .*nginx -t ok, reloaded/);
    for (const dir of ['releases', 'shared/logs', 'shared/data', 'shared/acme', 'run', 'bin']) expect(existsSync(join(base, dir))).toBe(true);
    expect(statSync(join(base, 'shared', '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(join(base, 'shared', 'logs')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(base, 'shared', '.env'), 'utf8')).toContain(TOKEN);
    expect(out.text()).not.toContain(TOKEN);
    expect(readFileSync(join(nginx.confDir, 'wxmp.conf'), 'utf8')).toContain('server_name wx.test.local;');
    // A second run changes nothing; a changed file is shown as a diff and needs --yes.
    const again = buffer();
    await setup({ config, out: again });
    expect(again.text()).toMatch(/wxmp\.conf unchanged/);
    const changed = { ...config, domain: 'wx2.test.local' };
    const refused = buffer();
    await expect(setup({ config: changed, out: refused })).rejects.toThrow(/already exists and differs.*--yes/);
    expect(refused.text()).toMatch(/-    server_name wx\.test\.local;\n\+    server_name wx2\.test\.local;/);
    // --yes overwrites and keeps the old file where `include conf.d/*` does not load it: the next setup's nginx -t passes.
    await setup({ config: changed, yes: true, out: buffer() });
    expect(readFileSync(join(nginx.confDir, '.wxmp.conf.wxmp-old'), 'utf8')).toContain('server_name wx.test.local;');
    const back = buffer();
    await setup({ config, yes: true, out: back });
    expect(back.text()).toMatch(/✓ nginx .*nginx -t ok, reloaded/);
    expect(readdirSync(nginx.confDir).sort()).toEqual(['.wxmp.conf.wxmp-old', 'wxmp.conf']);
  });

  it('deploys the example bot, which answers a signed WeChat message through nginx', async () => {
    const out = buffer();
    const release = await deploy({ config, cwd: project, out });
    firstRelease = release;
    expect(out.text()).toMatch(/✓ bundle .*\n✓ connect .*\n✓ upload .*\n✓ activate .*\n✓ prune .*\ndeployed/);
    expect(readlinkSync(join(base, 'current'))).toBe(`releases/${release}`);
    const res = await sendText(httpPort, 'this is a test');
    expect(res.status).toBe(200);
    expect(replyText(res.body)).toBe('你说：this is a test');
    const remote = new Remote(config);
    const status = await readStatus(remote).finally(() => remote.close());
    expect(status.current).toBe(release);
    expect(status.health.status).toBe(200);
    expect(status.releases.find((r) => r.id === release)?.commit).toMatch(/^[0-9a-f]{7,}$/);
    // Never uploaded: the laptop's .env; linked instead: the server's shared one.
    expect(readlinkSync(join(base, 'releases', release, '.env'))).toBe('../../shared/.env');
  });

  it('a changed bot goes live with 0 failed requests under continuous load', async () => {
    const bot = writeBot('bot-v2', "export default createRouter().on('text', (m) => `v2: ${m.content}`);");
    const load = startLoad(httpPort);
    await load.settled();
    const out = buffer();
    await deploy({ config, cwd: project, bot, out });
    await load.settled();
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThan(50);
    expect(result.replies).toEqual(['你说：load', 'v2: load']);
    expect(replyText((await sendText(httpPort, 'hi')).body)).toBe('v2: hi');
    // After the first release, rsync sends only what changed.
    expect(out.text()).toMatch(/✓ upload .* \d+ bytes sent/);
  });

  it('a release that fails its health check never serves: 0 failed requests, the old one keeps serving', async () => {
    const before = readlinkSync(join(base, 'current'));
    const releasesBefore = readdirSync(join(base, 'releases')).sort();
    const bot = writeBot('bot-broken', "console.error('bot: REDIS_URL is not reachable'); throw new Error('cannot start');\nexport default createRouter();");
    const load = startLoad(httpPort);
    await load.settled();
    const error = await deploy({ config, cwd: project, bot, out: buffer() }).then(() => undefined, (e: unknown) => e);
    const result = await load.stop();
    expect(isWxmpError(error) && error.code).toBe('DEPLOY_HEALTH');
    expect((error as Error).message).toMatch(/failed its health check: the release exited during start-up.*keeps serving/);
    expect((error as Error).message).toContain('bot: REDIS_URL is not reachable');
    expect(result.failed).toBe(0);
    expect(result.replies).toEqual(['v2: load']);
    expect(readlinkSync(join(base, 'current'))).toBe(before);
    expect(readdirSync(join(base, 'releases')).sort()).toEqual(releasesBefore);
    expect(existsSync(join(base, 'run', 'deploy.lock'))).toBe(false);
  });

  it('a release that hangs at start-up is killed after DEPLOY_HEALTH_TIMEOUT_MS; the old one keeps serving', async () => {
    const before = readlinkSync(join(base, 'current'));
    // Stuck in a sync call that never returns; blocked without spinning, so it takes no CPU from the rest of the suite.
    const bot = writeBot('bot-hang', "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);\nexport default createRouter();");
    const error = await deploy({ config: { ...config, healthTimeoutMs: 1500 }, cwd: project, bot, out: buffer() }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).toMatch(/failed its health check: no healthy answer within 1500 ms; release .* keeps serving/);
    expect(readlinkSync(join(base, 'current'))).toBe(before);
    expect(replyText((await sendText(httpPort, 'still')).body)).toBe('v2: still');
  });

  it('a supervisor started again after a failed deploy (a reboot, systemd restarting it) serves `current`, not the failed release', async () => {
    const before = readlinkSync(join(base, 'current'));
    // The failed deploys' run/next was taken by the supervisor when it read it.
    expect(existsSync(join(base, 'run', 'next'))).toBe(false);
    const old = supervisorPid()!;
    process.kill(old, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(old); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(old)).toBe(false);
    // Started as the systemd unit starts it: the same environment, nothing naming a release.
    const log = openSync(join(base, 'shared', 'logs', 'supervisor.log'), 'a');
    const child = spawn(process.execPath, [join(base, 'bin', 'supervisor.mjs')], {
      env: { ...process.env, NODE_ENV: 'production', PORT: String(config.appPort), HOST: '127.0.0.1', WXMP_BASE: base, WXMP_HEALTH_TIMEOUT_MS: '8000' },
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.unref();
    let reply = '';
    for (let i = 0; i < 150 && reply !== 'v2: again'; i++) {
      reply = await sendText(httpPort, 'again').then((r) => replyText(r.body), () => '');
      if (reply !== 'v2: again') await new Promise((r) => setTimeout(r, 100));
    }
    expect(reply).toBe('v2: again');
    expect(supervisorPid()).toBe(child.pid);
    expect(readlinkSync(join(base, 'current'))).toBe(before);
  });

  it('rollback puts the previous release back, health-checked, with 0 failed requests', async () => {
    abandoned = readlinkSync(join(base, 'current')).split('/')[1]!;
    const out = buffer();
    const load = startLoad(httpPort);
    await load.settled();
    await rollback({ config, out });
    await load.settled();
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.replies).toEqual(['v2: load', '你说：load']);
    expect(out.text()).toMatch(/✓ rollback .* is current again/);
    expect(replyText((await sendText(httpPort, 'back')).body)).toBe('你说：back');
  });

  it('logs prints the production request log in the dev server\'s readable lines', async () => {
    const out = buffer();
    await logs({ config, lines: 5, out });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/^\d\d:\d\d:\d\d POST \/ 200 \d+ms \[plaintext\] oLoad\d+: text "back" → text "你说：back"$/);
  });

  it('logs -f follows new requests as they arrive, until stopped', async () => {
    const out = buffer();
    const stop = new AbortController();
    // Handled from the start: a follow that fails fails this test (with its reason), never as an unhandled rejection.
    let failed: unknown;
    let ended = false;
    const following = logs({ config, lines: 1, follow: true, out, signal: stop.signal }).catch((e: unknown) => { failed = e; }).finally(() => { ended = true; });
    // Polls up to 30 s (the follow is an ssh session, slow to start on a loaded machine), or until the follow ends.
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 600 && !check() && !ended; i++) await new Promise((r) => setTimeout(r, 50));
      return check();
    };
    try {
      expect(await until(() => out.text().includes('"back"')), String(failed ?? out.text())).toBe(true);
      await sendText(httpPort, 'followed');
      expect(await until(() => out.text().includes('text "followed" → text "你说：followed"')), String(failed ?? out.text())).toBe(true);
      expect(ended).toBe(false);
    } finally {
      stop.abort();
      await following;
    }
    expect(failed).toBeUndefined();
  });

  it('logs --app shows the app\'s own output: the supervisor\'s and the workers\' lines', async () => {
    const out = buffer();
    await logs({ config, lines: 200, app: true, out });
    expect(out.text()).toMatch(/^supervisor: release \S+ is serving$/m);
    expect(out.text()).toMatch(/^bot: REDIS_URL is not reachable$/m);
    expect(out.text()).toMatch(/^supervisor: release \S+ failed its health check: the release exited during start-up/m);
  });

  it('wxmp deploy status shows the current release, its commit, the supervisor and health', async () => {
    const out = buffer();
    const env = {
      DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: config.user, DEPLOY_SSH_PORT: String(config.sshPort), DEPLOY_SSH_KEY: config.sshKey!,
      DEPLOY_SSH_KNOWN_HOSTS: config.knownHosts!, DEPLOY_PATH: base, DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_APP_PORT: String(config.appPort),
    };
    expect(await deployCommand(['status'], { env, cwd: project, out })).toBe(0);
    const current = readlinkSync(join(base, 'current')).split('/')[1]!;
    expect(out.text()).toMatch(new RegExp(`^current   ${current} \\(commit [0-9a-f]{7,}\\)\nprocess   supervisor pid \\d+, up \\d+ s\nhealth    200 \\{"status":"ok","version":"${current}"`));
  });

  it('a worker that crashes is restarted by the supervisor with the same release', async () => {
    const pid = supervisorPid()!;
    // Every child: a worker still retiring from an earlier deploy may be listed first.
    const workers = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').map(Number);
    expect(workers[0]).toBeGreaterThan(0);
    const logBefore = readFileSync(join(base, 'shared', 'logs', 'supervisor.log'), 'utf8').length;
    for (const worker of workers) process.kill(worker, 'SIGKILL');
    let answer = '';
    for (let i = 0; i < 100 && answer !== '你说：again'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await sendText(httpPort, 'again').then((r) => replyText(r.body), () => '');
    }
    expect(answer).toBe('你说：again');
    expect(supervisorPid()).toBe(pid);
    const restarted = Number(execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n')[0]);
    expect(workers).not.toContain(restarted);
    const current = readlinkSync(join(base, 'current')).split('/')[1]!;
    const log = readFileSync(join(base, 'shared', 'logs', 'supervisor.log'), 'utf8').slice(logBefore);
    expect(log).toContain(`release ${current} exited (SIGKILL)`);
    expect(log).toMatch(new RegExp(`restarting release ${current} in \\d+ s`));
  });

  it('a second deploy while one is running is refused by the lock; only one goes live', async () => {
    const results = await Promise.allSettled([deploy({ config, cwd: project, out: buffer() }), deploy({ config, cwd: project, out: buffer() })]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/another deploy is running on the server \(.*pid \d+ release .*\)/);
    expect(existsSync(join(base, 'run', 'deploy.lock'))).toBe(false);
  });

  it('keeps only the newest DEPLOY_KEEP releases, and --dry-run changes nothing', async () => {
    // Three releases went live (the first, v2, the one that won the lock). The deploy above pruned v2, rolled back
    // from, although its id sorts after the first's: what is kept is what served last.
    expect(readdirSync(join(base, 'releases'))).toHaveLength(2);
    expect(readdirSync(join(base, 'releases'))).toContain(firstRelease);
    expect(readdirSync(join(base, 'releases'))).not.toContain(abandoned);
    const before = readdirSync(join(base, 'releases')).sort();
    const current = readlinkSync(join(base, 'current'));
    const out = buffer();
    writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"1.2.4"}\n');
    await deploy({ config, cwd: project, dryRun: true, out });
    expect(out.text()).toMatch(/plan \(dry run, nothing is changed\)/);
    expect(out.text()).toMatch(/warning: uncommitted changes are deployed too; release \S+ records commit [0-9a-f]{7,} plus local edits/);
    expect(readdirSync(join(base, 'releases')).sort()).toEqual(before);
    expect(readlinkSync(join(base, 'current'))).toBe(current);
  });

  it('a rollback after a rollback and a deploy goes to the release that served before, never back to the abandoned one', async () => {
    // Now: the first release and the lock's winner (current). Roll back to the first, abandoning the winner.
    const winner = readlinkSync(join(base, 'current')).split('/')[1]!;
    await rollback({ config, out: buffer() });
    expect(readlinkSync(join(base, 'current'))).toBe(`releases/${firstRelease}`);
    // A new release goes live; with DEPLOY_KEEP=3 the winner, rolled back from, would still be kept by id order.
    const fixed = await deploy({ config: { ...config, keep: 3 }, cwd: project, bot: writeBot('bot-v5', "export default createRouter().on('text', (m) => `v5: ${m.content}`);"), out: buffer() });
    expect(readdirSync(join(base, 'releases')).sort()).toEqual([firstRelease, fixed].sort());
    expect(replyText((await sendText(httpPort, 'new')).body)).toBe('v5: new');
    const out = buffer();
    await rollback({ config, out });
    expect(out.text()).toContain(`${firstRelease} is current again (was ${fixed})`);
    expect(winner).not.toBe(firstRelease);
    expect(replyText((await sendText(httpPort, 'old')).body)).toBe('你说：old');
  });
});
