/**
 * Several servers, for real on loopback: two "hosts" (each its own sshd, deploy
 * folder, app port and nginx), one Redis they share, the mock WeChat API
 * counting token fetches, and a third nginx as the load balancer in front of
 * both, configured with what `wxmp deploy balancer` prints. Fixtures are
 * shared by the whole file; the tests run in order, each from the state the
 * previous one left. Each host runs one worker (WXMP_WORKERS=1): several
 * workers per release are the switch test's subject, and here they would only
 * double the processes started on a 2-core machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { freePort } from '../helpers/free-port.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config.js';
import { isWxmpError } from '../../src/errors.js';
import { deployCommand } from '../../src/deploy/command.js';
import { fleetDeploy } from '../../src/deploy/fleet.js';
import { fleetLogs, fleetRollback, fleetStatus } from '../../src/deploy/fleet-manage.js';
import { parseDeployHosts, type DeployHost } from '../../src/deploy/hosts.js';
import { chooseTunnel, openTunnel } from '../../src/dev/tunnel-route.js';
import { startMock, type RunningMock } from '../api/support/mock-server.js';
import { startRedis, type RunningRedis } from '../api/support/redis-server.js';
import { envelope } from '../fixtures/messages.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { replyText, sendText, startLoad } from './support/load.js';
import { startNginx, startSshd, type Nginx, type Sshd } from './support/servers.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-multihost-'));
const project = join(tmp, 'project');
const handledLog = join(tmp, 'handled.log');
const names = ['a', 'b'] as const;
const DEV_DOMAIN = 'dev.test.local';
interface FakeHost { sshd: Sshd; nginx: Nginx; base: string; appPort: number; httpPort: number }
const fake: Record<string, FakeHost> = {};
let balancer: Nginx;
let lbPort: number;
let redis: RunningRedis;
let api: RunningMock;
let env: Env;
let hosts: DeployHost[];
let failure: unknown;
/** The load through the balancer: 2 loops, a request every 20 ms each (the rest of the CPU is the deploy's). */
const LOAD = { concurrency: 2, gapMs: 20 };

function buffer(): { write(t: string): void; text: () => string } {
  let text = '';
  return { write: (t) => { text += t; }, text: () => text };
}

