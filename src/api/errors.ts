/**
 * Errors of the WeChat API client. WeChat answers HTTP 200 with a non-zero
 * `errcode` for almost every failure, so the useful part is turning that code
 * into a sentence that says what to do next.
 */
import { ApiError, WxmpError } from '../errors.js';
import { errcodeName, hintFor } from './errcodes.js';

/**
 * Where the IP allowlist lives, quoted in the 40164 message.
 *
 * @example
 * console.log(`add the server's IP in ${WHITELIST_WHERE}`)
 */
export const WHITELIST_WHERE =
  '公众号后台 → 设置与开发 → 基本配置 → IP白名单 (or 微信开发者平台 → 我的业务 → 公众号 → 开发密钥 → API IP白名单)';

export { ERRCODES, errcodeName, hintFor } from './errcodes.js';

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
  /** WeChat's meaning of the errcode, e.g. 'invalid openid'. */
  readonly errname?: string;
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
    this.errname = errcodeName(errcode);
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
