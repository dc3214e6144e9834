/** Operations: WeChat's IP ranges, the network check, quotas and error look-up (运维). */
import { as, get, nothing, post } from './define.js';
import { oneOf, text } from './limits.js';

/** The answer of openapi/quota/get: today's use of one API. */
export interface Quota {
  quota: { daily_limit: number; used: number; remain: number };
  rate_limit?: { call_count: number; refresh_second: number };
  component_rate_limit?: { call_count: number; refresh_second: number };
}

/** What WeChat knows about a failed call's rid. */
export interface RidInfo {
  request: { invoke_time: number; cost_in_ms: number; request_url: string; request_body: string; response_body: string; client_ip: string };
}

/** Per operator: DNS and ping results from WeChat's side. */
export interface NetworkCheck {
  dns: Array<{ ip: string; real_operator: string }>;
  ping: Array<{ ip: string; from_operator: string; package_loss: string; time: string }>;
}

export const opsCalls = {
  /** A stable access token straight from WeChat (the client caches one for you; `forceRefresh` replaces it, 20 times a day). */
  stableToken: post('/cgi-bin/stable_token', ['Get a stable access token', '获取稳定版接口调用凭据'], {
    token: false,
    app: { in: 'json', appid: 'appid', secret: 'secret' },
    request: (forceRefresh = false) => ({ json: { grant_type: 'client_credential', force_refresh: forceRefresh === true } }),
    result: as<{ access_token: string; expires_in: number }>(),
  }),
  /** The IPs WeChat sends callbacks from (to allowlist them in a firewall). */
  callbackIps: get('/cgi-bin/getcallbackip', ['Get the IP addresses of WeChat callback servers', '获取微信callback IP地址'], {
    result: (j) => j.ip_list as string[],
    example: { ip_list: ['101.226.103.0/25', '101.226.62.0/26', '58.251.80.0/27'] },
  }),
  /** The IPs behind api.weixin.qq.com. */
  apiDomainIps: get('/cgi-bin/get_api_domain_ip', ['Get the IP addresses of the WeChat API servers', '获取微信API接口 IP地址'], {
    result: (j) => j.ip_list as string[],
    example: { ip_list: ['101.89.47.18', '101.91.34.103'] },
  }),
  /** Asks WeChat to resolve and ping this account's callback URL from each operator. */
  callbackCheck: post('/cgi-bin/callback/check', ['Network check', '网络检测'], {
    safe: true,
    request: (action: 'dns' | 'ping' | 'all' = 'all', operator: 'CHINANET' | 'UNICOM' | 'CAP' | 'DEFAULT' = 'DEFAULT') => ({
      json: { action: oneOf('action', action, ['dns', 'ping', 'all']), check_operator: oneOf('check_operator', operator, ['CHINANET', 'UNICOM', 'CAP', 'DEFAULT']) },
    }),
    result: as<NetworkCheck>(),
  }),
  /** Resets today's call counts of every API (allowed 10 times a month, so never retried: a repeat spends another). */
  clearQuota: post('/cgi-bin/clear_quota', ['Reset API call quota', '重置API调用次数'], { app: { in: 'json', appid: 'appid' }, result: nothing }),
  /** The same reset with the AppSecret instead of a token (works when the token itself is the problem). */
  clearQuotaBySecret: post('/cgi-bin/clear_quota/v2', ['Reset API call quota with the AppSecret', '使用AppSecret重置API调用次数'], {
    // Not retried: the same 10 resets a month as clearQuota.
    token: false,
    app: { in: 'query', appid: 'appid', secret: 'appsecret' },
    result: nothing,
  }),
  /** Today's quota of one API path, e.g. `/cgi-bin/message/custom/send`. */
  quota: post('/cgi-bin/openapi/quota/get', ['Query API call quota', '查询API调用额度'], {
    safe: true,
    request: (cgiPath: string) => ({ json: { cgi_path: text('cgi_path', cgiPath).replace(/^(?!\/)/, '/') } }),
    result: as<Quota>(),
  }),
  /** The request behind the `rid` in an errmsg (within 7 days). */
  rid: post('/cgi-bin/openapi/rid/get', ['Query rid information', '查询rid信息'], {
    safe: true,
    request: (rid: string) => ({ json: { rid: text('rid', rid) } }),
    result: as<RidInfo>(),
  }),
  /** The automatic-reply rules set in the admin console. */
  autoReplyRules: get('/cgi-bin/get_current_autoreply_info', ['Get auto-reply rules', '获取公众号的自动回复规则'], {
    example: {
      is_add_friend_reply_open: 1,
      is_autoreply_open: 1,
      add_friend_autoreply_info: { type: 'text', content: '感谢关注' },
      message_default_autoreply_info: { type: 'text', content: '你好' },
      keyword_autoreply_info: { list: [] },
    },
  }),
  /** Asks WeChat's semantic understanding service. */
  semanticSearch: post('/semantic/semproxy/search', ['Semantic understanding', '语义理解'], {
    safe: true,
    app: { in: 'json', appid: 'appid' },
    request: (q: { query: string; category: string; uid?: string; city?: string; latitude?: number; longitude?: number; region?: string }) => ({
      json: { ...q, query: text('query', q.query), category: text('category', q.category) },
    }),
  }),
};
