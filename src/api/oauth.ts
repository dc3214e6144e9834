/**
 * OAuth2 web authorization (网页授权): send the user to WeChat's consent page,
 * then trade the `code` WeChat appends to the redirect for the user's openid.
 */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';
import { callWechat } from './http.js';

/** `snsapi_base`: silent, openid only. `snsapi_userinfo`: asks consent, allows /sns/userinfo. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

/** The result of a code exchange. The access token here is the user's, not the account's. */
export interface OAuthGrant {
  openid: string;
  scope: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  unionid?: string;
}

/** @see oauthApi */
export interface OAuthApi {
  /** The URL to send the user's browser to (inside WeChat). */
  authorizeUrl(options: { redirectUri: string; scope?: OAuthScope; state?: string }): string;
  /** Exchanges the `code` from the redirect (valid once, for 5 minutes). */
  exchangeCode(code: string): Promise<OAuthGrant>;
}

/**
 * WeChat's consent page; not under the API origin, so WECHAT_API_BASE does not move it.
 *
 * @example
 * oauthApi(ctx, { authorizeBase: 'http://127.0.0.1:8787/connect/oauth2/authorize' }) // an emulator's page instead
 */
export const OAUTH_AUTHORIZE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';

/**
 * @example
 * const url = client.oauth.authorizeUrl({ redirectUri: 'https://example.com/cb', state: 'x' });
 * const { openid } = await client.oauth.exchangeCode(c.req.query('code')!);
 */
export function oauthApi(ctx: ApiContext, options: { authorizeBase?: string } = {}): OAuthApi {
  const base = options.authorizeBase ?? OAUTH_AUTHORIZE_URL;
  return {
    authorizeUrl({ redirectUri, scope = 'snsapi_base', state = '' }) {
      if (typeof redirectUri !== 'string' || !/^https?:\/\//.test(redirectUri)) {
        throw new ConfigError(`redirectUri: expected an http(s) URL on the domain set in 网页授权域名, got ${JSON.stringify(redirectUri)}`);
      }
      if (!/^[A-Za-z0-9]{0,128}$/.test(state)) throw new ConfigError(`state: expected up to 128 letters or digits, got ${JSON.stringify(state)}`);
      // WeChat checks the parameter order on some clients, so build the query by hand in its documented order.
      const q = `appid=${ctx.appId}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=${scope}&state=${state}`;
      return `${base}?${q}#wechat_redirect`;
    },
    async exchangeCode(code) {
      if (typeof code !== 'string' || !code) throw new ConfigError(`code: expected the code from the redirect, got ${JSON.stringify(code)}`);
      const json = await callWechat(ctx.http, {
        method: 'GET',
        path: '/sns/oauth2/access_token',
        query: { appid: ctx.appId, secret: ctx.appSecret, code, grant_type: 'authorization_code' },
        // A code works once; a blind retry would only earn 40163.
        idempotent: false,
      });
      return {
        openid: String(json.openid),
        scope: String(json.scope),
        accessToken: String(json.access_token),
        expiresIn: Number(json.expires_in),
        refreshToken: String(json.refresh_token),
        unionid: typeof json.unionid === 'string' ? json.unionid : undefined,
      };
    },
  };
}
