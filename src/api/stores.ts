/**
 * Picks where shared state lives from the configuration: Redis when REDIS_URL
 * is set (several instances), else a token file under `.wxmp/` and de-dup in
 * memory (one instance).
 */
import { ConfigError } from '../errors.js';
import type { Env } from '../config.js';
import { MemoryDedupStore, type DedupStore } from '../wechat/dedup.js';
import { createWechatClient, type WechatClient, type WechatClientOptions } from './client.js';
import { connectRedis, RedisDedupStore, RedisTokenStore } from './redis.js';
import { FileTokenStore, type TokenStore } from './token-store.js';
import { MemorySessionStore, type SessionStore } from '../wechat/session.js';
import { RedisSessionStore } from '../server/session-redis.js';
import { FileSessionStore } from '../server/session-file.js';

/** The settings the API client needs; a `ServerConfig` has them all. */
export interface ApiConfig {
  appId?: string;
  appSecret?: string;
  apiBase: string;
  redisUrl?: string;
}

/** Token, de-dup and session stores, and one `close()` for all. */
export interface Stores {
  tokenStore: TokenStore;
  dedupStore: DedupStore;
  /** Where `ctx.session` lives: Redis, or this process's memory. */
  sessionStore: SessionStore;
  /** `redis` or `local`, for the startup log. */
  kind: 'redis' | 'local';
  close(): Promise<void>;
}

/**
 * @example
 * const stores = createStores(parseServerConfig(loadEnv()));
 * const app = createApp({ ...options, dedupStore: stores.dedupStore });
 */
export function createStores(config: { redisUrl?: string }, options: { dir?: string; sessionDir?: string; warn?: (message: string) => void } = {}): Stores {
  if (config.redisUrl) {
    const redis = connectRedis(config.redisUrl, { warn: options.warn });
    return {
      kind: 'redis',
      tokenStore: new RedisTokenStore({ redis }),
      dedupStore: new RedisDedupStore({ redis }),
      sessionStore: new RedisSessionStore({ redis }),
      close: async () => {
        await redis.quit();
      },
    };
  }
  return { kind: 'local', tokenStore: new FileTokenStore({ dir: options.dir }), dedupStore: new MemoryDedupStore(), sessionStore: options.sessionDir ? new FileSessionStore({ dir: options.sessionDir }) : new MemorySessionStore(), close: async () => {} };
}

/**
 * Reads the API client's settings from the environment without requiring the
 * message server's (WECHAT_TOKEN), so `wxmp menu` works with AppID and secret alone.
 *
 * @example
 * const config = parseApiConfig(loadEnv());
 */
export function parseApiConfig(env: Env): ApiConfig {
  const get = (name: string) => env[name]?.trim() || undefined;
  const apiBase = get('WECHAT_API_BASE') ?? 'https://api.weixin.qq.com';
  if (!/^https?:\/\/[^/]+/.test(apiBase)) {
    throw new ConfigError(`WECHAT_API_BASE: expected an http(s) origin such as https://api.weixin.qq.com, got ${JSON.stringify(apiBase)}`);
  }
  return { appId: get('WECHAT_APP_ID'), appSecret: get('WECHAT_APP_SECRET'), apiBase: apiBase.replace(/\/+$/, ''), redisUrl: get('REDIS_URL') };
}

/**
 * A client for the configured account, with its token in `tokenStore`
 * (from {@link createStores}). Throws a ConfigError naming the missing variable.
 *
 * @example
 * const stores = createStores(config);
 * const client = clientFromConfig(config, { tokenStore: stores.tokenStore });
 */
export function clientFromConfig(config: ApiConfig, options: Partial<WechatClientOptions> = {}): WechatClient {
  if (!config.appId) throw new ConfigError('WECHAT_APP_ID: expected your AppID (wx...), got nothing; the API client needs it');
  if (!config.appSecret) throw new ConfigError('WECHAT_APP_SECRET: expected the AppSecret from 基本配置, got nothing; the API client needs it');
  return createWechatClient({ appId: config.appId, appSecret: config.appSecret, apiBase: config.apiBase, ...options });
}
