import { Hono } from 'hono';
import type { ServerConfig } from '../config.js';
import type { Router } from '../wechat/router.js';
import { wechat, type WechatOptions } from './wechat.js';

export interface AppOptions extends Omit<WechatOptions, 'token' | 'appId' | 'encodingAESKey' | 'router' | 'deadlineMs' | 'mode' | 'maxClockSkewSec'> {
  config: Pick<ServerConfig, 'token' | 'appId' | 'encodingAESKey' | 'path'> & Partial<Pick<ServerConfig, 'deadlineMs' | 'lateReply' | 'mode' | 'maxClockSkewSec'>>;
  router: Pick<Router<any>, 'dispatch'>;
  /** Further accounts, each at its own path with its own credentials (see parseAccounts). */
  accounts?: Array<Pick<ServerConfig, 'token' | 'appId' | 'encodingAESKey' | 'path' | 'lateReply'> & Partial<Pick<ServerConfig, 'mode' | 'appSecret'>> & { name: string; client?: WechatOptions['client']; onLateReply?: WechatOptions['onLateReply'] }>;
  /** Reported by /healthz; the deploy records it per release. */
  version?: string;
  /** Start time for /healthz's uptime; injected by tests. */
  startedAt?: number;
}

/**
 * The production app: the WeChat callback at `config.path` and `GET /healthz`.
 *
 * @example
 * const app = createApp({ config: parseServerConfig(loadEnv()), router });
 * const res = await app.request('/healthz'); // 200 {"status":"ok",...}
 */
export function createApp(options: AppOptions): Hono {
  const { config, router, accounts = [], version = process.env.npm_package_version ?? '0.0.0', startedAt = Date.now(), ...rest } = options;
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', version, uptime: Math.round((Date.now() - startedAt) / 1000) }));
  app.all(config.path, wechat({ ...rest, token: config.token, appId: config.appId, encodingAESKey: config.encodingAESKey, deadlineMs: config.deadlineMs, mode: config.mode, maxClockSkewSec: config.maxClockSkewSec, router, lateReply: rest.lateReply ?? config.lateReply, account: accounts.length ? 'default' : undefined }));
  for (const account of accounts) {
    app.all(account.path, wechat({ ...rest, token: account.token, appId: account.appId, encodingAESKey: account.encodingAESKey, deadlineMs: config.deadlineMs, mode: account.mode, maxClockSkewSec: config.maxClockSkewSec, router, lateReply: account.lateReply, client: account.client, onLateReply: account.onLateReply, account: account.name }));
  }
  const paths = [config.path, ...accounts.map((a) => a.path)].join(', ');
  app.notFound((c) => c.text(`not found: the WeChat callback${accounts.length ? 's are' : ' is'} at ${paths} (WECHAT_PATH)`, 404));
  return app;
}
