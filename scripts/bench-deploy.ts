/**
 * `npm run bench:deploy`: what a deploy costs the traffic, on loopback with
 * real sshd, rsync and nginx. Under continuous keep-alive load through nginx
 * (4 loops, a request every 5 ms each) with a bot whose handler takes 50 ms, it
 * runs ROUNDS full `wxmp deploy`s (health-gated switch of all workers) and, as
 * the baseline in the same run, ROUNDS plain restarts of the same bundle (stop
 * the process, start the new one, wait for /healthz). Prints deploy durations,
 * failed requests, replies from the retired release after the command
 * returned, and messages handled twice.
 *
 * Then two hosts (a second sshd with its own folder, app port and nginx, one
 * Redis, a balancer nginx with what `wxmp deploy balancer` prints): under load
 * through the balancer it alternates ROUNDS one-host deploys (host a alone) and
 * ROUNDS two-host rolling deploys, and prints both durations, their ratio,
 * failed requests and messages handled twice.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { nginxBalancerBlock } from '../src/deploy/balancer.js';
import { parseDeployConfig } from '../src/deploy/config.js';
import { deploy } from '../src/deploy/deploy.js';
import { fleetDeploy } from '../src/deploy/fleet.js';
import { fleetSetup } from '../src/deploy/fleet-manage.js';
import { parseDeployHosts } from '../src/deploy/hosts.js';
import { setup } from '../src/deploy/setup.js';
import { startRedis, type RunningRedis } from '../test/api/support/redis-server.js';
import { startLoad, type LoadResult } from '../test/deploy/support/load.js';
import { freePort, startNginx, startSshd } from '../test/deploy/support/servers.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-bench-deploy-'));
const base = join(tmp, 'server');
const project = join(tmp, 'project');
const quiet = { write() {} };
const children: ChildProcess[] = [];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handled = join(tmp, 'handled.txt');

/** Release n's bot: 50 ms per message, each handled MsgId recorded. */
function bot(n: number): string {
  const file = join(project, `bot-${n}.ts`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';
import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
export default createRouter().on('text', async (m) => {
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(${JSON.stringify(handled)}, m.msgId + '\\n');
  return 'v${n}: ' + m.content;
});
`);
  return file;
}

function handledTwice(): number {
  const seen = new Set<string>();
  let twice = 0;
  for (const id of readFileSync(handled, 'utf8').split('\n')) {
    if (!id) continue;
    if (seen.has(id)) twice++;
    seen.add(id);
  }
  return twice;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}

function summary(name: string, durations: number[], load: LoadResult, extra = ''): string {
  return `${name.padEnd(24)} median ${(median(durations) / 1000).toFixed(2)} s (${durations.map((d) => (d / 1000).toFixed(2)).join(', ')})  failed ${load.failed}/${load.sent} requests${extra}`;
}

const sshd = await startSshd(join(tmp, 'ssh'), { good: '' });
const nginx = await startNginx(join(tmp, 'nginx'));
const extra: { stop(): Promise<void> }[] = [];
const hostBases: string[] = [];
let redis: RunningRedis | undefined;
try {
  const httpPort = await freePort();
  const appPort = await freePort();
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"bench","version":"1.0.0"}\n');
  writeFileSync(join(project, '.env.production'), 'WECHAT_TOKEN=testtoken123\n');
  writeFileSync(handled, '');
  const config = parseDeployConfig({
    DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: userInfo().username, DEPLOY_SSH_PORT: String(sshd.port), DEPLOY_SSH_KEY: sshd.keys.good!,
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts, DEPLOY_PATH: base, DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_APP_PORT: String(appPort),
    DEPLOY_HTTP_LISTEN: `127.0.0.1:${httpPort}`, DEPLOY_SERVICE: 'none', DEPLOY_NGINX: nginx.command, DEPLOY_NGINX_CONF_DIR: nginx.confDir,
  });
  await setup({ config, envFile: join(project, '.env.production'), out: quiet });
  await deploy({ config, cwd: project, bot: bot(0), out: quiet });
  if (process.env.BENCH_VERBOSE) await deploy({ config, cwd: project, bot: bot(0), out: process.stdout });

  // wxmp deploy: health-gated reload of the one-worker cluster supervisor.
  const wxmpDurations: number[] = [];
  const returned: number[] = [];
  let load = startLoad(httpPort);
  await sleep(500);
  for (let i = 1; i <= ROUNDS; i++) {
    const t = performance.now();
    await deploy({ config, cwd: project, bot: bot(i), out: quiet });
    returned.push(Date.now());
    wxmpDurations.push(performance.now() - t);
    await sleep(500);
  }
  const wxmpLoad = await load.stop();
  // A reply from release i-1 (or older) that arrived after deploy i returned.
  const fromOld = wxmpLoad.log.filter((r) => {
    const v = Number(/^v(\d+):/.exec(r.text)?.[1] ?? NaN);
    const live = returned.filter((at) => at < r.at).length;
    return live > 0 && v < live;
  }).length;
  const twice = handledTwice();

  // Baseline: the same bundle restarted in place, as a plain `node server.mjs`.
  process.kill(Number(readFileSync(join(base, 'run', 'supervisor.pid'), 'utf8')), 'SIGTERM');
  await sleep(1000);
  const releaseDir = join(base, readlinkSync(join(base, 'current')));
  const startPlain = () => {
    const child = spawn(process.execPath, ['server.mjs'], { cwd: releaseDir, env: { ...process.env, PORT: String(appPort), HOST: '127.0.0.1', WXMP_LOG_DIR: join(tmp, 'plain-logs') }, stdio: 'ignore' });
    children.push(child);
    return child;
  };
  let plain = startPlain();
  while (!(await healthy(appPort))) await sleep(20);
  const plainDurations: number[] = [];
  load = startLoad(httpPort);
  await sleep(500);
  for (let i = 1; i <= ROUNDS; i++) {
    const t = performance.now();
    const exited = new Promise((r) => plain.once('exit', r));
    plain.kill('SIGTERM');
    await exited;
    plain = startPlain();
    while (!(await healthy(appPort))) await sleep(10);
    plainDurations.push(performance.now() - t);
    await sleep(500);
  }
  const plainLoad = await load.stop();
  plain.kill('SIGTERM');

  console.log(`deploy under load through nginx, ${ROUNDS} rounds each, same run:`);
  console.log(summary('wxmp deploy (full)', wxmpDurations, wxmpLoad, `, ${fromOld} answered by the retired release after the command returned, ${twice} handled twice`));
  console.log(summary('plain restart (baseline)', plainDurations, plainLoad));
  console.log('(the wxmp figure is a whole deploy: bundle, ssh, rsync, health check, switch, old release drained; the baseline is only the restart)');
  console.log('before this switch (issue 13, same setup): the retired release answered for ~9.4 s after the command returned (301–1,179 requests), then was SIGKILLed; 1–8 messages per deploy handled twice');
  // Two hosts behind a balancer, sharing Redis.
  redis = await startRedis();
  writeFileSync(join(project, '.env.production'), `WECHAT_TOKEN=testtoken123\nREDIS_URL=${redis.url}\n`);
  const sshdB = await startSshd(join(tmp, 'ssh-b'), { good: '' });
  const [nginxA, nginxB, lb] = await Promise.all([startNginx(join(tmp, 'nginx-a')), startNginx(join(tmp, 'nginx-b')), startNginx(join(tmp, 'nginx-lb'))]);
  extra.push(sshdB, nginxA, nginxB, lb);
  const hostEntry = async (port: number, keys: { key: string; knownHosts: string }, name: string, nginxHost: typeof nginxA) => `127.0.0.1:${port}?${new URLSearchParams({
    path: join(tmp, name), app_port: String(await freePort()), http_listen: `127.0.0.1:${await freePort()}`, nginx: nginxHost.command, nginx_conf_dir: nginxHost.confDir, ssh_key: keys.key, ssh_known_hosts: keys.knownHosts,
  })}`;
  const env = {
    DEPLOY_HOST: [
      await hostEntry(sshd.port, { key: sshd.keys.good!, knownHosts: sshd.knownHosts }, 'host-a', nginxA),
      await hostEntry(sshdB.port, { key: sshdB.keys.good!, knownHosts: sshdB.knownHosts }, 'host-b', nginxB),
    ].join(','),
    DEPLOY_USER: userInfo().username, DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_SERVICE: 'none',
  };
  const { hosts } = parseDeployHosts(env);
  hostBases.push(...hosts.map((h) => h.config.path));
  await fleetSetup({ hosts, envFile: join(project, '.env.production'), out: quiet });
  const lbPort = await freePort();
  writeFileSync(join(lb.confDir, 'lb.conf'), nginxBalancerBlock(hosts, { listen: `127.0.0.1:${lbPort}` }));
  execFileSync('sh', ['-c', `${lb.command} -s reload`]);
  await fleetDeploy({ hosts, cwd: project, bot: bot(100), out: quiet });
  const twiceBefore = handledTwice();
  const oneHost: number[] = [];
  const twoHosts: number[] = [];
  load = startLoad(lbPort);
  await sleep(500);
  for (let i = 1; i <= ROUNDS; i++) {
    let t = performance.now();
    await deploy({ config: hosts[0]!.config, cwd: project, bot: bot(100 + 2 * i - 1), out: quiet });
    oneHost.push(performance.now() - t);
    await sleep(500);
    t = performance.now();
    await fleetDeploy({ hosts, cwd: project, bot: bot(100 + 2 * i), out: quiet });
    twoHosts.push(performance.now() - t);
    await sleep(500);
  }
  const fleetLoad = await load.stop();
  console.log(`\ntwo hosts behind an nginx balancer, sharing Redis, ${ROUNDS} rounds each, alternating, same run, one load through the balancer:`);
  console.log(`${'one host (a alone)'.padEnd(24)} median ${(median(oneHost) / 1000).toFixed(2)} s (${oneHost.map((d) => (d / 1000).toFixed(2)).join(', ')})`);
  console.log(`${'two hosts, rolling'.padEnd(24)} median ${(median(twoHosts) / 1000).toFixed(2)} s (${twoHosts.map((d) => (d / 1000).toFixed(2)).join(', ')})  ratio ${(median(twoHosts) / median(oneHost)).toFixed(2)}`);
  console.log(`failed ${fleetLoad.failed}/${fleetLoad.sent} requests, ${handledTwice() - twiceBefore} messages handled twice${fleetLoad.failures.length ? ` (${[...new Set(fleetLoad.failures)].slice(0, 3).join('; ')})` : ''}`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const dir of [base, ...hostBases]) {
    try { process.kill(Number(readFileSync(join(dir, 'run', 'supervisor.pid'), 'utf8')), 'SIGTERM'); } catch { /* stopped */ }
  }
  await Promise.all([nginx.stop(), sshd.stop(), ...extra.map((e) => e.stop()), redis?.stop()]);
  await sleep(300);
  rmSync(tmp, { recursive: true, force: true });
}
