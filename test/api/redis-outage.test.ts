/**
 * Redis killed (SIGKILL) under a steady stream of messages, then brought back:
 * every message is answered within WeChat's 5 s, retries are still
 * de-duplicated (in memory meanwhile), the log gets one line each way and no
 * stack, and de-dup goes back to Redis by itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiServerOptions } from '../../src/api/server-options.js';
import { createApp } from '../../src/server/app.js';
import type { Logger } from '../../src/server/logger.js';
import { listen, type RunningServer } from '../../src/server/start.js';
import { createRouter } from '../../src/wechat/router.js';
import { envelope } from '../fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { redisClient, startRedis, type RunningRedis } from './support/redis-server.js';

let redis: RunningRedis | undefined;
let server: RunningServer | undefined;
let closeApi: (() => Promise<void>) | undefined;
afterAll(async () => {
  await server?.close();
  await closeApi?.();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// WeChat gives up on an answer after 5 s: the protocol's limit, not a speed target.
const WECHAT_LIMIT_MS = 5000;

describe('a Redis outage degrades, never stalls', () => {
  it('SIGKILL under 20 messages/s: all answered within 5 s, retries de-duplicated, one line down and one up, Redis used again after', { timeout: 60_000 }, async () => {
    redis = await startRedis();
    const lines: string[] = [];
    const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m, e) => lines.push(`${m}\n${e instanceof Error ? e.stack : String(e)}`) };
    const api = apiServerOptions({ apiBase: 'http://127.0.0.1:9', redisUrl: redis.url }, { logger });
    closeApi = api.close;
    const runs = new Map<string, number>();
    const router = createRouter().on('text', (m) => { runs.set(m.msgId, (runs.get(m.msgId) ?? 0) + 1); return `ok ${m.msgId}`; });
    const app = createApp({ config: { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, path: '/' }, router, dedupStore: api.dedupStore, logger });
    server = await listen(app.fetch, 0, '127.0.0.1');

    const results: Array<{ id: string; ms: number; status: number; body: string; phase: string }> = [];
    let phase = 'up';
    const send = async (id: string) => {
      const xml = envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[m]]></Content><MsgId>${id}</MsgId>`);
      const { url, body } = wechatPost(xml, 'safe');
      const started = performance.now();
      const at = phase;
      try {
        const res = await fetch(server!.url + url, { method: 'POST', body, signal: AbortSignal.timeout(15_000) });
        results.push({ id, ms: performance.now() - started, status: res.status, body: await res.text(), phase: at });
      } catch (error) {
        results.push({ id, ms: performance.now() - started, status: 0, body: String(error), phase: at });
      }
    };

    const inflight: Promise<void>[] = [];
    let seq = 0;
    // A new message every 50 ms by the wall clock (20/s), whatever the answers take.
    const stream = async (ms: number) => {
      const start = Date.now();
      for (let i = 0; i * 50 < ms; i++) {
        await sleep(Math.max(0, start + i * 50 - Date.now()));
        const id = String(7_000_000 + seq++);
        inflight.push(send(id));
        // Every fifth message is retried by "WeChat" 50 ms later, with a new query.
        if (seq % 5 === 0) inflight.push(sleep(50).then(() => send(id)));
      }
    };

    await stream(1500);
    phase = 'down';
    await redis.kill();
    // Long enough for ioredis' reconnect backoff to grow: a store call that waited for it stalled past 5 s.
    await stream(8000);
    phase = 'back';
    redis = await startRedis({ port: redis.port });
    await stream(4000);
    // ioredis' backoff after a long outage is up to 2 s: keep the messages coming until it is back
    // (the last line, not any line: a connection that drops again while Redis starts says so once more).
    for (const end = Date.now() + 10_000; Date.now() < end && !lines.at(-1)?.startsWith('wxmp: the shared de-dup store answers again'); ) await stream(500);
    await Promise.all(inflight);

    const late = results.filter((r) => r.ms >= WECHAT_LIMIT_MS);
    const failed = results.filter((r) => r.status !== 200);
    const slowest = Math.max(...results.map((r) => r.ms));
    console.log(`redis outage: ${results.length} requests (${results.filter((r) => r.phase === 'down').length} while down), slowest ${slowest.toFixed(0)} ms, ${late.length} at or over 5 s, ${failed.length} not answered 200`);
    expect(failed).toEqual([]);
    expect(late).toEqual([]);
    // Each message's handler ran once, its retry got the same answer, outage or not.
    const twice = [...runs].filter(([, n]) => n !== 1).map(([id]) => results.filter((r) => r.id === id).map((r) => `${id} ${r.phase} ${r.ms.toFixed(0)}ms ${r.body.slice(0, 40)}`));
    expect(twice).toEqual([]);
    for (const r of results) expect(r.body).not.toBe('success');
    // One line when Redis went away, one when it was back; never a stack, never a line per message.
    // (A restart can show one more pair: a connection that drops again while Redis starts.)
    const down = /^wxmp: the shared de-dup store failed \(.+\); de-duplicating in this process until it answers again$/;
    const up = 'wxmp: the shared de-dup store answers again; de-duplicating across processes again';
    expect(lines.length === 2 || lines.length === 4, lines.join('\n')).toBe(true);
    lines.forEach((line, i) => (i % 2 === 0 ? expect(line).toMatch(down) : expect(line).toBe(up)));
    // Back on Redis: the last message's de-dup entry is there.
    const admin = redisClient(redis.url);
    try {
      expect(await admin.exists(`wxmp:dedup:msg:oUser123:${7_000_000 + seq - 1}`)).toBe(1);
    } finally {
      await admin.quit();
    }
  });
});
