/**
 * Shared state on Redis for several instances behind a load balancer: the
 * access token (with a refresh lock) and the de-dup of WeChat's retries.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import type { DedupEntry, DedupStore } from '../wechat/dedup.js';
import type { ReleaseLock, StoredCredential, TokenStore } from './token-store.js';

/** A connection, or what to connect to. `prefix` namespaces keys (default `wxmp:`). */
export type RedisOptions = { redis: Redis; prefix?: string } | { url: string; prefix?: string };

/** Deletes the lock only if it still holds our id: an expired lock may belong to someone else by now. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Opens a connection for `url` (redis://[:password@]host:port[/db]).
 *
 * @example
 * const redis = connectRedis('redis://127.0.0.1:6379');
 */
export function connectRedis(url: string, options: { warn?: (message: string) => void } = {}): Redis {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    // The URL may carry a password: name the scheme only.
    throw new ConfigError(`REDIS_URL: expected redis://host:port or rediss://host:port, got a value starting with ${JSON.stringify(String(url).slice(0, 8))}`);
  }
  // Fail a command after a few reconnect attempts instead of queueing it forever behind a dead server.
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const warn = options.warn ?? ((m: string) => console.warn(m));
  let down = false;
  // ioredis reports every failed reconnect; one line per outage is enough (and never the URL, which may hold a password).
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    warn(`wxmp: Redis is unreachable (${error.message}); retrying in the background`);
  });
  redis.on('ready', () => {
    if (down) warn('wxmp: Redis is reachable again');
    down = false;
  });
  return redis;
}

function open(options: RedisOptions): { redis: Redis; owned: boolean; prefix: string } {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`Redis store options: expected { url } or { redis }, got ${options === null ? 'null' : typeof options}`);
  const prefix = options.prefix ?? 'wxmp:';
  if ('redis' in options && options.redis) return { redis: options.redis, owned: false, prefix };
  if ('url' in options) return { redis: connectRedis(options.url), owned: true, prefix };
  throw new ConfigError('Redis store options: expected { url } or { redis }, got neither');
}

/**
 * Tokens and tickets in Redis, shared by every instance, with a lock (SET NX PX,
 * released only by its holder) so one instance refreshes while the others wait
 * and read its result.
 *
 * @example
 * const client = createWechatClient({ appId, appSecret, tokenStore: new RedisTokenStore({ url: process.env.REDIS_URL! }) });
 */
export class RedisTokenStore implements TokenStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;

  constructor(options: RedisOptions) {
    ({ redis: this.redis, owned: this.owned, prefix: this.prefix } = open(options));
  }

  async get(key: string): Promise<StoredCredential | null> {
    const text = await this.redis.get(`${this.prefix}token:${key}`);
    if (!text) return null;
    try {
      return JSON.parse(text) as StoredCredential;
    } catch {
      return null;
    }
  }

  async set(key: string, credential: StoredCredential): Promise<void> {
    // Let Redis drop it a little after WeChat does, so nothing stale lingers.
    const ttl = Math.max(1000, credential.expiresAt - credential.obtainedAt + 60_000);
    await this.redis.set(`${this.prefix}token:${key}`, JSON.stringify(credential), 'PX', ttl);
  }

  async tryLock(key: string, ttlMs: number): Promise<ReleaseLock | null> {
    const lockKey = `${this.prefix}lock:${key}`;
    const id = randomBytes(16).toString('hex');
    const ok = await this.redis.set(lockKey, id, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    if (ok !== 'OK') return null;
    return async () => {
      await this.redis.eval(RELEASE, 1, lockKey, id);
    };
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit();
  }
}

/**
 * De-dup of WeChat's retries across instances: the instance that wins the
 * SET NX handles the message; the others answer from the stored reply.
 *
 * @example
 * const app = createApp({ ...options, dedupStore: new RedisDedupStore({ url: process.env.REDIS_URL! }) });
 */
export class RedisDedupStore implements DedupStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;

  constructor(options: RedisOptions) {
    ({ redis: this.redis, owned: this.owned, prefix: this.prefix } = open(options));
  }

  async claim(key: string, ttlMs: number): Promise<DedupEntry | null> {
    const k = `${this.prefix}dedup:${key}`;
    // Two rounds cover the entry expiring between a lost SET NX and the GET.
    for (let round = 0; round < 2; round++) {
      const ok = await this.redis.set(k, JSON.stringify({ state: 'pending' }), 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      if (ok === 'OK') return null;
      const existing = await this.get(key);
      if (existing) return existing;
    }
    return { state: 'pending' };
  }

  async complete(key: string, reply: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}dedup:${key}`, JSON.stringify({ state: 'done', reply }), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  /** False once the connection was lost (reconnecting or closed): commands would only queue. A first connect is waited for. */
  get available(): boolean {
    const status = this.redis.status;
    return status !== 'reconnecting' && status !== 'close' && status !== 'end';
  }

  async remember(key: string, value: string, ttlMs: number): Promise<string | null> {
    const k = `${this.prefix}seen:${key}`;
    const ok = await this.redis.set(k, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    if (ok === 'OK') return null;
    // Expired between the SET and the GET: the record is gone, and this request was first after all.
    return (await this.redis.get(k)) ?? null;
  }

  async get(key: string): Promise<DedupEntry | null> {
    const text = await this.redis.get(`${this.prefix}dedup:${key}`);
    if (!text) return null;
    try {
      return JSON.parse(text) as DedupEntry;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit();
  }
}
