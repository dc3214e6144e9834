/**
 * What the message server takes from this module in production: the de-dup
 * store (Redis when REDIS_URL is set) and, when an AppSecret is configured,
 * the hook that sends late replies as customer-service messages.
 */
import type { DedupStore } from '../wechat/dedup.js';
import type { SessionStore } from '../wechat/session.js';
import type { LateReply } from '../server/wechat.js';
import type { WechatClient } from './client.js';
import { createLateReplySender, type LateReplyLogger } from './late-reply.js';
import { clientFromConfig, createStores, type ApiConfig } from './stores.js';

/** Options to spread into `createApp` / `startServer`, plus what to close on shutdown. */
export interface ApiServerOptions {
  dedupStore: DedupStore;
  sessionStore: SessionStore;
  onLateReply?: (late: LateReply) => Promise<void>;
  /** The API client, when WECHAT_APP_ID and WECHAT_APP_SECRET are set. */
  client?: WechatClient;
  /** One line for the startup log, e.g. "state: redis; late replies: customer-service messages". */
  summary: string;
  close(): Promise<void>;
}

/**
 * @example
 * const api = apiServerOptions(config, { logger: consoleLogger });
 * const running = await startServer(config, { router, dedupStore: api.dedupStore, onLateReply: api.onLateReply });
 * // on shutdown: await running.close(); await api.close();
 */
export function apiServerOptions(config: ApiConfig, options: { logger?: LateReplyLogger; dir?: string; sessionDir?: string } = {}): ApiServerOptions {
  // The message server reports a Redis outage itself, one line each way, when a message
  // first falls back to memory and when Redis answers again: the connection stays quiet.
  const stores = createStores(config, { dir: options.dir, sessionDir: options.sessionDir, warn: () => {} });
  const client = config.appId && config.appSecret ? clientFromConfig(config, { tokenStore: stores.tokenStore }) : undefined;
  const onLateReply = client ? createLateReplySender({ client, logger: options.logger }) : undefined;
  const state = stores.kind === 'redis' ? 'Redis (REDIS_URL)' : 'this process (set REDIS_URL for several instances)';
  return {
    dedupStore: stores.dedupStore,
    sessionStore: stores.sessionStore,
    onLateReply,
    client,
    summary: `${stores.kind === 'local' && options.sessionDir ? `de-dup in ${state}, sessions in files under ${options.sessionDir}` : `de-dup and sessions in ${state}`}; late replies ${client ? 'sent as customer-service messages' : 'on WeChat\'s retries or "继续" (WECHAT_LATE_REPLY=retry; set WECHAT_APP_SECRET for customer-service messages)'}`,
    close: () => stores.close(),
  };
}
