/**
 * The client and Redis stores together with the real message server:
 * two instances behind a (pretend) load balancer, and a handler that misses
 * WeChat's 5-second window.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatClient, type WechatClient } from '../../src/api/client.js';
import { createLateReplySender } from '../../src/api/late-reply.js';
import { RedisDedupStore } from '../../src/api/redis.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { listen, type RunningServer } from '../../src/server/start.js';
import { createRouter } from '../../src/wechat/router.js';
import { bodies } from '../fixtures/messages.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { startMock, type RunningMock } from './support/mock-server.js';
import { redisForFile } from './support/redis-server.js';

const redis = redisForFile({ beforeAll, beforeEach, afterAll });
let running: RunningMock;
let client: WechatClient;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  running = await startMock();
  client = createWechatClient({ appId: running.mock.appId, appSecret: running.mock.appSecret, apiBase: running.url, tokenStore: new MemoryTokenStore() });
});
afterAll(async () => {
  for (const close of cleanup.reverse()) await close();
  await running?.close();
});

async function instance(router: ReturnType<typeof createRouter>, extra: Partial<Parameters<typeof createApp>[0]> = {}): Promise<RunningServer> {
  const dedupStore = new RedisDedupStore({ url: redis.url() });
  const app = createApp({ config: { token: TOKEN, path: '/', deadlineMs: 1000 }, router, dedupStore, logger: silentLogger, ...extra });
  const server = await listen(app.fetch, 0, '127.0.0.1');
  cleanup.push(() => server.close(), () => dedupStore.close());
  return server;
}

async function send(server: RunningServer, xml: string): Promise<string> {
  const { url, body } = wechatPost(xml, 'plaintext');
  const res = await fetch(`${server.url}${url}`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
  return res.text();
}

describe('two message-server instances sharing RedisDedupStore', () => {
  it('a message retried to the other instance is handled once and answered the same', async () => {
    let runs = 0;
    const router = createRouter().on('text', async (m) => `handled ${++runs}: ${m.content}`);
    const [a, b] = await Promise.all([instance(router), instance(router)]);
    const first = await send(a, bodies.text);
    const retry = await send(b, bodies.text);
    expect(runs).toBe(1);
    expect(first).toContain('handled 1: this is a test');
    expect(retry).toBe(first);
  });

  it('copies arriving at both instances at once run the handler once', async () => {
    let runs = 0;
    const router = createRouter().on('text', async (m) => {
      runs++;
      await new Promise((r) => setTimeout(r, 200));
      return `once: ${m.content}`;
    });
    const [a, b] = await Promise.all([instance(router), instance(router)]);
    const xml = bodies.text.replace('1234567890123456', '1234567890999999');
    const answers = await Promise.all([send(a, xml), send(b, xml), send(a, xml), send(b, xml)]);
    expect(runs).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('once: this is a test');
  });
});

describe('late replies through the mock API', () => {
  it('a slow handler gets "success" in time, then its reply arrives as a customer-service message', async () => {
    const arrived = new Promise<Record<string, unknown>>((resolve) => {
      const stop = running.mock.subscribe((e) => {
        if (e.kind === 'customer-message') {
          stop();
          resolve(e.message);
        }
      });
    });
    const router = createRouter().on('text', async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return 'sorry for the wait';
    });
    const server = await instance(router, { onLateReply: createLateReplySender({ client, logger: silentLogger }) });
    expect(await send(server, bodies.text.replace('1234567890123456', '1234567890888888'))).toBe('success');
    expect(await arrived).toEqual({ touser: 'oUser123', msgtype: 'text', text: { content: 'sorry for the wait' } });
  });
});
