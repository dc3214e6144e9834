/**
 * `npm run bench`: requests/s and p99 latency of the production server exactly
 * as `npm start` runs it (the production bundle under plain node, its primary
 * and WXMP_WORKERS=1 worker, the request log on: JSON lines to a real file, the
 * readable lines on stdout redirected to a real file), each as a ratio to a bare
 * Hono app answering a constant and to the core app (createApp, silent, no
 * request log), all measured in the same run on the same machine. The bare app gets requests of the same shape and size, reads
 * the POST body, as any WeChat endpoint must, and answers a constant. Every POST to
 * wxmp carries a unique MsgId so de-dup never answers from its cache, and every request a
 * fresh signed query (a query seen before is refused as a replay). Any non-2xx answer, error
 * or timeout ends the run with an error and no figures. Load comes from autocannon in this process; each server runs
 * in a process of its own (an esbuild bundle, as deployed), wxmp in a fresh one per scenario.
 *
 * Beside req/s, the CPU time each request cost the server (user + system, of all its processes,
 * from /proc), which the other work on a shared machine moves far less than the rate.
 *
 * BENCH_ROUNDS (default 8) alternating rounds of BENCH_SECONDS (default 2) per side:
 * many short rounds, because this kind of shared VM drifts within seconds;
 * BENCH_VERBOSE=1 prints every round's req/s (baseline/wxmp).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import autocannon from 'autocannon';
import { bundle } from '../src/deploy/bundle.js';
import { MessageCrypto } from '../src/wechat/crypto.js';
import { sign } from '../src/wechat/signature.js';
import { treeCpuMicros } from './bench-cpu.js';

const token = 'benchtoken';
const appId = 'wxbench0000000000';
const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const duration = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const connections = 32;
const crypto = new MessageCrypto({ encodingAESKey: aesKey, appId });

// Both servers run as one esbuild bundle under plain node, the way `npm start`, `npm run deploy` and the
// Docker image ship the server.
const bundleDir = mkdtempSync(join(tmpdir(), 'wxmp-bench-'));
const serverBundle = join(bundleDir, 'bench-server.mjs');
await build({
  entryPoints: [join(import.meta.dirname, 'bench-server.ts')],
  outfile: serverBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies bundled into ESM still call require() for node builtins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The production bundle, built as `npm start` and `npm run deploy` build it, with the same bot.
const prodDir = join(bundleDir, 'production');
await bundle({ outDir: prodDir, release: 'bench', bot: join(import.meta.dirname, 'bench-bot.ts') });
process.on('exit', () => rmSync(bundleDir, { recursive: true, force: true }));

type Kind = 'bare' | 'core' | 'production';
let prodRuns = 0;

/** `node server.mjs` as `npm start` runs it; stdout (its readable request lines) goes to a file. */
async function startProduction(workers: number): Promise<{ port: number; child: ChildProcess }> {
  const dir = join(bundleDir, `run-${prodRuns++}`);
  const out = join(bundleDir, `stdout-${prodRuns}.log`);
  const fd = openSync(out, 'a');
  const child = spawn(process.execPath, [join(prodDir, 'server.mjs')], {
    cwd: prodDir,
    env: { ...process.env, WECHAT_TOKEN: token, WECHAT_ENCODING_AES_KEY: aesKey, WECHAT_APP_ID: appId, PORT: '0', HOST: '127.0.0.1', WXMP_WORKERS: String(workers), WXMP_LOG_DIR: dir, REDIS_URL: '' },
    stdio: ['ignore', fd, 'inherit'],
  });
  closeSync(fd);
  for (let i = 0; i < 600; i++) {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(out, 'utf8'))?.[1];
    if (port) return { port: Number(port), child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the production server did not start: ${readFileSync(out, 'utf8')}`);
}

async function startServer(kind: Kind, workers = 1): Promise<{ port: number; child: ChildProcess }> {
  if (kind === 'production') return startProduction(workers);
  const child = spawn(process.execPath, [serverBundle, kind === 'core' ? 'wxmp' : 'bare'], {
    env: { ...process.env, BENCH_TOKEN: token, BENCH_AES_KEY: aesKey, BENCH_APP_ID: appId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(/READY (\d+)/.exec(String(line))?.[1]);
  if (!port) throw new Error(`bench server did not start: ${String(line)}`);
  return { port, child };
}

const query = (ts: string, nonce: string) => `signature=${sign(token, ts, nonce)}&timestamp=${ts}&nonce=${nonce}`;
const textXml = (id: number) =>
  `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBenchUser]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello ${id}]]></Content><MsgId>${1e15 + id}</MsgId></xml>`;

/**
 * Requests built outside the measured rounds, so the load generator spends no CPU on signing or
 * encryption while it measures. Every request is fresh, as WeChat sends them: a new nonce (the
 * server refuses a signed query seen before as a replay), a timestamp within WECHAT_MAX_CLOCK_SKEW,
 * and for messages a new MsgId (de-dup would answer from its cache). A pool never wraps
 * around: it is topped up before each round for the fastest rate seen so far, and past its end
 * requests are built on the fly, and counted. Topped up, not built once for the whole run: a
 * safe-mode pool for every round would hold hundreds of MB.
 */
class Pool {
  private next = 0;
  /** Requests built during the rounds, past the pre-built ones. */
  extra = 0;
  private items: Req[] = [];
  constructor(private readonly make: () => Req, size: number) {
    this.fill(size);
  }
  /** Builds requests until `size` are unused; between rounds only. */
  fill(size: number): void {
    this.items = this.items.slice(this.next);
    this.next = 0;
    while (this.items.length < size) this.items.push(this.make());
  }
  take(): Req {
    const item = this.items[this.next++];
    if (item) return item;
    this.extra++;
    return this.make();
  }
}
type Req = { path: string; body?: string };

let nonces = 0;
let msgIds = 0;
// Within the 300 s window whatever the run's length: each request reads the clock only through this.
let clock = { at: 0, ts: '' };
const now = () => {
  const ms = Date.now();
  if (ms - clock.at > 10_000) clock = { at: ms, ts: String(Math.floor(ms / 1000)) };
  return clock.ts;
};

/** A GET verification with its own signed query. */
const verification = (): Req => {
  const ts = now();
  return { path: `/?${query(ts, String(nonces++))}&echostr=bench` };
};

const message = (mode: 'plaintext' | 'safe') => (): Req => {
  const ts = now();
  const nonce = String(nonces++);
  const xml = textXml(msgIds++);
  if (mode === 'plaintext') return { path: `/?${query(ts, nonce)}`, body: xml };
  const encrypt = crypto.encrypt(xml);
  return { path: `/?${query(ts, nonce)}&encrypt_type=aes&msg_signature=${sign(token, ts, nonce, encrypt)}`, body: `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
};

