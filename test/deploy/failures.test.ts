/**
 * Each failure the issue names, against real sshd/rsync/nginx: a clear message
 * with the step's code, and nothing half-done on the server (no release folder
 * left, no lock held, `current` untouched).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWxmpError } from '../../src/errors.js';
import { parseDeployConfig, type DeployConfig } from '../../src/deploy/config.js';
import { deploy } from '../../src/deploy/deploy.js';
import { deployCommand } from '../../src/deploy/command.js';
import { setup } from '../../src/deploy/setup.js';
import { rollback } from '../../src/deploy/manage.js';
import { Remote } from '../../src/deploy/ssh.js';
import { upload } from '../../src/deploy/upload.js';
import { freePort, pathWithout, startNginx, startSshd, type Nginx, type Sshd } from './support/servers.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-deploy-fail-'));
const project = join(tmp, 'project');
const full = join(tmp, 'full');
let sshd: Sshd;
let nginx: Nginx;
let mounted = false;
const bystanders: ChildProcess[] = [];
const supervisors: number[] = [];

const quiet = { write() {} };

function configFor(key: string, overrides: Record<string, string> = {}): DeployConfig {
  return parseDeployConfig({
    DEPLOY_HOST: '127.0.0.1',
    DEPLOY_USER: userInfo().username,
    DEPLOY_SSH_PORT: String(sshd.port),
    DEPLOY_SSH_KEY: sshd.keys[key],
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts,
    DEPLOY_PATH: join(tmp, 'server'),
    DEPLOY_DOMAIN: 'wx.test.local',
    DEPLOY_SERVICE: 'none',
    DEPLOY_NGINX: nginx.command,
    DEPLOY_NGINX_CONF_DIR: nginx.confDir,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isWxmpError(error)) throw new Error(`expected a WxmpError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

beforeAll(async () => {
  const fakeNode = join(tmp, 'old-node');
  mkdirSync(fakeNode, { recursive: true });
  writeFileSync(join(fakeNode, 'node'), '#!/bin/sh\necho 16.20.0\n');
  chmodSync(join(fakeNode, 'node'), 0o755);
  sshd = await startSshd(join(tmp, 'ssh'), {
    good: '',
    norsync: pathWithout(tmp, ['rsync']),
    nonode: pathWithout(tmp, ['node', 'nodejs']),
    oldnode: `${fakeNode}:/usr/local/bin:/usr/bin:/bin`,
  });
  nginx = await startNginx(join(tmp, 'nginx'));
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"1.0.0"}\n');
  for (const dir of ['releases', 'shared/logs', 'shared/data', 'run', 'bin']) mkdirSync(join(tmp, 'server', dir), { recursive: true });
});

afterAll(async () => {
  for (const pid of supervisors) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  for (const b of bystanders) b.kill('SIGKILL');
  if (supervisors.length) execFileSync('sleep', ['0.5']);
  if (mounted) execFileSync('umount', [full]);
  await Promise.all([nginx?.stop(), sshd?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('deploy failures: one clear message each, nothing half-done', { timeout: 60_000 }, () => {
  it('host unreachable', async () => {
    const closed = await freePort();
    const f = await failure(deploy({ config: configFor('good', { DEPLOY_SSH_PORT: String(closed) }), cwd: project, out: quiet }));
    expect(f.code).toBe('DEPLOY_SSH');
    expect(f.message).toMatch(new RegExp(`cannot reach .*@127\\.0\\.0\\.1:${closed} \\(.*Connection refused.*\\)\\. Check DEPLOY_HOST and DEPLOY_SSH_PORT`));
  });

  it('ssh auth refused', async () => {
    const f = await failure(deploy({ config: configFor('refused'), cwd: project, out: quiet }));
    expect(f.code).toBe('DEPLOY_SSH');
    expect(f.message).toMatch(/ssh to .* was refused \(.*Permission denied.*\)\. Check DEPLOY_USER and DEPLOY_SSH_KEY/);
  });

  it('rsync missing on the server', async () => {
    const f = await failure(deploy({ config: configFor('norsync'), cwd: project, out: quiet }));
    expect(f.code).toBe('DEPLOY_RSYNC');
    expect(f.message).toMatch(/rsync is missing on the server: install it there \(Debian\/Ubuntu: sudo apt-get install rsync/);
  });

  it('Node, rsync or nginx missing, or Node too old, on the server: says what to install', async () => {
    const missing = await failure(deploy({ config: configFor('nonode'), cwd: project, out: quiet }));
    expect(missing.code).toBe('DEPLOY_NODE');
    expect(missing.message).toMatch(/Node\.js is missing on the server: install Node 20 or newer/);
    const old = await failure(deploy({ config: configFor('oldnode'), cwd: project, out: quiet }));
    expect(old.code).toBe('DEPLOY_NODE');
    expect(old.message).toMatch(/Node\.js 16\.20\.0 on the server is too old: install Node 20 or newer/);
    const viaSetup = await failure(setup({ config: configFor('nonode'), out: quiet }));
    expect(viaSetup.message).toMatch(/Node\.js is missing/);
    let said = '';
    await failure(setup({ config: configFor('norsync', { DEPLOY_NGINX: '/nonexistent/nginx' }), out: { write: (t) => { said += t; } } })).then((f) => {
      expect(f.code).toBe('DEPLOY_NGINX');
      expect(f.message).toMatch(/^nginx is not installed on the server \(.*\): install it \(sudo apt-get install nginx\) and run setup again/);
    });
    expect(said).toMatch(/ {2}warning: rsync is missing on the server; deploys need it/);
  });

  it('disk full (a real 512 KB tmpfs): no partial release, no lock left', async () => {
    // A real full disk: a 512 KB tmpfs is smaller than the bundle. Mounting needs root (CAP_SYS_ADMIN), as CI has.
    mkdirSync(full, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', full]);
    mounted = true;
    for (const dir of ['releases', 'shared/logs', 'shared/data', 'run', 'bin']) mkdirSync(join(full, dir), { recursive: true });
    let said = '';
    const f = await failure(deploy({ config: configFor('good', { DEPLOY_PATH: full }), cwd: project, out: { write: (t) => { said += t; } } }));
    expect(said).toMatch(/warning: only 0 MB free under .* on the server/);
    expect(f.code).toBe('DEPLOY_DISK');
    expect(f.message).toMatch(/the server's disk is full \(rsync: .*No space left on device.*\)\. Free space under .*nothing was switched/);
    expect(readdirSync(join(full, 'releases'))).toEqual([]);
    expect(existsSync(join(full, 'run', 'deploy.lock'))).toBe(false);
    expect(existsSync(join(full, 'current'))).toBe(false);
  });

  it('Ctrl-C during a deploy: a clear message, the lock released, no partial release', async () => {
    const env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: userInfo().username, DEPLOY_SSH_PORT: String(sshd.port),
      DEPLOY_SSH_KEY: sshd.keys.good!, DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts, DEPLOY_PATH: join(tmp, 'server'), DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_SERVICE: 'none',
    };
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches the CLI and its ssh/rsync.
    const child = spawn(process.execPath, [join(root, 'bin', 'wxmp.js'), 'deploy'], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    try {
      for (let i = 0; i < 200 && !out.includes('✓ bundle'); i++) await new Promise((r) => setTimeout(r, 25));
      process.kill(-child.pid!, 'SIGINT');
      const code = await new Promise((r) => child.once('exit', r));
      const seen = `exit ${String(code)}, output:\n${out}`;
      expect(out, seen).toMatch(/wxmp deploy: interrupted by Ctrl-C during (bundle|connect|upload): nothing was switched; the running release is untouched/);
      expect(code, seen).toBe(1);
      expect(existsSync(join(tmp, 'server', 'run', 'deploy.lock')), seen).toBe(false);
      expect(readdirSync(join(tmp, 'server', 'releases')), seen).toEqual([]);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('Ctrl-C between two steps: the next step never starts', async () => {
    let said = '';
    // The interrupt lands as the upload's line is printed, after rsync is done and before activation.
    const out = { write: (t: string) => { said += t; if (t.includes('✓ upload')) process.emit('SIGINT'); } };
    const f = await failure(deploy({ config: configFor('good'), cwd: project, out }));
    expect(f.code, said).toBe('DEPLOY_INTERRUPTED');
    expect(f.message).toBe('interrupted by Ctrl-C during upload: nothing was switched; the running release is untouched');
    expect(said).not.toContain('activate');
    expect(readdirSync(join(tmp, 'server', 'releases'))).toEqual([]);
    expect(existsSync(join(tmp, 'server', 'current'))).toBe(false);
    expect(existsSync(join(tmp, 'server', 'run', 'deploy.lock'))).toBe(false);
  });

  it('a key path with a space (and text that looks like an ssh option) uploads for real, and runs nothing', async () => {
    // On rsync's -e line unquoted, this key path became `-i <dir>/k` plus `-oProxyCommand=<tmp>/evil.sh`.
    const evil = join(tmp, 'evil.sh');
    const marker = join(tmp, 'pwned');
    writeFileSync(evil, `#!/bin/sh\ntouch ${marker}\nexit 1\n`);
    chmodSync(evil, 0o755);
    const key = join(tmp, 'keys dir', `k -oProxyCommand=${evil}`);
    mkdirSync(join(key, '..'), { recursive: true });
    copyFileSync(sshd.keys.good!, key);
    chmodSync(key, 0o600);
    const knownHosts = join(tmp, 'keys dir', "known hosts 'x'");
    copyFileSync(sshd.knownHosts, knownHosts);
    const config = configFor('good', { DEPLOY_SSH_KEY: key, DEPLOY_SSH_KNOWN_HOSTS: knownHosts });
    expect(config.sshKey).toBe(key);
    const local = join(tmp, 'upload-src');
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, 'server.mjs'), 'export {};\n');
    const remote = new Remote(config);
    try {
      const bytes = await upload(remote, local, join(tmp, 'server', 'releases', 'spaced'));
      expect(bytes).toBeGreaterThan(0);
    } finally {
      await remote.close();
    }
    expect(readFileSync(join(tmp, 'server', 'releases', 'spaced', 'server.mjs'), 'utf8')).toBe('export {};\n');
    expect(existsSync(marker)).toBe(false);
    rmSync(join(tmp, 'server', 'releases', 'spaced'), { recursive: true });
  });

  it('rollback with nothing to go back to', async () => {
    const f = await failure(rollback({ config: configFor('good'), out: quiet }));
    expect(f.code).toBe('DEPLOY_ROLLBACK');
    expect(f.message).toBe('no earlier release to roll back to (current: none, releases: none)');
  });

  it('status on a server where nothing runs: says so and exits 1', async () => {
    let said = '';
    const env = {
      DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: userInfo().username, DEPLOY_SSH_PORT: String(sshd.port), DEPLOY_SSH_KEY: sshd.keys.good!,
      DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts, DEPLOY_PATH: join(tmp, 'server'), DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_APP_PORT: String(await freePort()),
    };
    expect(await deployCommand(['status'], { env, out: { write: (t) => { said += t; } } })).toBe(1);
    expect(said).toMatch(/^current   none \(nothing deployed yet\)\nprocess   not running\nhealth    down .*\nreleases  none\n$/);
  });

  it('a server that was never set up', async () => {
    const f = await failure(deploy({ config: configFor('good', { DEPLOY_PATH: join(tmp, 'nowhere') }), cwd: project, out: quiet }));
    expect(f.code).toBe('DEPLOY_SETUP');
    expect(f.message).toMatch(/is not set up on the server: run `npx wxmp deploy setup` first/);
  });

  it('a held lock names its owner and how to clear it', async () => {
    const lock = join(tmp, 'server', 'run', 'deploy.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), 'alice@laptop pid 42 release X since 2026-01-01T00:00:00Z\n');
    try {
      const f = await failure(deploy({ config: configFor('good'), cwd: project, out: quiet }));
      expect(f.code).toBe('DEPLOY_LOCK');
      expect(f.message).toMatch(/another deploy is running on the server \(alice@laptop pid 42 .*\)\. Wait for it; if it died, remove the lock: ssh .* rm -r .*deploy\.lock/);
      expect(existsSync(lock)).toBe(true);
    } finally {
      rmSync(lock, { recursive: true });
    }
  });

  it('a bot that does not compile stops the deploy before anything is uploaded', async () => {
    const bot = join(project, 'bad-bot.ts');
    writeFileSync(bot, 'export default createRouter(;\n');
    const f = await failure(deploy({ config: configFor('good'), cwd: project, bot, out: quiet }));
    expect(f.code).toBe('DEPLOY_BUNDLE');
    expect(f.message).toMatch(/the production bundle failed to build: .*bad-bot\.ts:1/);
    expect(readdirSync(join(tmp, 'server', 'releases'))).toEqual([]);
  });

  it('setup with DEPLOY_SERVICE=systemd on a server without systemd: the unit is written and lints clean, the error says what to do', async () => {
    const unitDir = join(tmp, 'systemd');
    let said = '';
    const f = await failure(setup({ config: configFor('good', { DEPLOY_SERVICE: 'systemd', DEPLOY_SYSTEMD_DIR: unitDir }), out: { write: (t) => { said += t; } } }));
    if (userInfo().username === 'root') expect(said).toMatch(/warning: the service will run as root \(User=root\)/);
    expect(f.code).toBe('DEPLOY_SYSTEMD');
    expect(f.message).toMatch(/wxmp\.service is written, but systemctl failed \(.*\)\. systemd is not running on the server \(a container\?\): set DEPLOY_SERVICE=none/);
    const lint = spawnSync('systemd-analyze', ['verify', join(unitDir, 'wxmp.service')], { encoding: 'utf8', timeout: 20_000 });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(readFileSync(join(unitDir, 'wxmp.service'), 'utf8')).toMatch(new RegExp(`ExecStart=/usr/bin/env NODE_ENV=production .* ${process.execPath.replace(/[.]/g, '\\.')} .*/bin/supervisor\\.mjs`));
  });

  it('setup: a server block that nginx -t rejects is removed again and nginx is not reloaded', async () => {
    const config = configFor('good', { DEPLOY_SSL_CERT: join(tmp, 'missing.crt'), DEPLOY_SSL_KEY: join(tmp, 'missing.key'), DEPLOY_HTTP_LISTEN: `127.0.0.1:${await freePort()}` });
    const f = await failure(setup({ config, out: quiet }));
    expect(f.code).toBe('DEPLOY_NGINX');
    expect(f.message).toMatch(/nginx -t rejected the new server block, so nginx was not reloaded and the old file is back:\n.*missing\.crt/);
    expect(existsSync(join(nginx.confDir, 'wxmp.conf'))).toBe(false);
  });

  it('a first deploy to a server whose .env lacks WECHAT_TOKEN: the one-line reason, nothing left running', async () => {
    const base = join(tmp, 'noenv');
    for (const dir of ['releases', 'shared/logs', 'shared/data', 'run', 'bin']) mkdirSync(join(base, dir), { recursive: true });
    const f = await failure(deploy({ config: configFor('good', { DEPLOY_PATH: base, DEPLOY_APP_PORT: String(await freePort()) }), cwd: project, out: quiet }));
    expect(f.code).toBe('DEPLOY_HEALTH');
    expect(f.message).toMatch(/failed its health check: the release exited during start-up \(code 1\); nothing is serving\nlast lines of release \S+:\n {2}wxmp: WECHAT_TOKEN: expected the Token .* \(on the server: DEPLOY_PATH\/shared\/\.env; send one with `wxmp deploy setup --env FILE`\)$/);
    expect(readdirSync(join(base, 'releases'))).toEqual([]);
    expect(existsSync(join(base, 'current'))).toBe(false);
    // With nothing to serve, the supervisor it started has left too.
    for (let i = 0; i < 40 && existsSync(join(base, 'run', 'supervisor.pid')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(base, 'run', 'supervisor.pid'))).toBe(false);
  });

  it('a stale pid file naming an unrelated process: that process is left alone, a supervisor is started', async () => {
    const base = join(tmp, 'stale');
    for (const dir of ['releases', 'shared/logs', 'shared/data', 'run', 'bin']) mkdirSync(join(base, dir), { recursive: true });
    writeFileSync(join(base, 'shared', '.env'), 'WECHAT_TOKEN=testtoken123\n');
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    bystanders.push(bystander);
    writeFileSync(join(base, 'run', 'supervisor.pid'), `${bystander.pid}\n`);
    const appPort = await freePort();
    await deploy({ config: configFor('good', { DEPLOY_PATH: base, DEPLOY_APP_PORT: String(appPort) }), cwd: project, out: quiet });
    const pid = Number(readFileSync(join(base, 'run', 'supervisor.pid'), 'utf8'));
    supervisors.push(pid);
    expect(pid).not.toBe(bystander.pid);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    const health = await fetch(`http://127.0.0.1:${appPort}/healthz`, { signal: AbortSignal.timeout(3000) });
    expect(health.status).toBe(200);
  });
});
