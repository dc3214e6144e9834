/**
 * WeChat's error answers, as WeChat words them (HTTP 200, JSON body, a request
 * id appended to errmsg), so clients meet the mock exactly as they would the API.
 */
import { randomBytes } from 'node:crypto';
import { errcodeName } from '../../api/errcodes.js';

const MESSAGES: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40016: 'invalid button size',
  40017: 'invalid button type',
  40018: 'invalid button name size',
  40019: 'invalid button key size',
  40020: 'invalid button url size',
  40023: 'invalid sub button size',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40053: 'invalid action info, please check document',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40163: 'code been used',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  46003: 'menu no exist',
  47001: 'data format error',
};

/**
 * A WeChat error body `{ errcode, errmsg }`; `detail` replaces the standard wording.
 *
 * @example
 * c.json(wechatError(40003)) // { errcode: 40003, errmsg: 'invalid openid rid: ...' }
 */
export function wechatError(errcode: number, detail?: string): { errcode: number; errmsg: string } {
  const rid = `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
  return { errcode, errmsg: `${detail ?? MESSAGES[errcode] ?? errcodeName(errcode) ?? 'unknown error'} rid: ${rid}` };
}

/**
 * 40164 in WeChat's wording, naming the caller's IP in both notations.
 *
 * @example
 * ipNotAllowed('1.2.3.4').errmsg // 'invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: ...'
 */
export function ipNotAllowed(ip: string): { errcode: number; errmsg: string } {
  const v4 = ip.replace(/^::ffff:/, '');
  const v6 = /^\d+\.\d+\.\d+\.\d+$/.test(v4) ? `::ffff:${v4}` : ip;
  return wechatError(40164, `invalid ip ${v4} ipv6 ${v6}, not in whitelist`);
}

/**
 * The success body WeChat sends when there is nothing else to say.
 *
 * @example
 * return c.json(OK); // { errcode: 0, errmsg: 'ok' }
 */
export const OK = { errcode: 0, errmsg: 'ok' } as const;
