/**
 * Sessions in Redis, for several processes and hosts: one hash per user
 * (`v` version, `d` JSON data), saved by a script that checks the version, so
 * two processes never overwrite each other unnoticed.
 */
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import type { SessionStore, StoredSession } from '../wechat/session.js';

const SAVE = `local v = tonumber(redis.call('hget', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('hset', KEYS[1], 'v', v + 1, 'd', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[3])
return 1`;

/**
 * @example
 * const sessions = new RedisSessionStore({ redis: connectRedis(process.env.REDIS_URL!) });
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: { redis: Redis; prefix?: string }) {
    if (typeof options?.redis?.hmget !== 'function') throw new ConfigError(`RedisSessionStore: expected { redis: an ioredis connection }, got ${typeof options?.redis}`);
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'wxmp:';
  }

  async get(key: string): Promise<StoredSession | null> {
    const [version, data] = await this.redis.hmget(this.prefix + key, 'v', 'd');
    if (!version || !data) return null;
    return { version: Number(version), data: JSON.parse(data) };
  }

  async set(key: string, data: Record<string, unknown>, options: { expectedVersion: number; ttlMs: number }): Promise<boolean> {
    const saved = await this.redis.eval(SAVE, 1, this.prefix + key, String(options.expectedVersion), JSON.stringify(data), String(Math.max(1, Math.round(options.ttlMs))));
    return saved === 1;
  }
}
