/**
 * JS-SDK: the jsapi_ticket (cached and refreshed like the access token) and
 * the page signature `wx.config` needs.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';
import { TokenCache } from './token-cache.js';

/** What a page passes to `wx.config` (plus `jsApiList`). */
export interface JssdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
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

/** @see jssdkApi */
export interface JssdkApi {
  /** The current jsapi_ticket (fetched at most once per lifetime, shared through the token store). */
  ticket(): Promise<string>;
  /** A signed `wx.config` for the page at `url`. */
  config(url: string): Promise<JssdkConfig>;
}

/**
 * @example
 * app.get('/jssdk', async (c) => c.json(await client.jssdk.config(c.req.query('url')!)));
 */
export function jssdkApi(ctx: ApiContext): JssdkApi {
  const cache = new TokenCache({
    key: `jsapi_ticket.${ctx.storeScope}`,
    store: ctx.tokenStore,
    now: ctx.now,
    refreshEarlyMs: ctx.refreshEarlyMs,
    fetcher: async () => {
      const json = await ctx.request({ method: 'GET', path: '/cgi-bin/ticket/getticket', query: { type: 'jsapi' }, idempotent: true });
      return { value: String(json.ticket), expiresInSeconds: Number(json.expires_in) };
    },
  });
  return {
    ticket: () => cache.get(),
    async config(url) {
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
        throw new ConfigError(`jssdk url: expected the page's full http(s) URL, got ${JSON.stringify(url)}`);
      }
      const ticket = await cache.get();
      const timestamp = Math.floor(ctx.now() / 1000);
      const nonceStr = ctx.random(12).toString('base64url').slice(0, 16);
      return { appId: ctx.appId, timestamp, nonceStr, signature: jssdkSignature({ ticket, nonceStr, timestamp, url }) };
    },
  };
}
