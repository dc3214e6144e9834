/**
 * `npm run bench`: requests/s and p99 latency of the message server, each as a
 * ratio to a bare Hono app answering a constant, measured in the same run on
 * the same machine. The bare app gets requests of the same shape and size, reads
 * the POST body, as any WeChat endpoint must, and answers a constant. Every POST to
 * wxmp carries a unique MsgId so de-dup never answers from its cache. Load comes from autocannon in this process; each server runs
 * in a process of its own (an esbuild bundle, as deployed), wxmp in a fresh one per scenario.
 *
 * BENCH_ROUNDS (default 8) alternating rounds of BENCH_SECONDS (default 2) per side:
 * many short rounds, because this kind of shared VM drifts within seconds;
 * BENCH_VERBOSE=1 prints every round's req/s (baseline/wxmp).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import autocannon from 'autocannon';
import { MessageCrypto } from '../src/wechat/crypto.js';
import { sign } from '../src/wechat/signature.js';

const token = 'benchtoken';
const appId = 'wxbench0000000000';
const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const duration = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const connections = 32;
const crypto = new MessageCrypto({ encodingAESKey: aesKey, appId });

// Both servers run as one esbuild bundle under plain node, the way `npm run deploy` and the
// Docker image ship the server (the tsx runtime that `npm start` uses costs about a fifth more).
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
process.on('exit', () => rmSync(bundleDir, { recursive: true, force: true }));

async function startServer(kind: 'bare' | 'wxmp'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [serverBundle, kind], {
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

/** Pre-built requests, so the load generator spends no CPU on signing or encryption during the run. */
function messages(mode: 'plaintext' | 'safe', count: number): Array<{ path: string; body: string }> {
  return Array.from({ length: count }, (_, i) => {
    const ts = String(1700000000 + i);
    const nonce = String(100000 + i);
    if (mode === 'plaintext') return { path: `/?${query(ts, nonce)}`, body: textXml(i) };
    const encrypt = crypto.encrypt(textXml(i));
    return { path: `/?${query(ts, nonce)}&encrypt_type=aes&msg_signature=${sign(token, ts, nonce, encrypt)}`, body: `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
  });
}

interface Result { rps: number; p99: number; errors: number }
interface Pool { items: Array<{ path: string; body?: string }>; next: number }

async function load(port: number, method: 'GET' | 'POST', pool: Pool): Promise<Result> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [{ method, setupRequest: (req: autocannon.Request) => ({ ...req, ...pool.items[pool.next++ % pool.items.length] }) }],
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const bare = await startServer('bare');
let wxmp = await startServer('wxmp');
try {
  const ts = '1700000000';
  const verify = { path: `/?${query(ts, '42')}&echostr=bench` };
  // The baseline gets requests of the same shape and size as wxmp (it ignores their content).
  const bareGet: Pool = { items: [verify], next: 0 };
  const barePost = { plaintext: { items: messages('plaintext', 1000), next: 0 }, safe: { items: messages('safe', 1000), next: 0 } };
  // Each scenario's messages are built just before it and dropped after, so the load
  // generator's heap stays small (its garbage collection would otherwise slow some rounds).
  // Sized for the warm-up and every round at well above the rate wxmp reaches here.
  const unique = (mode: 'plaintext' | 'safe', perSecond: number) => (): Pool => ({ items: messages(mode, (rounds + 1) * duration * perSecond), next: 0 });

  await load(bare.port, 'GET', bareGet); // warm-up of the load generator and the JIT
  const rows: Array<{ name: string; base: Result; ours: Result; ratio: number; spread: string; target: number; errors: number }> = [];
  for (const [name, method, build, target, barePool] of [
    ['GET verification', 'GET', (): Pool => ({ items: [verify], next: 0 }), 0.8, bareGet],
    ['plaintext text message', 'POST', unique('plaintext', 16_000), 0.5, barePost.plaintext],
    ['safe-mode text message', 'POST', unique('safe', 10_000), 0.35, barePost.safe],
  ] as const) {
    const pool = build();
    // A fresh server per scenario: the de-dup store keeps every answer for 30 s, and at these
    // rates one scenario's entries would otherwise weigh on the next one's garbage collection.
    wxmp.child.kill('SIGTERM');
    wxmp = await startServer('wxmp');
    await load(wxmp.port, method, pool); // warm-up of the new process's JIT
    // Rounds alternate baseline and wxmp, and the ratio is the median of the rounds' ratios,
    // so load from other processes on the machine shifts both sides of a ratio alike.
    const base: Result[] = [];
    const ours: Result[] = [];
    for (let round = 0; round < rounds; round++) {
      base.push(await load(bare.port, method, barePool));
      ours.push(await load(wxmp.port, method, pool));
    }
    if (pool.items.length > 1 && pool.next > pool.items.length) console.warn(`  note: ${name}: ${pool.next} requests reused ${pool.items.length} pre-built bodies; later copies were de-dup replays`);
    const pick = (rs: Result[]): Result => ({ rps: median(rs.map((r) => r.rps)), p99: median(rs.map((r) => r.p99)), errors: rs.reduce((n, r) => n + r.errors, 0) });
    const ratios = ours.map((o, i) => o.rps / base[i]!.rps);
    if (process.env.BENCH_VERBOSE) console.log(name, base.map((b, i) => `${b.rps.toFixed(0)}/${ours[i]!.rps.toFixed(0)}`).join(" "));
    rows.push({ name, base: pick(base), ours: pick(ours), ratio: median(ratios), spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`, target, errors: ours.reduce((n, r) => n + r.errors, 0) });
  }
  console.log(`\n${connections} connections, ${rounds} alternating rounds of ${duration}s per side, on ${(await import('node:os')).cpus().length} cores; baseline: bare Hono answering a constant\n`);
  console.log('scenario                  bare req/s  wxmp req/s  ratio  rounds     target  p99 bare  p99 wxmp  errors');
  for (const { name, base, ours, ratio, spread, target, errors } of rows) {
    console.log(`${name.padEnd(24)} ${base.rps.toFixed(0).padStart(11)} ${ours.rps.toFixed(0).padStart(11)} ${ratio.toFixed(3).padStart(6)}  ${spread.padEnd(9)} ${`≥${target}`.padStart(6)} ${`${base.p99}ms`.padStart(9)} ${`${ours.p99}ms`.padStart(9)} ${String(errors).padStart(7)} ${ratio >= target ? 'ok' : 'BELOW TARGET'}`);
  }
} finally {
  bare.child.kill('SIGTERM');
  wxmp.child.kill('SIGTERM');
}
