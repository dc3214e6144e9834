/**
 * Sessions and middleware through the real message server: errors and the
 * deadline over the whole chain, and sessions shared by two processes on Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createRouter } from '../../src/wechat/router.js';
import { bodies } from '../fixtures/messages.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { redisForFile } from '../api/support/redis-server.js';

const redis = redisForFile({ beforeAll, beforeEach, afterAll });
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

const logs = () => {
  const lines: string[] = [];
  return { lines, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string, e?: unknown) => void lines.push(`${m} ${e instanceof Error ? e.stack : ''}`) };
};
let msgId = 1;
const text = (content: string) => bodies.text.replace('this is a test', content).replace(/<MsgId>\d+<\/MsgId>/, `<MsgId>${msgId++}</MsgId>`);

describe('middleware inside the message server', () => {
  it('an error thrown in a middleware is logged with its stack, and WeChat gets "success"', async () => {
    const logger = logs();
    const router = createRouter().use(() => { throw new Error('blacklist lookup failed'); }).on('text', () => 'never');
    const app = createApp({ config: { token: TOKEN, path: '/' }, router, logger });
    const { url, body } = wechatPost(text('hi'), 'plaintext');
    const res = await app.request(url, { method: 'POST', body });
    expect([res.status, await res.text(), res.headers.get('x-wxmp-handler')]).toEqual([200, 'success', 'error']);
    expect(logger.lines.join('\n')).toMatch(/threw; answered "success"[\s\S]*Error: blacklist lookup failed\n\s+at /);
  });

  it('the deadline covers a slow middleware: "success" in time, the reply delivered late', async () => {
    const logger = logs();
    const late: string[] = [];
    const router = createRouter()
      .use(async (_ctx, next) => { await new Promise((r) => setTimeout(r, 300)); return next(); })
      .on('text', (m) => `slow ${m.content}`);
    const app = createApp({ config: { token: TOKEN, path: '/', deadlineMs: 100 }, router, logger, onLateReply: ({ reply }) => void late.push(reply.type === 'text' ? reply.content : '') });
    const { url, body } = wechatPost(text('hi'), 'plaintext');
    const res = await app.request(url, { method: 'POST', body });
    expect([await res.text(), res.headers.get('x-wxmp-handler')]).toEqual(['success', 'late']);
    await expect.poll(() => late).toEqual(['slow hi']);
  });

  it('passes the configured session store and API client to the handlers', async () => {
    const seen: unknown[] = [];
    const client = { id: 'client' } as never;
    const router = createRouter<{ n?: number }>().on('text', (_m, ctx) => {
      seen.push(ctx.client);
      return String((ctx.session.n = (ctx.session.n ?? 0) + 1));
    });
    const { MemorySessionStore } = await import('../../src/wechat/session.js');
    const sessionStore = new MemorySessionStore();
    const app = createApp({ config: { token: TOKEN, path: '/' }, router, sessionStore, client });
    for (const expected of ['1', '2']) {
      const { url, body } = wechatPost(text('x'), 'plaintext');
      expect(await (await app.request(url, { method: 'POST', body })).text()).toContain(`<![CDATA[${expected}]]>`);
    }
    expect(seen).toEqual([client, client]);
    expect((await sessionStore.get('session:gh_account:oUser123'))?.data).toEqual({ n: 2 });
  });
});

describe('sessions on Redis', () => {
  async function start(name: string): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/framework/session-child.ts'], { env: { ...process.env, REDIS_URL: redis.url(), NAME: name }, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`session child exited with ${code}`)));
    });
    return line.trim();
  }

  it('carry a conversation across two processes, alternately answering one user', async () => {
    const [a, b] = await Promise.all([start('A'), start('B')]);
    const replies: string[] = [];
    for (const base of [a, b, a, b]) {
      const { url, body } = wechatPost(text('hi'), 'plaintext');
      const res = await fetch(`${base}${url}`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
      replies.push(/<Content><!\[CDATA\[(.*)\]\]><\/Content>/.exec(await res.text())![1]!);
    }
    expect(replies).toEqual(['1 A', '2 A,B', '3 A,B,A', '4 A,B,A,B']);
  }, 60_000);

  it('refuse a save over a newer version (compare-and-set) and expire with the TTL', async () => {
    const { connectRedis } = await import('../../src/api/redis.js');
    const { RedisSessionStore } = await import('../../src/server/session-redis.js');
    const conn = connectRedis(redis.url());
    try {
      const store = new RedisSessionStore({ redis: conn, prefix: 'cas-test:' });
      expect(await store.set('k', { a: 1 }, { expectedVersion: 0, ttlMs: 60_000 })).toBe(true);
      expect(await store.set('k', { a: 2 }, { expectedVersion: 0, ttlMs: 60_000 })).toBe(false);
      expect(await store.get('k')).toEqual({ data: { a: 1 }, version: 1 });
      expect(await store.set('k', { a: 3 }, { expectedVersion: 1, ttlMs: 50 })).toBe(true);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get('k')).toBeNull();
    } finally {
      await conn.quit();
    }
  });
});

describe('sessions in files', () => {
  it('two stores on one folder (two worker processes) never overwrite each other unnoticed', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileSessionStore } = await import('../../src/server/session-file.js');
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-sessions-'));
    try {
      const a = new FileSessionStore({ dir });
      const b = new FileSessionStore({ dir });
      // Ten concurrent first saves of one key: exactly one wins, the others are told.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).set('k', { i }, { expectedVersion: 0, ttlMs: 60_000 })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const saved = await b.get('k');
      expect(saved?.version).toBe(1);
      expect(await a.set('k', { next: true }, { expectedVersion: 1, ttlMs: 60_000 })).toBe(true);
      expect(await b.get('k')).toEqual({ data: { next: true }, version: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