/** A bot that fetches the access_token (shared through Redis) and records each message it handles. */
function writeBot(name: string, reply: string, startup = ''): string {
  const file = join(project, `${name}.ts`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';
import { createRouter, loadEnv } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
import { clientFromConfig, createStores, parseApiConfig } from ${JSON.stringify(join(root, 'src', 'api', 'index.ts'))};
${startup}
const config = parseApiConfig(loadEnv(process.cwd()));
const client = clientFromConfig(config, { tokenStore: createStores(config).tokenStore });
export default createRouter().on('text', async (m) => {
  await client.accessToken();
  appendFileSync(${JSON.stringify(handledLog)}, m.msgId + ' ' + process.cwd() + '\\n');
  return ${JSON.stringify(reply)} + m.content;
});
`);
  return file;
}

/** Host `h`'s DEPLOY_HOST entry; each host differs in folder, app port, nginx and key: the per-host settings after `?`. */
function entry(h: string, sshPort = fake[h]!.sshd.port): string {
  const f = fake[h]!;
  const q = new URLSearchParams({ path: f.base, app_port: String(f.appPort), http_listen: `127.0.0.1:${f.httpPort}`, nginx: f.nginx.command, nginx_conf_dir: f.nginx.confDir, ssh_key: f.sshd.keys.good!, ssh_known_hosts: f.sshd.knownHosts });
  return `127.0.0.1:${sshPort}?${q}`;
}

const current = (h: string) => readlinkSync(join(fake[h]!.base, 'current')).split('/')[1]!;
/** The nginx lines that explain a failed request: every error, and each answer that was a 5xx or took a second or more. */
const nginxTrouble = () => [['balancer', balancer] as const, ...names.map((h) => [h, fake[h]!.nginx] as const)].flatMap(([name, n]) => {
  const read = (file: string) => { try { return readFileSync(join(n.logDir, file), 'utf8').split('\n'); } catch { return []; } };
  const slow = read('access.log').filter((l) => /^\S+ 5\d\d /.test(l) || Number(l.split(' ')[2]) >= 1);
  return [...read('error.log').filter((l) => l.includes('[error]')), ...slow].slice(-20).map((l) => `${name} nginx: ${l}`);
}).join('\n');

const handledTwice = () => {
  const ids = existsSync(handledLog) ? readFileSync(handledLog, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]) : [];
  return ids.filter((id, i) => ids.indexOf(id) !== i);
};

beforeAll(async () => {
  try {
    [redis, api, balancer] = await Promise.all([startRedis(), startMock(), startNginx(join(tmp, 'balancer'))]);
    for (const h of names) {
      const [sshd, nginx] = await Promise.all([startSshd(join(tmp, h, 'ssh'), { good: '' }), startNginx(join(tmp, h, 'nginx'))]);
      fake[h] = { sshd, nginx, base: join(tmp, h, 'srv'), appPort: await freePort(), httpPort: await freePort() };
    }
    lbPort = await freePort();
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"1.0.0"}\n');
    const common = `WECHAT_TOKEN=${TOKEN}\nWECHAT_APP_ID=${api.mock.appId}\nWECHAT_APP_SECRET=${api.mock.appSecret}\nWECHAT_API_BASE=${api.url}\n`;
    writeFileSync(join(project, '.env.noredis'), common);
    writeFileSync(join(project, '.env.production'), `${common}REDIS_URL=${redis.url}\nWXMP_WORKERS=1\n`);
    execFileSync('git', ['init', '-q'], { cwd: project });
    execFileSync('git', ['add', 'package.json'], { cwd: project });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: project });
    env = {
      DEPLOY_HOST: names.map((h) => entry(h)).join(','), DEPLOY_USER: userInfo().username, DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_SERVICE: 'none',
      DEPLOY_HEALTH_TIMEOUT_MS: '30000', DEPLOY_KEEP: '4',
      // The dev tunnel goes through the second host, by name.
      DEPLOY_DEV_DOMAIN: DEV_DOMAIN, DEPLOY_DEV_HOST: `127.0.0.1:${fake.b!.sshd.port}`, DEPLOY_DEV_PORT: String(await freePort()),
    };
    hosts = parseDeployHosts(env).hosts;
  } catch (error) {
    failure = error;
  }
}, 120_000);

// A missing service (sshd, nginx, redis-server) fails every test here, never skips it.
beforeEach(() => {
  if (failure) throw failure;
});

afterAll(async () => {
  const pids = names.flatMap((h) => {
    try { return [Number(readFileSync(join(fake[h]!.base, 'run', 'supervisor.pid'), 'utf8'))]; } catch { return []; }
  });
  for (const pid of pids) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  await Promise.all([balancer?.stop(), redis?.stop(), api?.close(), ...names.flatMap((h) => [fake[h]?.nginx.stop(), fake[h]?.sshd.stop()])]);
  execFileSync('sleep', ['0.5']);
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('deploy to two hosts behind a load balancer, sharing Redis', { timeout: 180_000 }, () => {
  it('reads DEPLOY_HOST as a list with per-host settings, and names hosts apart', () => {
    expect(hosts.map((h) => h.name)).toEqual(names.map((h) => `127.0.0.1:${fake[h]!.sshd.port}`));
    expect(hosts.map((h) => h.config.path)).toEqual(names.map((h) => fake[h]!.base));
    expect(hosts[1]!.config.appPort).toBe(fake.b!.appPort);
    // DEPLOY_DEV_HOST names b: only b's settings carry the dev domain.
    expect(hosts.map((h) => h.config.devDomain)).toEqual([undefined, DEV_DOMAIN]);
  });

  it('setup prepares every host; without REDIS_URL in the .env it says why, and deploy refuses before changing anything', async () => {
    const out = buffer();
    await expect(deployCommand(['setup', '--env', join(project, '.env.noredis')], { env, cwd: project, out })).rejects.toThrow(/^host 127\.0\.0\.1:\d+: REDIS_URL is not set in .*shared\/\.env: with several servers, a WeChat retry can land on another server and must still be answered once, and all servers must share one access_token/);
    for (const h of names) expect(out.text()).toContain(`── 127.0.0.1:${fake[h]!.sshd.port}\n`);
    expect(out.text().match(/✓ nginx .*nginx -t ok, reloaded/g)).toHaveLength(2);
    expect(out.text().match(/dev tunnel dev\.test\.local/g)).toHaveLength(1);
    expect(existsSync(join(fake.a!.nginx.confDir, 'wxmp-dev.conf'))).toBe(false);
    expect(readFileSync(join(fake.b!.nginx.confDir, 'wxmp-dev.conf'), 'utf8')).toContain(`server_name ${DEV_DOMAIN};`);
    const refused = await fleetDeploy({ hosts, cwd: project, bot: writeBot('bot-v1', 'v1: '), out: buffer() }).then(() => undefined, (e: unknown) => e);
    expect(isWxmpError(refused) && refused.code).toBe('DEPLOY_REDIS');
    expect((refused as Error).message).toMatch(/^REDIS_URL is not set in the server's \.env on 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+: with several servers, .*; nothing was changed$/);
    for (const h of names) {
      expect(readdirSync(join(fake[h]!.base, 'releases'))).toEqual([]);
      expect(existsSync(join(fake[h]!.base, 'run', 'deploy.lock'))).toBe(false);
    }
    // With REDIS_URL: setup checks that every host reaches it.
    const again = buffer();
    expect(await deployCommand(['setup', '--env', join(project, '.env.production')], { env, cwd: project, out: again })).toBe(0);
    expect(again.text()).toMatch(/✓ redis .*every host reaches REDIS_URL \(PONG: 127\.0\.0\.1:\d+ \d+ ms, 127\.0\.0\.1:\d+ \d+ ms\)/);
    expect(again.text()).not.toContain(api.mock.appSecret);
  });

  it('the balancer config that `wxmp deploy balancer` prints serves both hosts through a real nginx', async () => {
    const out = buffer();
    expect(await deployCommand(['balancer', '--listen', `127.0.0.1:${lbPort}`], { env, cwd: project, out })).toBe(0);
    for (const h of names) expect(out.text()).toContain(`server 127.0.0.1:${fake[h]!.httpPort} max_fails=2 fail_timeout=5s;`);
    writeFileSync(join(balancer.confDir, 'balancer.conf'), out.text());
    execFileSync('sh', ['-c', `${balancer.command} -t 2>&1 && ${balancer.command} -s reload`]);
    // Nothing is deployed yet: once reloaded, the balancer answers from the hosts' nginx (502 from their empty app port).
    const status = () => new Promise<number>((resolve) => request({ host: '127.0.0.1', port: lbPort, path: '/healthz', timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', () => resolve(0)).end());
    await expect.poll(status, { timeout: 10_000, interval: 50 }).toBe(502);
  });

  it('the first deploy builds once, uploads to both in parallel, switches host by host', async () => {
    const out = buffer();
    const release = await fleetDeploy({ hosts, cwd: project, bot: writeBot('bot-v1', 'v1: '), out });
    const [a, b] = hosts.map((h) => h.name);
    expect(out.text()).toMatch(new RegExp(`✓ bundle .*once for 2 hosts\\n✓ connect .*2 hosts ready.*\\n✓ upload .*2 hosts in parallel.*\\n✓ switch ${a} .*healthy\\n✓ switch ${b} .*healthy\\n✓ prune .*\\ndeployed ${release} to 2 hosts`));
    for (const h of names) expect(current(h)).toBe(release);
    expect(replyText((await sendText(lbPort, 'hello')).body)).toBe('v1: hello');
  });

  it('a rolling deploy under load through the balancer: 0 failed, 0 handled twice, new code on both, one token fetch', async () => {
    const load = startLoad(lbPort, LOAD);
    await load.settled();
    await fleetDeploy({ hosts, cwd: project, bot: writeBot('bot-v2', 'v2: '), out: buffer() });
    await load.settled();
    const result = await load.stop();
    expect(result.failures, nginxTrouble()).toEqual([]);
    expect(result.sent).toBeGreaterThan(50);
    expect(result.replies).toEqual(['v1: load', 'v2: load']);
    expect(handledTwice()).toEqual([]);
    // Both hosts handled traffic, and both now run the new code.
    const log = readFileSync(handledLog, 'utf8');
    for (const h of names) {
      expect(log).toContain(fake[h]!.base);
      expect(replyText((await sendText(fake[h]!.httpPort, 'direct')).body)).toBe('v2: direct');
    }
    // Every worker of both hosts, across two releases, used the one token in Redis.
    expect(api.mock.tokenFetches()).toBe(1);
  });

  it('a retry storm split across the two hosts: the handler runs once, every copy gets the same reply', async () => {
    const xml = envelope('<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[storm]]></Content><MsgId>7777777777777777777</MsgId>', 'oStorm');
    const { url, body } = wechatPost(xml, 'plaintext');
    const post = (port: number) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: url, method: 'POST', timeout: 5000, headers: { 'content-type': 'text/xml', host: 'wx.test.local' } }, (res) => {
        let data = '';
        res.on('data', (d) => { data += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(fake[names[i % 2]!]!.httpPort)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(replyText(answers[0]!.body)).toBe('v2: storm');
    expect(readFileSync(handledLog, 'utf8').split('\n').filter((l) => l.startsWith('7777777777777777777 '))).toHaveLength(1);
  });

  it('the first host failing its health check stops the rollout: the other host keeps the old release, status says so', async () => {
    const before = current('a');
    const bot = writeBot('bot-broken-a', 'v3: ', `if (process.cwd().startsWith(${JSON.stringify(fake.a!.base)})) throw new Error('host a cannot start');`);
    const load = startLoad(lbPort, LOAD);
    const error = await fleetDeploy({ hosts, cwd: project, bot, out: buffer() }).then(() => undefined, (e: unknown) => e);
    const result = await load.stop();
    expect(isWxmpError(error) && error.code).toBe('DEPLOY_HEALTH');
    const [a, b] = hosts.map((h) => h.name);
    expect((error as Error).message).toMatch(new RegExp(`^host ${a}: release \\S+ failed its health check: [\\s\\S]*host a cannot start[\\s\\S]*\\nrollout stopped: ${a}, ${b} run ${before}$`));
    expect(result.failed).toBe(0);
    expect(result.replies).toEqual(['v2: load']);
    for (const h of names) {
      expect(current(h)).toBe(before);
      expect(readdirSync(join(fake[h]!.base, 'releases'))).toHaveLength(2);
      expect(existsSync(join(fake[h]!.base, 'run', 'deploy.lock'))).toBe(false);
    }
    const out = buffer();
    await fleetStatus({ hosts, out });
    expect(out.text()).toMatch(new RegExp(`^${a}  ${before}  commit [0-9a-f]{7,}  workers [1-9]\\d*  healthy\\n${b}  ${before}  commit [0-9a-f]{7,}  workers [1-9]\\d*  healthy\\n$`));
  });

  it('the second host failing: the first runs the new release, the second the old one, and status says which', async () => {
    const before = current('b');
    const bot = writeBot('bot-broken-b', 'v3: ', `if (process.cwd().startsWith(${JSON.stringify(fake.b!.base)})) throw new Error('host b cannot start');`);
    const error = await fleetDeploy({ hosts, cwd: project, bot, out: buffer() }).then(() => undefined, (e: unknown) => e);
    const [a, b] = hosts.map((h) => h.name);
    const after = current('a');
    expect(after).not.toBe(before);
    expect(current('b')).toBe(before);
    expect((error as Error).message).toMatch(new RegExp(`^host ${b}: release ${after} failed its health check[\\s\\S]*\\nrollout stopped: ${a} runs ${after}; ${b} runs ${before}; \`wxmp deploy rollback\` puts the switched hosts back$`));
    const out = buffer();
    expect(await deployCommand(['status'], { env, cwd: project, out })).toBe(0);
    expect(out.text()).toMatch(new RegExp(`^${a}  ${after}  commit .*  healthy\\n${b}  ${before}  commit .*  healthy\\nhosts differ: ${a} runs ${after}; ${b} runs ${before}\\n$`));
    expect(replyText((await sendText(fake.a!.httpPort, 'x')).body)).toBe('v3: x');
    expect(replyText((await sendText(fake.b!.httpPort, 'x')).body)).toBe('v2: x');
  });

  it('rollback across both: the switched host goes back first, then both to the release before, under load with 0 failed', async () => {
    const v2 = current('b');
    const out = buffer();
    expect(await fleetRollback({ hosts, out })).toBe(v2);
    expect(current('a')).toBe(v2);
    expect(out.text()).toMatch(/✓ rollback 127\.0\.0\.1:\d+ .* is current again/);
    expect(out.text().match(/✓ rollback/g)).toHaveLength(1);
    const load = startLoad(lbPort, LOAD);
    await load.settled();
    const back = await fleetRollback({ hosts, out });
    await load.settled();
    const result = await load.stop();
    expect(result.failures, nginxTrouble()).toEqual([]);
    expect(result.replies).toEqual(['v2: load', 'v1: load']);
    for (const h of names) expect(current(h)).toBe(back);
    expect(handledTwice()).toEqual([]);
  });

  it('logs merges both hosts in time order, each line prefixed with its host; -f follows both', async () => {
    await sendText(fake.a!.httpPort, 'from-a');
    await sendText(fake.b!.httpPort, 'from-b');
    const out = buffer();
    await fleetLogs({ hosts, lines: 3, out });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(6);
    const [a, b] = hosts.map((h) => h.name);
    expect(lines.at(-2)).toMatch(new RegExp(`^${a} \\| \\d\\d:\\d\\d:\\d\\d POST / 200 .*text "from-a" → text "v1: from-a"$`));
    expect(lines.at(-1)).toMatch(new RegExp(`^${b} \\| \\d\\d:\\d\\d:\\d\\d POST / 200 .*text "from-b" → text "v1: from-b"$`));
    const follow = buffer();
    const stop = new AbortController();
    // Handled from the start: a follow that fails fails this test (with its reason), never as an unhandled rejection.
    let failed: unknown;
    let ended = false;
    const following = fleetLogs({ hosts, lines: 1, follow: true, out: follow, signal: stop.signal }).catch((e: unknown) => { failed = e; }).finally(() => { ended = true; });
    // Polls up to 30 s (each host's follow is an ssh session, slow to start on a loaded machine), or until the follow ends.
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 600 && !check() && !ended; i++) await new Promise((r) => setTimeout(r, 50));
      return check();
    };
    try {
      expect(await until(() => follow.text().includes('"from-a"') && follow.text().includes('"from-b"')), String(failed ?? follow.text())).toBe(true);
      await sendText(fake.b!.httpPort, 'followed-b');
      await sendText(fake.a!.httpPort, 'followed-a');
      expect(await until(() => follow.text().includes(`${b} | `) && /followed-a/.test(follow.text()) && /followed-b/.test(follow.text())), String(failed ?? follow.text())).toBe(true);
      expect(follow.text()).toMatch(new RegExp(`^${a} \\| .*"followed-a"`, 'm'));
      expect(ended).toBe(false);
    } finally {
      stop.abort();
      await following;
    }
    expect(failed).toBeUndefined();
  });

  it('npm run dev tunnels through the host DEPLOY_DEV_HOST names (b), whose nginx alone serves the dev domain', async () => {
    const local = createHttpServer((req, res) => res.end(`dev machine: ${req.url}`));
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const route = chooseTunnel({ ...env, TUNNEL: 'ssh' }, project);
    expect(route).toMatchObject({ kind: 'ssh', deploy: { sshPort: fake.b!.sshd.port, path: fake.b!.base } });
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const tunnel = openTunnel(route, { localPort: (local.address() as { port: number }).port, cwd: project, logger, onUrl: () => undefined, timings: { maxBackoffMs: 500 } })!;
    const get = (port: number) => new Promise<string>((resolve) => {
      request({ host: '127.0.0.1', port, path: '/x', timeout: 3000, headers: { host: DEV_DOMAIN } }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      }).on('error', (e) => resolve(e.message)).end();
    });
    try {
      await tunnel.start();
      await expect.poll(() => get(fake.b!.httpPort), { timeout: 30_000, interval: 100, message: lines.join('\n') }).toBe('200 dev machine: /x');
      expect(lines.join('\n')).toMatch(new RegExp(`ssh tunnel connected: .*127\\.0\\.0\\.1 port ${env.DEPLOY_DEV_PORT}`));
      // Host a has no dev block: the dev name there falls to production's server block, never to the tunnel.
      expect(await get(fake.a!.httpPort)).not.toContain('dev machine');
    } finally {
      await tunnel.close();
      local.close();
    }
  });

  it('DEPLOY_ROLLING_LIMIT=2 switches both hosts in one step, under load through the balancer: 0 failed, 0 handled twice', async () => {
    // Rolled back above: both run v1.
    expect(current('b')).toBe(current('a'));
    const out = buffer();
    const load = startLoad(lbPort, LOAD);
    await load.settled();
    expect(await deployCommand([], { env: { ...env, DEPLOY_ROLLING_LIMIT: '2', WXMP_BOT: writeBot('bot-v5', 'v5: ') }, cwd: project, out })).toBe(0);
    await load.settled();
    const result = await load.stop();
    const [a, b] = hosts.map((h) => h.name);
    const release = /^deployed (\S+) to 2 hosts/m.exec(out.text())?.[1];
    expect(out.text()).toMatch(new RegExp(`\n✓ upload .*\n✓ switch ${a}, ${b} .*healthy\n✓ prune `));
    for (const h of names) expect(current(h)).toBe(release);
    expect(result.failures, nginxTrouble()).toEqual([]);
    expect(result.replies).toEqual(['v1: load', 'v5: load']);
    expect(handledTwice()).toEqual([]);
  });

  it('Ctrl-C while the first host switches: that switch completes, the rollout stops, the output says who runs what', async () => {
    const before = current('b');
    // Host a's new release takes 1.5 s more to start, so the interrupt surely lands during its switch.
    const bot = writeBot('bot-v6', 'v6: ', `if (process.cwd().startsWith(${JSON.stringify(fake.a!.base)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);`);
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches the CLI and everything it started in that group.
    const child = spawn(process.execPath, [join(root, 'bin', 'wxmp.js'), 'deploy'], { cwd: project, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, WXMP_BOT: bot }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    child.stdout!.on('data', (d) => { said += d; });
    child.stderr!.on('data', (d) => { said += d; });
    const [a, b] = hosts.map((h) => h.name);
    try {
      await expect.poll(() => said, { timeout: 60_000, interval: 25 }).toMatch(/✓ upload/);
      process.kill(-child.pid!, 'SIGINT');
      // 'close', not 'exit': the last lines may still be in the pipes when the process has exited.
      const code = await new Promise((resolve) => child.once('close', resolve));
      const release = /^deploy (\S+) /m.exec(said)?.[1];
      expect(said, said).toContain(`interrupted: finishing the switch of ${a} so that no host is left half-switched`);
      expect(said, said).toMatch(new RegExp(`✓ switch ${a} .*healthy\n`));
      expect(said, said).toContain(`wxmp deploy: interrupted by Ctrl-C\nrollout stopped: ${a} runs ${release}; ${b} runs ${before}; \`wxmp deploy rollback\` puts the switched hosts back\n`);
      expect(said, said).not.toContain(`switch ${b}`);
      expect(code, said).toBe(1);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    expect(current('a')).not.toBe(before);
    expect(current('b')).toBe(before);
    expect(replyText((await sendText(fake.a!.httpPort, 'x')).body)).toBe('v6: x');
    expect(replyText((await sendText(fake.b!.httpPort, 'x')).body)).toBe('v5: x');
    for (const h of names) expect(existsSync(join(fake[h]!.base, 'run', 'deploy.lock'))).toBe(false);
    expect(readdirSync(join(fake.b!.base, 'releases'))).not.toContain(current('a'));
  });

  it('unreachable hosts fail fast, all named at once, before anything is built; nothing changes on the others', async () => {
    const closed = await freePort();
    // A host that takes the TCP connection and never speaks (a hung sshd, or a middlebox swallowing the session).
    const silent = createServer(() => undefined);
    const silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    const down = parseDeployHosts({ ...env, DEPLOY_DEV_HOST: '', DEPLOY_CONNECT_TIMEOUT_MS: '1000', DEPLOY_HOST: [entry('a'), entry('b', closed), entry('b', silentPort)].join(',') }).hosts;
    const releases = readdirSync(join(fake.a!.base, 'releases')).sort();
    const before = current('a');
    const out = buffer();
    const error = await fleetDeploy({ hosts: down, cwd: project, bot: writeBot('bot-v4', 'v4: '), out }).then(() => undefined, (e: unknown) => e).finally(() => silent.close());
    expect(isWxmpError(error) && error.code).toBe('DEPLOY_SSH');
    expect((error as Error).message).toMatch(new RegExp(`^host 127\\.0\\.0\\.1:${closed}: cannot reach .*@127\\.0\\.0\\.1:${closed} \\(Connection refused\\)\n`
      + `host 127\\.0\\.0\\.1:${silentPort}: cannot reach .*\\(the TCP connection opened but no ssh greeting came within 1000 ms .*\\)\n`
      + 'Check DEPLOY_HOST and DEPLOY_SSH_PORT, .*DEPLOY_CONNECT_TIMEOUT_MS.*; nothing was changed$'));
    expect(out.text()).not.toContain('bundle');
    expect(readdirSync(join(fake.a!.base, 'releases')).sort()).toEqual(releases);
    expect(current('a')).toBe(before);
    expect(existsSync(join(fake.a!.base, 'run', 'deploy.lock'))).toBe(false);
    const refused = parseDeployHosts({ ...env, DEPLOY_DEV_HOST: '', DEPLOY_HOST: [entry('a'), entry('b', closed)].join(',') }).hosts;
    const status = await fleetStatus({ hosts: refused, out: buffer() }).then(() => undefined, (e: unknown) => e);
    expect((status as Error).message).toMatch(new RegExp(`^host 127\\.0\\.0\\.1:${closed}: cannot reach`));
  });
});
