/**
 * Errors of the WeChat API client. WeChat answers HTTP 200 with a non-zero
 * `errcode` for almost every failure, so the useful part is turning that code
 * into a sentence that says what to do next.
 */
import { ApiError, WxmpError } from '../errors.js';

/**
 * Where the IP allowlist lives, quoted in the 40164 message.
 *
 * @example
 * console.log(`add the server's IP in ${WHITELIST_WHERE}`)
 */
export const WHITELIST_WHERE =
  '公众号后台 → 设置与开发 → 基本配置 → IP白名单 (or 微信开发者平台 → 我的业务 → 公众号 → 开发密钥 → API IP白名单)';

const HINTS: Record<number, string> = {
  [-1]: 'WeChat is busy; try again in a few seconds',
  40001: 'the access_token is invalid or not the latest; another process may have refreshed it (share the token store, e.g. REDIS_URL), or WECHAT_APP_SECRET is wrong',
  40002: 'grant_type must be client_credential',
  40003: 'the openid is not a follower of this account (openids differ per account)',
  40004: 'media type must be image, voice, video or thumb',
  40007: 'the media_id is unknown or expired (temporary media lasts 3 days)',
  40013: 'WECHAT_APP_ID is not a valid AppID; copy it from 基本配置',
  40014: 'the access_token is malformed; check the token store',
  40029: 'the OAuth code is invalid or already used (a code works once, for 5 minutes)',
  40037: 'the template_id is not in this account\'s template list',
  40125: 'WECHAT_APP_SECRET is wrong; reset it in 基本配置 and update .env',
  40163: 'the OAuth code was already used',
  40164: `the server's outgoing IP is not allowlisted; add it in ${WHITELIST_WHERE}`,
  41001: 'access_token is missing',
  42001: 'the access_token expired; it is refreshed automatically',
  43004: 'the user has not followed the account',
  45009: 'the daily quota for this API is used up; it resets at midnight (Beijing time), or clear it once in the admin console',
  45015: 'customer-service messages are only allowed within 48 hours of the user\'s last message',
  45047: 'at most 20 customer-service messages per user between two user messages',
  46003: 'no menu is published',
  47001: 'the request body is not valid JSON or misses a required field',
  48001: 'this account is not authorised for this API (check the account type and certification)',
  65400: 'the account uses the new customer-service system; enable the API in 客服功能 or send through it',
};

/** The hint for a WeChat errcode, or `undefined` when there is none. @example hintFor(45009) */
export function hintFor(errcode: number): string | undefined {
  return HINTS[errcode];
}

/**
 * The IP WeChat saw, from a 40164 errmsg such as
 * "invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: ...".
 *
 * @example ipFrom40164('invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist') // '1.2.3.4'
 */
export function ipFrom40164(errmsg: string): string | undefined {
  return /invalid ip\s+([0-9a-fA-F.:]+)/.exec(errmsg)?.[1]?.replace(/,$/, '');
}

/**
 * Removes secrets from text meant for logs and errors: `access_token=`,
 * `secret=` and `appsecret=` query values and JSON fields.
 *
 * @example redact('/cgi-bin/menu/get?access_token=abc') // '/cgi-bin/menu/get?access_token=***'
 */
export function redact(text: string): string {
  return text
    .replace(/((?:access_token|secret|appsecret|refresh_token)=)[^&\s"']+/gi, '$1***')
    .replace(/("(?:access_token|secret|appsecret|refresh_token)"\s*:\s*")[^"]*"/gi, '$1***"');
}

/**
 * WeChat answered with a non-zero errcode. `hint` says what to do; `ip` is set
 * for 40164 (the outgoing IP WeChat saw).
 *
 * @example
 * try { await client.menu.get() } catch (e) {
 *   if (e instanceof WechatApiError && e.errcode === 46003) console.log('no menu yet')
 * }
 */
export class WechatApiError extends ApiError {
  readonly hint?: string;
  readonly ip?: string;
  /** The API path called, without query (no token). */
  readonly path: string;

  constructor(errcode: number, errmsg: string, path: string, options?: { cause?: unknown }) {
    const ip = errcode === 40164 ? ipFrom40164(errmsg) : undefined;
    const hint =
      errcode === 40164 && ip
        ? `WeChat saw this server's outgoing IP as ${ip}; add ${ip} to the IP allowlist in ${WHITELIST_WHERE}`
        : hintFor(errcode);
    const cleanMsg = redact(errmsg);
    super(errcode, cleanMsg, `${path}: errcode ${errcode} (${cleanMsg})${hint ? `: ${hint}` : ''}`, options);
    this.name = 'WechatApiError';
    this.hint = hint;
    this.ip = ip;
    this.path = path;
  }
}

/**
 * A call got no answer in time (or the network failed). For a send that is not
 * idempotent, `maybeDelivered` is true: WeChat may have delivered it, so it is
 * never retried automatically.
 *
 * @example
 * catch (e) { if (e instanceof ApiTimeoutError && e.maybeDelivered) alertHuman(e.message) }
 */
export class ApiTimeoutError extends WxmpError {
  readonly path: string;
  readonly maybeDelivered: boolean;

  constructor(path: string, timeoutMs: number, maybeDelivered: boolean, options?: { cause?: unknown }) {
    super(
      'API_TIMEOUT',
      `${path}: no answer within ${timeoutMs} ms` +
        (maybeDelivered
          ? '; the message may or may not have been delivered, so it was not retried (check before sending again)'
          : ''),
      options,
    );
    this.name = 'ApiTimeoutError';
    this.path = path;
    this.maybeDelivered = maybeDelivered;
  }
}

/**
 * The API could not be reached at all (DNS, refused connection, TLS, a non-JSON answer).
 *
 * @example
 * catch (e) { if (e instanceof ApiUnreachableError) console.error('is WECHAT_API_BASE right?', e.message) }
 */
export class ApiUnreachableError extends WxmpError {
  readonly path: string;
  /** True when a send failed after the request may have reached WeChat (connection reset, bad answer). */
  readonly maybeDelivered: boolean;

  constructor(path: string, reason: string, options?: { cause?: unknown; maybeDelivered?: boolean }) {
    const maybe = options?.maybeDelivered ?? false;
    super('API_UNREACHABLE', `${path}: ${redact(reason)}${maybe ? '; the message may or may not have been delivered, so it was not retried' : ''}`, options);
    this.name = 'ApiUnreachableError';
    this.path = path;
    this.maybeDelivered = maybe;
  }
}
