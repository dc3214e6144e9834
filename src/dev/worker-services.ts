/**
 * What the bot's handlers get on their context in `npm run dev`: sessions in
 * files under .wxmp/sessions (or Redis with REDIS_URL), so a conversation
 * survives hot reloads and restarts, and the API client (the offline mock
 * unless an AppSecret is set). Bundled into each build of the bot, because the
 * bot runs in a worker thread without a TypeScript loader.
 */
import { join } from 'node:path';
import type { Env } from '../config.js';
import { connectRedis } from '../api/redis.js';
import { clientFromConfig, parseApiConfig } from '../api/stores.js';
import { FileTokenStore } from '../api/token-store.js';
import { FileSessionStore } from '../server/session-file.js';
import { RedisSessionStore } from '../server/session-redis.js';
import type { DispatchServices } from '../wechat/router.js';

/**
 * @example
 * const services = createWorkerServices({ env: process.env, stateDir: '/project/.wxmp' });
 * await bot.dispatch(message, services);
 */
export function createWorkerServices(options: { env: Env; stateDir: string }): DispatchServices {
  const config = parseApiConfig(options.env);
  const sessions = config.redisUrl
    ? new RedisSessionStore({ redis: connectRedis(config.redisUrl) })
    : new FileSessionStore({ dir: join(options.stateDir, 'sessions') });
  const client = config.appId && config.appSecret ? clientFromConfig(config, { tokenStore: new FileTokenStore({ dir: options.stateDir }) }) : undefined;
  return { sessions, client };
}
