/**
 * What the bot's handlers get on their context in `npm run dev`: sessions in
 * files under .wxmp/sessions (or Redis with REDIS_URL), so a conversation
 * survives hot reloads and restarts, and the API client (the offline mock
 * unless an AppSecret is set). Bundled into each build of the bot, because the
 * bot runs in a worker thread without a TypeScript loader; ioredis is loaded
 * only when REDIS_URL asks for it, so a reload stays fast without it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Env } from '../config.js';
import { createWechatClient } from '../api/client.js';
import { FileTokenStore } from '../api/token-store.js';
import { FileSessionStore } from '../server/session-file.js';
import { RedisSessionStore } from '../server/session-redis.js';
import type { DispatchServices } from '../wechat/router.js';

/** A further account's API client settings, as the dev server decided them (its own AppSecret, or the offline mock). */
export interface WorkerAccount {
  name: string;
  appId?: string;
  appSecret?: string;
  apiBase?: string;
}

/** The first account's services, and each further account's (its own client, the shared sessions). */
export type WorkerServices = DispatchServices & { accounts: Record<string, DispatchServices> };

/**
 * @example
 * const services = createWorkerServices({ env: process.env, stateDir: '/project/.wxmp', accounts: [{ name: 'shop', ... }] });
 * await bot.dispatch(message, services.accounts[account] ?? services);
 */
export function createWorkerServices(options: { env: Env; stateDir: string; accounts?: WorkerAccount[] }): WorkerServices {
  const get = (name: string) => options.env[name]?.trim() || undefined;
  const redisUrl = get('REDIS_URL');
  let sessions: DispatchServices['sessions'];
  if (redisUrl) {
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as { Redis: new (url: string, o: object) => Redis };
    sessions = new RedisSessionStore({ redis: new RedisClient(redisUrl, { maxRetriesPerRequest: 3 }) });
  } else {
    sessions = new FileSessionStore({ dir: join(options.stateDir, 'sessions') });
  }
  const appId = get('WECHAT_APP_ID');
  const appSecret = get('WECHAT_APP_SECRET');
  const apiBase = (get('WECHAT_API_BASE') ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
  const tokenStore = new FileTokenStore({ dir: options.stateDir });
  const client = appId && appSecret ? createWechatClient({ appId, appSecret, apiBase, tokenStore }) : undefined;
  const accounts: Record<string, DispatchServices> = {};
  if (options.accounts?.length) {
    accounts.default = { sessions, client, account: 'default' };
    for (const a of options.accounts) {
      const own = a.appId && a.appSecret ? createWechatClient({ appId: a.appId, appSecret: a.appSecret, apiBase: (a.apiBase ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''), tokenStore }) : undefined;
      accounts[a.name] = { sessions, client: own, account: a.name };
    }
  }
  return { sessions, client, accounts };
}
