/**
 * OAuth 2 for web pages opened inside WeChat (网页授权) as Hono middleware:
 * sends a visitor without a session to WeChat's consent page, checks `state`
 * against a signed cookie when they come back, exchanges the `code` once,
 * removes `code` and `state` from the address bar by redirecting, and keeps the
 * user in a signed cookie session.
 */
import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import type { OAuthGrant, OAuthScope, OAuthUserInfo } from '../api/calls/oauth.js';
import { WechatApiError } from '../api/errors.js';
import { ConfigError } from '../errors.js';
import { errorMessage } from './error-text.js';

/** The signed-in WeChat user, as `c.get('wechatUser')`. Profile fields only with scope snsapi_userinfo. */
export interface WechatUser {
  openid: string;
  unionid?: string;
  scope: string;
  nickname?: string;
  headimgurl?: string;
  /** When the session ends (ms since epoch). */
  expiresAt: number;
}

/** What the middleware needs from the client (`createWechatClient(...)` fits). */
export interface OAuthClient {
  oauth: {
    authorizeUrl(options: { redirect_uri: string; scope?: OAuthScope; state?: string }): string;
    exchangeCode(code: string): Promise<OAuthGrant>;
    userinfo(accessToken: string, openid: string): Promise<OAuthUserInfo>;
  };
}

/** Options of {@link wechatOAuth}. */
export interface WechatOAuthOptions {
  client: OAuthClient;
  /** Signs the cookies: at least 32 characters, kept out of the code (e.g. SESSION_SECRET). */
  secret: string;
  /** `snsapi_base` (default: silent, openid only) or `snsapi_userinfo` (asks consent, adds nickname and avatar). */
  scope?: OAuthScope;
  /** Cookie name of the session. Default `wxmp_oauth`. */
  cookieName?: string;
  /** Session length. Default 7 days. */
  maxAgeSeconds?: number;
  /** The origin WeChat sees (e.g. `https://example.com`) when the app runs behind a proxy or tunnel. Default: the request's, honouring X-Forwarded-Proto. */
  publicOrigin?: string;
  now?: () => number;
  random?: (size: number) => Buffer;
}

/** Hono variables the middleware sets. */
export type WechatOAuthEnv = { Variables: { wechatUser: WechatUser } };

const CODE_TTL_MS = 5 * 60_000;
/** Codes WeChat refuses because they were used or are stale: a fresh code fixes them. */
const STALE_CODE = new Set([40029, 40163, 42003]);
const MAX_RETRIES = 2;

function checkOptions(o: WechatOAuthOptions): void {
  if (typeof o !== 'object' || o === null) throw new ConfigError(`wechatOAuth: expected an options object, got ${o === null ? 'null' : typeof o}`);
  if (typeof o.client?.oauth?.exchangeCode !== 'function') throw new ConfigError('wechatOAuth client: expected a WeChat client (createWechatClient(...))');
  if (typeof o.secret !== 'string' || o.secret.length < 32) throw new ConfigError(`wechatOAuth secret: expected at least 32 characters (e.g. openssl rand -hex 32), got ${typeof o.secret === 'string' ? `${o.secret.length}` : typeof o.secret}`);
  if (o.scope !== undefined && o.scope !== 'snsapi_base' && o.scope !== 'snsapi_userinfo') throw new ConfigError(`wechatOAuth scope: expected "snsapi_base" or "snsapi_userinfo", got ${JSON.stringify(o.scope)}`);
  if (o.publicOrigin !== undefined && !/^https?:\/\/[^/]+$/.test(o.publicOrigin)) throw new ConfigError(`wechatOAuth publicOrigin: expected an origin such as https://example.com, got ${JSON.stringify(o.publicOrigin)}`);
  if (o.maxAgeSeconds !== undefined && (!Number.isInteger(o.maxAgeSeconds) || o.maxAgeSeconds < 60)) throw new ConfigError(`wechatOAuth maxAgeSeconds: expected an integer of at least 60, got ${JSON.stringify(o.maxAgeSeconds)}`);
}

/**
 * Requires a WeChat user on the routes it guards.
 *
 * @example
 * const app = new Hono<WechatOAuthEnv>();
 * app.use('/my/*', wechatOAuth({ client, secret: process.env.SESSION_SECRET!, scope: 'snsapi_userinfo' }));
 * app.get('/my/orders', (c) => c.text(`hello ${c.get('wechatUser').nickname}`));
 */
