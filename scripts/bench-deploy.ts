/**
 * `npm run bench:deploy`: what a deploy costs the traffic, on loopback with
 * real sshd, rsync and nginx. Under continuous keep-alive load through nginx
 * (4 loops, a request every 5 ms each) with a bot whose handler takes 50 ms, it
 * runs ROUNDS full `wxmp deploy`s (health-gated switch of all workers) and, as
 * the baseline in the same run, ROUNDS plain restarts of the same bundle (stop
 * the process, start the new one, wait for /healthz). Prints deploy durations,
 * failed requests, replies from the retired release after the command
 * returned, and messages handled twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseDeployConfig } from '../src/deploy/config.js';
import { deploy } from '../src/deploy/deploy.js';
import { setup } from '../src/deploy/setup.js';
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
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  try { process.kill(Number(readFileSync(join(base, 'run', 'supervisor.pid'), 'utf8')), 'SIGTERM'); } catch { /* stopped */ }
  await Promise.all([nginx.stop(), sshd.stop()]);
  await sleep(300);
  rmSync(tmp, { recursive: true, force: true });
}
