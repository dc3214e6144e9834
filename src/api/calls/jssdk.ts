/** JS-SDK: the jsapi ticket (cached like the access token) and signed `wx.config` objects. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import { worstCaseMs } from '../http.js';
import { TokenCache } from '../token-cache.js';
import type { ApiContext } from '../context.js';
import { get, helper } from './define.js';
import { oneOf } from './limits.js';

/** What a page passes to `wx.config` (plus `jsApiList`). */
export interface JssdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList?: string[];
  openTagList?: string[];
  debug?: boolean;
}

/**
 * WeChat's JS-SDK signature: sha1 of `jsapi_ticket=..&noncestr=..&timestamp=..&url=..`
 * (keys in ASCII order, values raw). The URL is the page's, without `#...`.
 *
 * @example
 * jssdkSignature({ ticket, nonceStr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457, url: 'http://mp.weixin.qq.com?params=value' })
 */
export function jssdkSignature(input: { ticket: string; nonceStr: string; timestamp: number | string; url: string }): string {
  const url = input.url.split('#')[0] ?? '';
  const fields: Record<string, string> = { jsapi_ticket: input.ticket, noncestr: input.nonceStr, timestamp: String(input.timestamp), url };
  const text = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('sha1').update(text).digest('hex');
}

const caches = new WeakMap<ApiContext, Map<string, TokenCache>>();

/** One cache per client and ticket type, fetched at most once per lifetime and shared through the token store. */
function ticketCache(ctx: ApiContext, group: { getTicket(type: string): Promise<{ ticket: string; expires_in: number }> }, type: 'jsapi' | 'wx_card'): TokenCache {
  let byType = caches.get(ctx);
  if (!byType) caches.set(ctx, (byType = new Map()));
  let cache = byType.get(type);
  if (!cache) {
    const key = type === 'jsapi' ? `jsapi_ticket.${ctx.storeScope}` : `${type}_ticket.${ctx.storeScope}`;
    cache = new TokenCache({
      key,
      store: ctx.tokenStore,
      now: ctx.now,
      refreshEarlyMs: ctx.refreshEarlyMs,
      // A ticket fetch may first refresh the token (two calls), then ask for the ticket twice (token refused once).
      lockTtlMs: 4 * worstCaseMs(ctx.http) + 5_000,
      fetcher: async () => {
        const json = await group.getTicket(type);
        return { value: json.ticket, expiresInSeconds: Number(json.expires_in) };
      },
    });
    byType.set(type, cache);
  }
  return cache;
}

export const jssdkCalls = {
  /** Fetches a new ticket; {@link jssdkCalls.ticket} caches it, prefer that. */
  getTicket: get('/cgi-bin/ticket/getticket', ['JS-SDK: get the jsapi_ticket', 'JS-SDK 获取jsapi_ticket'], {
    request: (type: 'jsapi' | 'wx_card' = 'jsapi') => ({ query: { type: oneOf('type', type, ['jsapi', 'wx_card']) } }),
    result: (j) => ({ ticket: String(j.ticket), expires_in: Number(j.expires_in) }),
  }),
  /** The current jsapi_ticket (or `wx_card` ticket), cached until shortly before it expires. */
  ticket: helper(['JS-SDK: get the jsapi_ticket', 'JS-SDK 获取jsapi_ticket'], 'GET /cgi-bin/ticket/getticket (cached)', (ctx, group) => (type: 'jsapi' | 'wx_card' = 'jsapi') => ticketCache(ctx, group, type).get()),
  /** A signed `wx.config` for the page at `url` (the page's own URL, `#` part ignored). */
  config: helper(['JS-SDK: signature algorithm', 'JS-SDK 签名算法'], 'jsapi_ticket + sha1', (ctx, group) => async (url: string, options: { jsApiList?: string[]; openTagList?: string[]; debug?: boolean } = {}): Promise<JssdkConfig> => {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ConfigError(`jssdk url: expected the page's full http(s) URL, got ${JSON.stringify(url)}`);
    const ticket = await ticketCache(ctx, group, 'jsapi').get();
    const timestamp = Math.floor(ctx.now() / 1000);
    const nonceStr = ctx.random(12).toString('base64url').slice(0, 16);
    return { appId: ctx.appId, timestamp, nonceStr, signature: jssdkSignature({ ticket, nonceStr, timestamp, url }), ...options };
  }),
};