export function wechatOAuth(options: WechatOAuthOptions): MiddlewareHandler<WechatOAuthEnv> {
  checkOptions(options);
  const { client, secret } = options;
  const scope = options.scope ?? 'snsapi_base';
  const cookieName = options.cookieName ?? 'wxmp_oauth';
  const stateCookie = `${cookieName}_state`;
  const retryCookie = `${cookieName}_retry`;
  const maxAge = options.maxAgeSeconds ?? 7 * 86_400;
  const now = options.now ?? Date.now;
  const random = options.random ?? randomBytes;
  // WeChat clients sometimes load the redirect twice: the same code is exchanged once and shared.
  const exchanges = new Map<string, Promise<OAuthGrant>>();

  function exchangeOnce(code: string): Promise<OAuthGrant> {
    let p = exchanges.get(code);
    if (!p) {
      p = client.oauth.exchangeCode(code);
      exchanges.set(code, p);
      setTimeout(() => exchanges.delete(code), CODE_TTL_MS).unref?.();
    }
    return p;
  }

  function pageUrl(c: Context): URL {
    const url = new URL(c.req.url);
    if (options.publicOrigin) return new URL(`${options.publicOrigin}${url.pathname}${url.search}`);
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
    if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
    return url;
  }

  async function readSession(c: Context): Promise<WechatUser | null> {
    const raw = await getSignedCookie(c, secret, cookieName);
    if (!raw) return null;
    try {
      const user = JSON.parse(Buffer.from(raw, 'base64url').toString()) as WechatUser;
      return typeof user.openid === 'string' && user.expiresAt > now() ? user : null;
    } catch {
      return null;
    }
  }

  return async function wechatOAuthMiddleware(c, next) {
    const url = pageUrl(c);
    const secure = url.protocol === 'https:';
    const cookie = { httpOnly: true, secure, sameSite: 'Lax' as const, path: '/' };
    const code = url.searchParams.get('code');
    const session = await readSession(c);
    const clean = new URL(url);
    clean.searchParams.delete('code');
    clean.searchParams.delete('state');

    if (code === null) {
      if (session) {
        c.set('wechatUser', session);
        return next();
      }
      const retries = Number(getCookie(c, retryCookie) ?? 0);
      if (retries > MAX_RETRIES) {
        deleteCookie(c, retryCookie, { path: '/' });
        return c.text(`WeChat sign-in failed ${retries} times in a row; close the page and open it again.`, 502);
      }
      const state = random(16).toString('hex');
      await setSignedCookie(c, stateCookie, state, secret, { ...cookie, maxAge: CODE_TTL_MS / 1000 });
      return c.redirect(client.oauth.authorizeUrl({ redirect_uri: url.toString(), scope, state }), 302);
    }

    // Back from WeChat. A visitor who already has a session only needs the code out of the address bar.
    if (session) return c.redirect(clean.toString(), 302);
    const expected = await getSignedCookie(c, secret, stateCookie);
    deleteCookie(c, stateCookie, { path: '/' });
    if (!expected || expected !== url.searchParams.get('state')) {
      return c.text(`WeChat sign-in refused: the state parameter does not match this browser's (the link was opened elsewhere, or cookies are blocked). Open ${clean} again.`, 403);
    }
    let user: WechatUser;
    try {
      const grant = await exchangeOnce(code);
      user = { openid: grant.openid, unionid: grant.unionid, scope: grant.scope, expiresAt: now() + maxAge * 1000 };
      if (grant.scope.includes('snsapi_userinfo')) {
        const info = await client.oauth.userinfo(grant.access_token, grant.openid);
        user = { ...user, nickname: info.nickname, headimgurl: info.headimgurl, unionid: info.unionid ?? user.unionid };
      }
    } catch (error) {
      if (error instanceof WechatApiError && STALE_CODE.has(error.errcode)) {
        // Used or stale code (a reload, a second tab): ask WeChat for a fresh one, a bounded number of times.
        setCookie(c, retryCookie, String(Number(getCookie(c, retryCookie) ?? 0) + 1), { ...cookie, maxAge: 60 });
        return c.redirect(clean.toString(), 302);
      }
      const why = errorMessage(error);
      return c.text(`WeChat sign-in failed: ${why}`, 502);
    }
    deleteCookie(c, retryCookie, { path: '/' });
    await setSignedCookie(c, cookieName, Buffer.from(JSON.stringify(user)).toString('base64url'), secret, { ...cookie, maxAge });
    return c.redirect(clean.toString(), 302);
  };
}
