/**
 * Judges a callback's answer the way WeChat does. WeChat never says what was
 * wrong: the user just sees an error line. The verdict says why, and what the
 * phone would show.
 */
import { isWxmpError } from '../errors.js';
import { MessageCrypto } from '../wechat/crypto.js';
import type { Mode } from '../wechat/protocol.js';
import { sign, signatureMatches } from '../wechat/signature.js';
import { parseXml, type XmlObject } from '../wechat/xml.js';
import { checkFields } from './reply-fields.js';

/** What the user sees when the reply is invalid, late or missing. */
export const PHONE_ERROR = '该公众号暂时无法提供服务，请稍后再试';
/** WeChat waits this long for an answer. */
export const WECHAT_TIMEOUT_MS = 5000;

/** How WeChat took the answer. `reply` and `no-reply` are fine; the rest show {@link PHONE_ERROR}. */
export type Verdict =
  | { ok: true; kind: 'reply'; msgType: string; fields: XmlObject; xml: string; encrypted: boolean }
  | { ok: true; kind: 'no-reply' }
  | { ok: false; kind: 'invalid' | 'timeout' | 'http-error' | 'unreachable'; reason: string; phone: string };

export interface Answer {
  status: number;
  body: string;
  elapsedMs: number;
}

export interface JudgeContext {
  mode: Mode;
  token: string;
  appId?: string;
  encodingAESKey?: string;
  /** Who sent the message: the reply must go back to `user` from `account`. */
  user: string;
  account: string;
  /** True when the message was a user message (not an event): news replies then carry one article only. */
  isMessage?: boolean;
  timeoutMs?: number;
  /** Clock in ms, to tell a CreateTime in milliseconds from one in seconds. */
  now?: () => number;
}

const invalid = (reason: string): Verdict => ({ ok: false, kind: 'invalid', reason, phone: PHONE_ERROR });
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Seconds since the epoch, within a day of now; a value in milliseconds is named as such. */
function checkSeconds(name: string, raw: string | undefined, nowMs: number): string | undefined {
  if (!raw || !/^\d+$/.test(raw)) return `${name} must be seconds since the epoch, got ${JSON.stringify(raw ?? null)}`;
  const value = Number(raw);
  if (value > 1e11) return `${name} ${raw} is in milliseconds; WeChat expects seconds (Math.floor(Date.now() / 1000))`;
  if (Math.abs(value - nowMs / 1000) > 86_400) return `${name} ${raw} is more than a day away from now; WeChat expects the current time in seconds`;
  return undefined;
}

/** Opens an encrypted reply envelope; returns the inner XML or the reason it is invalid. */
function openEnvelope(outer: XmlObject, ctx: JudgeContext, nowMs: number): { xml: string } | { reason: string } {
  const encrypt = str(outer.Encrypt);
  const msgSignature = str(outer.MsgSignature);
  const timestamp = str(outer.TimeStamp);
  const nonce = str(outer.Nonce);
  const missing = (['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce'] as const).filter((k) => !str(outer[k]));
  if (missing.length) return { reason: `encrypted reply is missing ${missing.join(', ')}` };
  const tsProblem = checkSeconds('TimeStamp', timestamp, nowMs);
  if (tsProblem) return { reason: tsProblem };
  if (!signatureMatches(sign(ctx.token, timestamp!, nonce!, encrypt!), msgSignature)) {
    return { reason: 'MsgSignature does not match sha1(sort(token, TimeStamp, Nonce, Encrypt)): the reply was signed with another Token or over other values' };
  }
  try {
    const crypto = new MessageCrypto({ encodingAESKey: ctx.encodingAESKey!, appId: ctx.appId! });
    const { message, appId } = crypto.open(encrypt!);
    if (appId !== ctx.appId) return { reason: `Encrypt decrypts to AppID ${JSON.stringify(appId)}, expected ${JSON.stringify(ctx.appId)}: the reply was encrypted for another account` };
    return { xml: message };
  } catch (error) {
    return { reason: `Encrypt cannot be decrypted with the EncodingAESKey: ${isWxmpError(error) ? error.message : String(error)}` };
  }
}

