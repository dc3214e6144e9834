/**
 * The endpoint a page calls to configure the JS-SDK: GET `?url=<the page's
 * URL>` answers the signed `wx.config` object. Only pages on the hosts set as
 * JS接口安全域名 are signed, so the endpoint cannot be used for other sites.
 */
import type { Handler } from 'hono';
import type { JssdkConfig } from '../api/calls/jssdk.js';
import { ConfigError } from '../errors.js';

/** Options of {@link jssdkConfigRoute}. */
export interface JssdkRouteOptions {
  client: { jssdk: { config(url: string, options?: { jsApiList?: string[]; openTagList?: string[]; debug?: boolean }): Promise<JssdkConfig> } };
  /** Hosts allowed (the account's JS接口安全域名), e.g. `['example.com']`. */
  allowedHosts: string[];
  /** APIs the page will call, passed on to `wx.config`. */
  jsApiList?: string[];
  openTagList?: string[];
  debug?: boolean;
}

/**
 * @example
 * app.get('/wx/jssdk-config', jssdkConfigRoute({ client, allowedHosts: ['example.com'], jsApiList: ['chooseImage'] }));
 * // in the page: fetch('/wx/jssdk-config?url=' + encodeURIComponent(location.href.split('#')[0])).then(r => r.json()).then(wx.config)
 */
export function jssdkConfigRoute(options: JssdkRouteOptions): Handler {
  if (typeof options?.client?.jssdk?.config !== 'function') throw new ConfigError('jssdkConfigRoute client: expected a WeChat client (createWechatClient(...))');
  if (!Array.isArray(options.allowedHosts) || options.allowedHosts.length === 0 || options.allowedHosts.some((h) => typeof h !== 'string' || !h)) {
    throw new ConfigError(`jssdkConfigRoute allowedHosts: expected the hosts set as JS接口安全域名, e.g. ['example.com'], got ${JSON.stringify(options.allowedHosts)}`);
  }
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const { jsApiList = [], openTagList, debug } = options;
  return async function jssdkConfig(c) {
    const raw = c.req.query('url');
    let url: URL;
    try {
      url = new URL(raw ?? '');
    } catch {
      return c.json({ error: `url: expected the page's full URL (location.href without #), got ${JSON.stringify(raw ?? null)}` }, 400);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return c.json({ error: `url: expected http(s), got ${url.protocol}` }, 400);
    if (!hosts.has(url.hostname.toLowerCase())) {
      return c.json({ error: `url: ${url.hostname} is not one of the allowed hosts (${[...hosts].join(', ')}); add it to allowedHosts and to JS接口安全域名` }, 403);
    }
    const config = await options.client.jssdk.config(raw!.split('#')[0]!, { jsApiList, ...(openTagList ? { openTagList } : {}), ...(debug ? { debug } : {}) });
    c.header('cache-control', 'no-store');
    return c.json(config);
  };
}
