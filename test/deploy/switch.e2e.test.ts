/**
 * The switch between releases, for real (sshd + rsync + nginx on loopback),
 * with keep-alive load through nginx and a bot whose handler takes 50 ms, on
 * two workers per release: after `deploy` and `rollback` return, no reply comes
 * from the retired release and no message was handled twice; a worker stuck
 * for good is still ended after WXMP_RETIRE_TIMEOUT_MS.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployConfig, type DeployConfig } from '../../src/deploy/config.js';
import { deploy } from '../../src/deploy/deploy.js';
import { rollback } from '../../src/deploy/manage.js';
import { setup } from '../../src/deploy/setup.js';
import { TOKEN } from '../helpers/wechat-request.js';
import { replyText, sendText, startLoad, type LoadResult } from './support/load.js';
import { freePort, startNginx, startSshd, type Nginx, type Sshd } from './support/servers.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-switch-'));
const base = join(tmp, 'server', 'app');
const project = join(tmp, 'project');
const handled = join(tmp, 'handled.txt');
const quiet = { write() {} };
let sshd: Sshd;
let nginx: Nginx;
let httpPort: number;
let appPort: number;
let config: DeployConfig;

/** A bot tagged `tag`: 50 ms per message, each handled MsgId recorded; "stuck" blocks its worker for good. */
function bot(tag: string): string {
  const file = join(project, `bot-${tag}.ts`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';
import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
export default createRouter().on('text', async (m) => {
  if (m.content === 'stuck') {
    appendFileSync(${JSON.stringify(handled)}, 'stuck ' + process.pid + '\\n');
    // A handler that never returns, blocking its worker (without spinning: no CPU taken from the rest of the suite).
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  }
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(${JSON.stringify(handled)}, m.msgId + ' ${tag}\\n');
  return '${tag}: ' + m.content;
});
`);
  return file;
}

function handledTwice(): string[] {
  const seen = new Map<string, number>();
  for (const line of readFileSync(handled, 'utf8').split('\n')) {
    const [id] = line.split(' ');
    if (id && id !== 'stuck') seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Deploys (or rolls back) under load; what the load saw, and when the command returned. */
async function underLoad(action: () => Promise<unknown>): Promise<{ result: LoadResult; returnedAt: number }> {
  const load = startLoad(httpPort, { gapMs: 0 });
  await load.settled(8);
  await action();
  const returnedAt = Date.now();
  // Answers after the command returned: any from the retired release would fail the test.
  await load.settled(16);
  return { result: await load.stop(), returnedAt };
}

beforeAll(async () => {
  sshd = await startSshd(join(tmp, 'ssh'), { good: '' });
  nginx = await startNginx(join(tmp, 'nginx'));
  httpPort = await freePort();
  appPort = await freePort();
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"1.0.0"}\n');
  writeFileSync(join(project, '.env.production'), `WECHAT_TOKEN=${TOKEN}\nWXMP_WORKERS=2\nWXMP_RETIRE_TIMEOUT_MS=3000\n`);
  writeFileSync(handled, '');
  config = parseDeployConfig({
    DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: userInfo().username, DEPLOY_SSH_PORT: String(sshd.port), DEPLOY_SSH_KEY: sshd.keys.good,
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts, DEPLOY_PATH: base, DEPLOY_DOMAIN: 'wx.test.local', DEPLOY_APP_PORT: String(appPort),
    DEPLOY_HTTP_LISTEN: `127.0.0.1:${httpPort}`, DEPLOY_SERVICE: 'none', DEPLOY_NGINX: nginx.command, DEPLOY_NGINX_CONF_DIR: nginx.confDir,
    DEPLOY_HEALTH_TIMEOUT_MS: '20000',
  });
  await setup({ config, envFile: join(project, '.env.production'), out: quiet });
  await deploy({ config, cwd: project, bot: bot('v1'), out: quiet });
}, 240_000);

afterAll(async () => {
  try { process.kill(Number(readFileSync(join(base, 'run', 'supervisor.pid'), 'utf8')), 'SIGTERM'); } catch { /* gone */ }
  await Promise.all([nginx?.stop(), sshd?.stop()]);
  execFileSync('sleep', ['0.5']);
  rmSync(tmp, { recursive: true, force: true });
});

describe('the switch between releases, under keep-alive load through nginx', { timeout: 240_000 }, () => {
  it('deploy: 0 failed, no reply from the retired release once the command returned, nothing handled twice', async () => {
    const { result, returnedAt } = await underLoad(() => deploy({ config, cwd: project, bot: bot('v2'), out: quiet }));
    expect(result.failures).toEqual([]);
    expect(result.sent).toBeGreaterThan(20);
    expect(result.replies).toEqual(['v1: load', 'v2: load']);
    expect(result.log.filter((r) => r.at > returnedAt && r.text !== 'v2: load')).toEqual([]);
    expect(handledTwice()).toEqual([]);
  });

  it('rollback: the same', async () => {
    const { result, returnedAt } = await underLoad(() => rollback({ config, out: quiet }));
    expect(result.failures).toEqual([]);
    expect(result.replies).toEqual(['v2: load', 'v1: load']);
    expect(result.log.filter((r) => r.at > returnedAt && r.text !== 'v1: load')).toEqual([]);
    expect(handledTwice()).toEqual([]);
  });

  it('a worker stuck for good is ended after WXMP_RETIRE_TIMEOUT_MS, and the deploy then completes', async () => {
    // Straight to the app port: nginx would give up after 5 s and retry nothing (it was sent).
    void sendText(appPort, 'stuck').catch(() => undefined);
    let pid = 0;
    for (let i = 0; i < 200 && !pid; i++) {
      pid = Number(/stuck (\d+)/.exec(readFileSync(handled, 'utf8'))?.[1] ?? 0);
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeGreaterThan(0);
    const alive = (p: number) => { try { process.kill(p, 0); return true; } catch { return false; } };
    expect(alive(pid)).toBe(true);
    await deploy({ config, cwd: project, bot: bot('v3'), out: quiet });
    // The command returns once the old release is gone: the stuck worker was killed at the limit.
    expect(alive(pid)).toBe(false);
    expect(readFileSync(join(base, 'shared', 'logs', 'supervisor.log'), 'utf8')).toMatch(/killed after 3 s/);
    expect(replyText((await sendText(httpPort, 'after')).body)).toBe('v3: after');
  });
});