/**
 * Judges `answer` to a message sent in `ctx.mode`: `success` or an empty body
 * is "no reply"; anything else must be a well-formed reply to the sender, with
 * CreateTime in seconds, its MsgType's required fields, and in safe mode a
 * valid MsgSignature over an Encrypt for this AppID; all within 5 s.
 *
 * @example
 * const verdict = judgeReply({ status: 200, body, elapsedMs: 12 }, { mode: 'plaintext', token, user, account });
 * if (!verdict.ok) console.log(verdict.reason, verdict.phone);
 */
export function judgeReply(answer: Answer, ctx: JudgeContext): Verdict {
  const nowMs = (ctx.now ?? Date.now)();
  const timeoutMs = ctx.timeoutMs ?? WECHAT_TIMEOUT_MS;
  if (answer.elapsedMs > timeoutMs) {
    return { ok: false, kind: 'timeout', reason: `no answer within ${timeoutMs / 1000} s (took ${Math.round(answer.elapsedMs)} ms); answer "success" in time and send the reply later as a customer-service message`, phone: PHONE_ERROR };
  }
  if (answer.status !== 200) {
    const detail = answer.body.trim().slice(0, 200);
    return { ok: false, kind: 'http-error', reason: `HTTP ${answer.status}${detail ? `: ${detail}` : ''}`, phone: PHONE_ERROR };
  }
  // WeChat compares the raw body: only an empty body or exactly "success" means "no reply".
  if (answer.body === '' || answer.body === 'success') return { ok: true, kind: 'no-reply' };
  if (answer.body.trim() === 'success' || answer.body.trim() === '') {
    return invalid(`the body is ${JSON.stringify(answer.body)}: answer exactly "success" or an empty body, without whitespace or newlines`);
  }

  let outer: XmlObject;
  try {
    outer = parseXml(answer.body);
  } catch (error) {
    return invalid(`the body is neither "success" nor well-formed XML: ${isWxmpError(error) ? error.message : String(error)}`);
  }
  let xml = answer.body;
  let fields = outer;
  const encrypted = str(outer.Encrypt) !== undefined;
  if (encrypted) {
    if (ctx.mode === 'plaintext') return invalid('the reply is encrypted but the message came in plaintext mode');
    const opened = openEnvelope(outer, ctx, nowMs);
    if ('reason' in opened) return invalid(opened.reason);
    xml = opened.xml;
    try {
      fields = parseXml(xml);
    } catch (error) {
      return invalid(`the decrypted reply is not well-formed XML: ${isWxmpError(error) ? error.message : String(error)}`);
    }
  } else if (ctx.mode === 'safe') {
    // WeChat's 消息加解密说明: compatible mode takes a plaintext or an encrypted reply; safe mode only an encrypted one.
    return invalid('the message came in safe mode but the reply is not encrypted: safe mode needs <Encrypt>, <MsgSignature>, <TimeStamp> and <Nonce>');
  }

  if (str(fields.ToUserName) !== ctx.user || str(fields.FromUserName) !== ctx.account) {
    return invalid(`ToUserName/FromUserName must be swapped from the message: expected To ${ctx.user} and From ${ctx.account}, got To ${JSON.stringify(fields.ToUserName ?? null)} and From ${JSON.stringify(fields.FromUserName ?? null)}`);
  }
  const timeProblem = checkSeconds('CreateTime', str(fields.CreateTime), nowMs);
  if (timeProblem) return invalid(timeProblem);
  const msgType = str(fields.MsgType) ?? '';
  const fieldProblem = checkFields(msgType, fields, ctx.isMessage ?? false);
  if (fieldProblem) return invalid(fieldProblem);
  return { ok: true, kind: 'reply', msgType, fields, xml, encrypted };
}
