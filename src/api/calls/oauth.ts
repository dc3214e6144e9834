/**
 * OAuth 2 web authorization (网页授权): send the user to WeChat's consent page,
 * trade the `code` for the user's token, read their profile. These calls use
 * the user's token, not the account's.
 */
import { ConfigError } from '../../errors.js';
import type { WechatJson } from '../http.js';
import { get, helper, nothing } from './define.js';
import { openid, text } from './limits.js';

/** `snsapi_base`: silent, openid only. `snsapi_userinfo`: asks consent, allows {@link oauthCalls.userinfo}. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

/** The result of a code exchange or refresh. The access token here is the user's, not the account's. */
export interface OAuthGrant {
  openid: string;
  scope: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  unionid?: string;
  /** 1 when the user only previewed the page (快照页模式) and did not authorize. */
  is_snapshotuser?: 1;
}

/** The profile /sns/userinfo returns (scope snsapi_userinfo). */
export interface OAuthUserInfo {
  openid: string;
  nickname: string;
  sex?: number;
  province?: string;
  city?: string;
  country?: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/**
 * WeChat's consent page; not under the API origin. Against any other API base
 * (the mock), the client uses `<apiBase>/connect/oauth2/authorize` instead.
 *
 * @example
 * new URL(OAUTH_AUTHORIZE_URL).host // 'open.weixin.qq.com'
 */
export const OAUTH_AUTHORIZE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';

const grant = (json: WechatJson): OAuthGrant => ({
  openid: String(json.openid),
  scope: String(json.scope),
  access_token: String(json.access_token),
  expires_in: Number(json.expires_in),
  refresh_token: String(json.refresh_token),
  unionid: typeof json.unionid === 'string' ? json.unionid : undefined,
  ...(json.is_snapshotuser === 1 ? { is_snapshotuser: 1 as const } : {}),
});

export const oauthCalls = {
  /** The URL to send the user's browser to (inside WeChat). `state` comes back unchanged: up to 128 letters or digits. */
  authorizeUrl: helper(['Web authorization: step 1, get the code', '网页授权 第一步：用户同意授权，获取code'], 'GET open.weixin.qq.com/connect/oauth2/authorize', (ctx) =>
    ({ redirect_uri: redirectUri, scope = 'snsapi_base', state = '' }: { redirect_uri: string; scope?: OAuthScope; state?: string }): string => {
      if (typeof redirectUri !== 'string' || !/^https?:\/\//.test(redirectUri)) {
        throw new ConfigError(`redirect_uri: expected an http(s) URL on the domain set in 网页授权域名, got ${JSON.stringify(redirectUri)}`);
      }
      if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') throw new ConfigError(`scope: expected "snsapi_base" or "snsapi_userinfo", got ${JSON.stringify(scope)}`);
      if (typeof state !== 'string' || !/^[A-Za-z0-9]{0,128}$/.test(state)) throw new ConfigError(`state: expected up to 128 letters or digits, got ${JSON.stringify(state)}`);
      // WeChat checks the parameter order on some clients, so the query is built by hand in its documented order.
      const q = `appid=${ctx.appId}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=${scope}&state=${state}`;
      return `${ctx.authorizeBase ?? OAUTH_AUTHORIZE_URL}?${q}#wechat_redirect`;
    }),
  /** Exchanges the `code` from the redirect (valid once, for 5 minutes; a second use is 40163). */
  exchangeCode: get('/sns/oauth2/access_token', ['Web authorization: step 2, exchange the code', '网页授权 第二步：通过code换取网页授权access_token'], {
    // A code works once; a blind retry would only earn 40163.
    safe: false,
    token: false,
    app: { in: 'query', appid: 'appid', secret: 'secret' },
    request: (code: string) => {
      if (typeof code !== 'string' || !code) throw new ConfigError(`code: expected the code from the redirect, got ${JSON.stringify(code)}`);
      return { query: { code, grant_type: 'authorization_code' } };
    },
    result: grant,
  }),
  /** A fresh user token from the refresh_token (valid 30 days). */
  refresh: get('/sns/oauth2/refresh_token', ['Web authorization: step 3, refresh the token', '网页授权 第三步：刷新access_token'], {
    token: false,
    app: { in: 'query', appid: 'appid' },
    request: (refreshToken: string) => ({ query: { grant_type: 'refresh_token', refresh_token: text('refresh_token', refreshToken) } }),
    result: grant,
  }),
  /** The user's profile (scope snsapi_userinfo only; 48001 otherwise). */
  userinfo: get('/sns/userinfo', ['Web authorization: step 4, get user information', '网页授权 第四步：拉取用户信息'], {
    token: false,
    request: (accessToken: string, user: string, lang: 'zh_CN' | 'zh_TW' | 'en' = 'zh_CN') => ({ query: { access_token: text('access_token', accessToken), openid: openid(user), lang } }),
    result: (j) => j as unknown as OAuthUserInfo,
  }),
  /** Resolves when the user's token is still valid; throws WechatApiError (40001, 42001) when not. */
  check: get('/sns/auth', ['Web authorization: check the access token', '网页授权 检验授权凭证（access_token）是否有效'], {
    token: false,
    request: (accessToken: string, user: string) => ({ query: { access_token: text('access_token', accessToken), openid: openid(user) } }),
    result: nothing,
  }),
};