/** `cpu`: the server's CPU time per request (all its processes), in µs; NaN without /proc. */
interface Result { rps: number; p99: number; cpu: number }

/** Fails the whole run on any error, timeout or non-2xx answer: a figure with refused requests in it is wrong. */
async function load(server: { port: number; child: ChildProcess }, method: 'GET' | 'POST', pool: Pool, what: string): Promise<Result> {
  const { port } = server;
  const cpuBefore = treeCpuMicros(server.child.pid!);
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [{ method, setupRequest: (req: autocannon.Request) => ({ ...req, ...pool.take() }) }],
  });
  const bad = r.errors + r.timeouts + r.non2xx;
  if (bad > 0) {
    const codes = Object.entries((r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([code, s]) => `${code}: ${s.count}`).join(', ');
    throw new Error(`${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts out of ${r.requests.total} (status codes ${codes || 'none'}); no figures are printed from a run with failed requests`);
  }
  const cpuAfter = treeCpuMicros(server.child.pid!);
  return { rps: r.requests.average, p99: r.latency.p99, cpu: cpuBefore === undefined || cpuAfter === undefined ? NaN : (cpuAfter - cpuBefore) / r.requests.total };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Row { name: string; rps: Record<Kind, number>; p99: Record<Kind, number>; cpu: Record<Kind, number>; prodBare: number[]; prodCore: number[]; coreBare: number[]; target: number; built: number }
const kinds: Kind[] = ['bare', 'core', 'production'];
const pick = (xs: number[]) => median(xs);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

const bare = await startServer('bare');
const servers: Partial<Record<Kind, { port: number; child: ChildProcess }>> = { bare };
const stop = (s?: { child: ChildProcess }) => s?.child.kill('SIGTERM');
const workerServers: Array<{ child: ChildProcess }> = [];
try {
  // Enough for one round at `perSecond` (above what these servers reach here) or at 1.5 times the fastest round of
  // that server so far, whichever is more: one slow round (a busy machine) must not shrink the next round's pool.
  const roundSize = (perSecond: number, done: Result[] = []) => Math.ceil(duration * Math.max(perSecond, 1.5 * Math.max(0, ...done.map((r) => r.rps))));
  const pool = (make: () => Req, perSecond: number) => new Pool(make, roundSize(perSecond));
  await load(bare, 'GET', pool(verification, 10_000), 'warm-up'); // of the load generator and the JIT
  const rows: Row[] = [];
  for (const [name, method, make, perSecond, target] of [
    ['GET verification', 'GET', verification, 40_000, 0.8],
    ['plaintext text message', 'POST', message('plaintext'), 35_000, 0.5],
    ['safe-mode text message', 'POST', message('safe'), 35_000, 0.35],
  ] as const) {
    // The same kind of fresh requests for all three servers, each from a pool of its own.
    const pools: Record<Kind, Pool> = { bare: pool(make, perSecond), core: pool(make, perSecond), production: pool(make, perSecond) };
    // Fresh wxmp servers per scenario: the de-dup store keeps every answer for 30 s.
    for (const kind of ['core', 'production'] as const) {
      stop(servers[kind]);
      servers[kind] = await startServer(kind);
      await load(servers[kind]!, method, pools[kind], `${name}, ${kind}, warm-up`); // of the new process's JIT
    }
    // Only requests built during measured rounds count.
    for (const kind of kinds) pools[kind].extra = 0;
    // Rounds alternate the three servers; each ratio is the median of the rounds' ratios,
    // so load from other processes on the machine shifts both sides of a ratio alike.
    const results: Record<Kind, Result[]> = { bare: [], core: [], production: [] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        pools[kind].fill(roundSize(perSecond, results[kind]));
        results[kind].push(await load(servers[kind]!, method, pools[kind], `${name}, ${kind}, round ${round + 1}`));
      }
    }
    const rps = (k: Kind) => results[k].map((r) => r.rps);
    const ratio = (a: Kind, b: Kind) => rps(a).map((x, i) => x / rps(b)[i]!);
    if (process.env.BENCH_VERBOSE) console.log(name, results.bare.map((_, i) => kinds.map((k) => results[k][i]!.rps.toFixed(0)).join('/')).join(' '));
    rows.push({
      name,
      rps: { bare: pick(rps('bare')), core: pick(rps('core')), production: pick(rps('production')) },
      p99: { bare: pick(results.bare.map((r) => r.p99)), core: pick(results.core.map((r) => r.p99)), production: pick(results.production.map((r) => r.p99)) },
      cpu: { bare: pick(results.bare.map((r) => r.cpu)), core: pick(results.core.map((r) => r.cpu)), production: pick(results.production.map((r) => r.cpu)) },
      prodBare: ratio('production', 'bare'), prodCore: ratio('production', 'core'), coreBare: ratio('core', 'bare'),
      target,
      built: kinds.reduce((n, k) => n + pools[k].extra, 0),
    });
  }
  stop(servers.core);
  stop(servers.production);

  // WXMP_WORKERS=2 against 1, the production server both times, plaintext messages.
  const workerRounds = Math.max(2, Math.floor(rounds / 2));
  const one = await startServer('production', 1);
  workerServers.push(one);
  const two = await startServer('production', 2);
  workerServers.push(two);
  const wpools = { one: pool(message('plaintext'), 8_000), two: pool(message('plaintext'), 8_000) };
  await load(one, 'POST', wpools.one, 'WXMP_WORKERS=1 warm-up');
  await load(two, 'POST', wpools.two, 'WXMP_WORKERS=2 warm-up');
  wpools.one.extra = wpools.two.extra = 0;
  const w: { one: Result[]; two: Result[] } = { one: [], two: [] };
  for (let round = 0; round < workerRounds; round++) {
    wpools.one.fill(roundSize(8_000, w.one));
    w.one.push(await load(one, 'POST', wpools.one, `WXMP_WORKERS=1 round ${round + 1}`));
    wpools.two.fill(roundSize(8_000, w.two));
    w.two.push(await load(two, 'POST', wpools.two, `WXMP_WORKERS=2 round ${round + 1}`));
  }
  stop(one);
  stop(two);

  const cores = (await import('node:os')).availableParallelism();
  console.log(`\n${connections} connections, ${rounds} alternating rounds of ${duration}s per server, on ${cores} cores; autocannon runs on the same cores.`);
  console.log('bare: Hono answering a constant; core: createApp (silent, no request log); production: `npm start`\'s server (bundle, primary + 1 worker, request log to files)\n');
  console.log('scenario                 bare req/s  core req/s  prod req/s  prod/bare (rounds)       target  prod/core (rounds)       target  p99 bare/core/prod');
  for (const r of rows) {
    const pb = pick(r.prodBare);
    const pc = pick(r.prodCore);
    console.log(`${r.name.padEnd(24)} ${r.rps.bare.toFixed(0).padStart(10)} ${r.rps.core.toFixed(0).padStart(11)} ${r.rps.production.toFixed(0).padStart(11)}  ${pb.toFixed(3)} (${spread(r.prodBare)})  ${`≥${r.target}`.padStart(6)} ${pb >= r.target ? 'ok   ' : 'BELOW'}  ${pc.toFixed(3)} (${spread(r.prodCore)})  ≥0.85 ${pc >= 0.85 ? 'ok   ' : 'BELOW'}  ${`${r.p99.bare}/${r.p99.core}/${r.p99.production} ms`.padStart(18)}`);
    // What each request cost the server in CPU (all its processes): steadier than req/s on a shared machine.
    const cpu = Number.isNaN(r.cpu.production) ? '' : `; CPU per request bare/core/prod ${r.cpu.bare.toFixed(0)}/${r.cpu.core.toFixed(0)}/${r.cpu.production.toFixed(0)} µs, core/prod ${(r.cpu.core / r.cpu.production).toFixed(3)}`;
    console.log(`${''.padEnd(24)} (core/bare ${pick(r.coreBare).toFixed(3)}${cpu}${r.built ? `; ${r.built} requests signed during the measured rounds, past the pre-built ones` : ''})`);
  }
  const r1 = pick(w.one.map((r) => r.rps));
  const r2 = pick(w.two.map((r) => r.rps));
  const wr = w.two.map((r, i) => r.rps / w.one[i]!.rps);
  const c1 = pick(w.one.map((r) => r.cpu));
  const c2 = pick(w.two.map((r) => r.cpu));
  // With two workers the primary owns the de-dup store: the CPU per request shows what its IPC costs.
  const wcpu = Number.isNaN(c1) ? '' : `; CPU per request ${c1.toFixed(0)} → ${c2.toFixed(0)} µs`;
  console.log(`\nWXMP_WORKERS=2 against 1 (production, plaintext, ${workerRounds} alternating rounds): ${r1.toFixed(0)} → ${r2.toFixed(0)} req/s, ×${pick(wr).toFixed(2)} (${spread(wr)})${wcpu}; the load generator shares the ${cores} cores, so this understates what a second core gives.`);
} finally {
  for (const s of workerServers) stop(s);
  stop(bare);
  stop(servers.core);
  stop(servers.production);
}
