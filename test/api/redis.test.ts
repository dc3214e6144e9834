import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createWechatClient } from '../../src/api/client.js';
import { RedisDedupStore, RedisTokenStore } from '../../src/api/redis.js';
import { createStores } from '../../src/api/stores.js';
import { startMock, type RunningMock } from './support/mock-server.js';
import { redisClient, redisForFile } from './support/redis-server.js';
import { runTokenChild } from './support/run-child.js';

const redis = redisForFile({ beforeAll, beforeEach, afterAll });
let running: RunningMock;
let admin: Redis | undefined;

beforeAll(async () => {
  running = await startMock();
});
afterAll(async () => {
  await admin?.quit();
  await running?.close();
});
beforeEach(async () => {
  // Runs after redisForFile's check, so Redis is up here.
  admin ??= redisClient(redis.url());
  await admin.flushall();
  running.mock.invalidateTokens();
  running.mock.clearRequests();
});

describe('RedisTokenStore', () => {
  it('two processes sharing Redis fetch the token once between them', async () => {
    const { mock, url } = running;
    // A slow token answer makes the two processes overlap, so one of them has to wait on the lock.
    mock.setDelay('/cgi-bin/stable_token', 300);
    const env = { WECHAT_API_BASE: url, WECHAT_APP_ID: mock.appId, WECHAT_APP_SECRET: mock.appSecret, REDIS_URL: redis.url(), CALLS: '20' };
    const [a, b] = await Promise.all([runTokenChild(env), runTokenChild(env)]).finally(() => mock.setDelay('/cgi-bin/stable_token', 0));
    expect(mock.tokenFetches()).toBe(1);
    expect(a.token).toBe(b.token);
    expect(mock.requestsTo('/cgi-bin/user/info')).toHaveLength(40);
  }, 120_000);

  it('two instances in one process, each with its own connection, fetch once', async () => {
    const { mock, url } = running;
    const stores = [new RedisTokenStore({ url: redis.url() }), new RedisTokenStore({ url: redis.url() })];
    const clients = stores.map((tokenStore) => createWechatClient({ appId: mock.appId, appSecret: mock.appSecret, apiBase: url, tokenStore }));
    try {
      const tokens = await Promise.all(clients.flatMap((c) => Array.from({ length: 10 }, () => c.accessToken())));
      expect(new Set(tokens).size).toBe(1);
      expect(mock.tokenFetches()).toBe(1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('the lock admits one holder, and only the holder releases it', async () => {
    const a = new RedisTokenStore({ url: redis.url() });
    const b = new RedisTokenStore({ url: redis.url() });
    try {
      const release = await a.tryLock('k', 10_000);
      expect(release).not.toBeNull();
      expect(await b.tryLock('k', 10_000)).toBeNull();
      await release!();
      const again = await b.tryLock('k', 10_000);
      expect(again).not.toBeNull();
      // A's stale release must not free B's lock.
      await release!();
      expect(await a.tryLock('k', 10_000)).toBeNull();
      await again!();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('RedisDedupStore', () => {
  it('exactly one of many concurrent claims wins, across connections', async () => {
    const stores = [new RedisDedupStore({ url: redis.url() }), new RedisDedupStore({ url: redis.url() })];
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.claim('msg:u:1', 30_000)));
      expect(results.filter((r) => r === null)).toHaveLength(1);
      expect(results.filter((r) => r?.state === 'pending')).toHaveLength(49);
      await stores[0]!.complete('msg:u:1', '<xml>reply</xml>', 30_000);
      expect(await stores[1]!.claim('msg:u:1', 30_000)).toEqual({ state: 'done', reply: '<xml>reply</xml>' });
      expect(await stores[1]!.get('msg:u:2')).toBeNull();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('RedisDedupStore.remember (the replay record)', () => {
  it('keeps the first value of a key for every instance, until it expires', async () => {
    const stores = [new RedisDedupStore({ url: redis.url() }), new RedisDedupStore({ url: redis.url() })];
    try {
      expect(await stores[0]!.remember('1700000000:n1:sig', 'POST:body-a@1', 200)).toBeNull();
      expect(await stores[1]!.remember('1700000000:n1:sig', 'POST:body-b@2', 200)).toBe('POST:body-a@1');
      expect(await admin!.pttl('wxmp:seen:1700000000:n1:sig')).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 250));
      expect(await stores[1]!.remember('1700000000:n1:sig', 'POST:body-b@3', 200)).toBeNull();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('createStores', () => {
  it('picks Redis when REDIS_URL is set, and local stores otherwise', async () => {
    const shared = createStores({ redisUrl: redis.url() });
    try {
      expect(shared.kind).toBe('redis');
      expect(await shared.dedupStore.claim('evt:u:1', 1000)).toBeNull();
      expect(await admin!.exists('wxmp:dedup:evt:u:1')).toBe(1);
    } finally {
      await shared.close();
    }
    const local = createStores({});
    expect(local.kind).toBe('local');
    expect(local.tokenStore.constructor.name).toBe('FileTokenStore');
    await local.close();
  });
});
