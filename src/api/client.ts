/**
 * The WeChat API client: options, the access token, and the typed API groups.
 * Every call carries the current token; when WeChat rejects the token (40001,
 * 40014, 42001) a newer one is got once (forced only as a last resort, see
 * TokenCache.refresh) and the call is made once more.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { accessTokenFetcher, type TokenEndpoint } from './access-token.js';
import type { ApiContext } from './context.js';
import { bindGroup } from './calls/bind.js';
import type { Bound } from './calls/define.js';
import { API_GROUPS } from './calls/index.js';
import { OAUTH_AUTHORIZE_URL } from './calls/oauth.js';
import { WechatApiError } from './errors.js';
import { callWechat, worstCaseMs, type CallSpec, type Fetch, type HttpSettings, type WechatJson } from './http.js';
import { TokenCache } from './token-cache.js';
import { FileTokenStore, type TokenStore } from './token-store.js';

/** Options of {@link createWechatClient}. Only `appId` and `appSecret` are required. */
export interface WechatClientOptions {
  appId: string;
  appSecret: string;
  /** API origin; WECHAT_API_BASE. Default `https://api.weixin.qq.com`. */
  apiBase?: string;
  /** Where tokens and tickets persist. Default: files under `.wxmp/`. */
  tokenStore?: TokenStore;
  /** `stable` (default) or `classic` token endpoint. */
  tokenEndpoint?: TokenEndpoint;
  /** Per-call timeout in ms. Default 10 000. */
  timeoutMs?: number;
  /** Refresh the token this long before it expires. Default 5 minutes. */
  refreshEarlyMs?: number;
  /** Waits before retrying a safe call WeChat answered -1 (busy). Default `[300, 1200]`. Sends are never retried. */
  busyRetryDelaysMs?: number[];
  fetch?: Fetch;
  now?: () => number;
  random?: (size: number) => Buffer;
}

/** The typed groups: `client.menu.create(...)`, `client.user.tags.create(...)`; see docs/api.md for every call. */
export type WechatApiGroups = { readonly [G in keyof typeof API_GROUPS]: Bound<(typeof API_GROUPS)[G]> };

/** The client: `request` for any endpoint, plus typed groups. */
export interface WechatClient extends WechatApiGroups {
  readonly appId: string;
  readonly apiBase: string;
  /** The current access token (for endpoints wxmp does not wrap). Keep it out of logs. */
  accessToken(): Promise<string>;
  /** Calls any endpoint with the access token added; errcodes throw WechatApiError. */
  request(spec: CallSpec): Promise<WechatJson>;
  /** Closes the token store's connections (Redis). */
  close(): Promise<void>;
}

const DEFAULT_API_BASE = 'https://api.weixin.qq.com';

/** Errcodes that mean "this token is no good": refresh once and retry once. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

function requireString(name: string, value: unknown, expected: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${name}: expected ${expected}, got ${value === undefined ? 'nothing' : JSON.stringify(typeof value === 'string' ? value : typeof value)}`);
  }
  return value.trim();
}

function checkOptions(o: WechatClientOptions): void {
  if (typeof o !== 'object' || o === null) throw new ConfigError(`WeChat client options: expected an object, got ${o === null ? 'null' : typeof o}`);
  if (o.apiBase !== undefined && !/^https?:\/\/[^/]+/.test(o.apiBase)) {
    throw new ConfigError(`apiBase: expected an http(s) origin such as https://api.weixin.qq.com, got ${JSON.stringify(o.apiBase)}`);
  }
  if (o.tokenEndpoint !== undefined && o.tokenEndpoint !== 'stable' && o.tokenEndpoint !== 'classic') {
    throw new ConfigError(`tokenEndpoint: expected "stable" or "classic", got ${JSON.stringify(o.tokenEndpoint)}`);
  }
  if (o.busyRetryDelaysMs !== undefined && (!Array.isArray(o.busyRetryDelaysMs) || o.busyRetryDelaysMs.some((d) => !Number.isInteger(d) || d < 0))) {
    throw new ConfigError(`busyRetryDelaysMs: expected an array of non-negative integers (ms), got ${JSON.stringify(o.busyRetryDelaysMs)}`);
  }
  if (o.timeoutMs !== undefined && (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 1)) {
    throw new ConfigError(`timeoutMs: expected a positive integer, got ${JSON.stringify(o.timeoutMs)}`);
  }
}

/**
 * Creates a client. Nothing is fetched until the first call.
 *
 * @example
 * const client = createWechatClient({ appId: 'wx123', appSecret: process.env.WECHAT_APP_SECRET! });
 * await client.customerService.sendText(openid, '您的订单已发货');
 */
export function createWechatClient(options: WechatClientOptions): WechatClient {
  checkOptions(options);
  const appId = requireString('appId (WECHAT_APP_ID)', options.appId, 'your AppID (wx...)');
  const appSecret = requireString('appSecret (WECHAT_APP_SECRET)', options.appSecret, 'the AppSecret from 基本配置');
  const http: HttpSettings = {
    apiBase: (options.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, ''),
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
    busyRetryDelaysMs: options.busyRetryDelaysMs,
  };
  const now = options.now ?? Date.now;
  // A mock's tokens must never be sent to WeChat (or the reverse), even when they share `.wxmp/`.
  const storeScope = http.apiBase === DEFAULT_API_BASE ? appId : `${appId}.${createHash('sha1').update(http.apiBase).digest('hex').slice(0, 8)}`;
  const tokenStore: TokenStore = options.tokenStore ?? new FileTokenStore();
  const tokens = new TokenCache({
    key: `access_token.${storeScope}`,
    store: tokenStore,
    now,
    refreshEarlyMs: options.refreshEarlyMs,
    // A refresh is a normal fetch, then maybe a forced one: the lock must outlast both, or another instance fetches (and forces) alongside.
    lockTtlMs: 2 * worstCaseMs(http) + 5_000,
    fetcher: accessTokenFetcher(http, { appId, appSecret, endpoint: options.tokenEndpoint ?? 'stable' }),
  });

  async function request(spec: CallSpec): Promise<WechatJson> {
    const token = await tokens.get();
    const call = (t: string) => callWechat(http, { ...spec, query: { ...spec.query, access_token: t } });
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_REJECTED.has(error.errcode)) throw error;
      // WeChat refused the token, so the first call did nothing: retrying even a send is safe.
      // An expired token (42001) is never forced: a normal stable_token call already hands out the next one.
      return call(await tokens.refresh(token, { mayForce: error.errcode !== 42001 }));
    }
  }

  const ctx: ApiContext = { appId, appSecret, http, request, tokenStore, storeScope, now, random: options.random ?? randomBytes, refreshEarlyMs: options.refreshEarlyMs,
    // Offline, the mock serves its own consent page next to its API.
    authorizeBase: http.apiBase === DEFAULT_API_BASE ? OAUTH_AUTHORIZE_URL : `${http.apiBase}/connect/oauth2/authorize` };
  const groups = Object.fromEntries(Object.entries(API_GROUPS).map(([name, group]) => [name, bindGroup(ctx, group)])) as unknown as WechatApiGroups;
  return {
    appId,
    apiBase: http.apiBase,
    accessToken: () => tokens.get(),
    request,
    ...groups,
    close: async () => {
      await tokenStore.close?.();
    },
  };
}
