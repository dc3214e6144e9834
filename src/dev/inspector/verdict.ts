/**
 * WeChat's verdict on each recorded exchange, from the same checker the chat
 * and `wxmp send` use (src/emulator/judge.ts), so the inspector, the terminal
 * line and the chat agree on what the phone shows.
 */
import { judgeReply, PHONE_ERROR } from '../../emulator/judge.js';
import type { Credentials } from '../../emulator/request.js';
import type { Exchange } from '../../server/exchange.js';
import { parseXml } from '../../wechat/xml.js';

/** What WeChat made of an answer: fine, or rejected with what the phone shows and why. */
export type ExchangeVerdict =
  | { ok: true; kind: 'reply' | 'no-reply' | 'echo' | 'held' }
  | { ok: false; kind: 'invalid' | 'timeout' | 'http-error' | 'unreachable'; reason: string; phone: string };

/** What WeChat's 接口配置信息 page says when the handshake fails. */
export const VERIFY_ERROR = 'Token验证失败';

function parties(ex: Exchange): { user: string; account: string } {
  if (ex.message) return { user: ex.message.fromUserName, account: ex.message.toUserName };
  try {
    const fields = parseXml(ex.xml ?? '');
    return { user: String(fields.FromUserName ?? ''), account: String(fields.ToUserName ?? '') };
  } catch {
    return { user: '', account: '' };
  }
}

/**
 * @example
 * judgeExchange(ex, { token, appId, encodingAESKey }) // { ok: false, kind: 'invalid', reason: 'a news reply to a user's message may carry 1 article only ...', phone: '该公众号暂时无法提供服务，请稍后再试' }
 */
export function judgeExchange(ex: Exchange, credentials: Credentials, now: () => number = Date.now): ExchangeVerdict | undefined {
  if (ex.kind === 'verify') {
    if (ex.method !== 'GET') return undefined;
    if (ex.status !== 200) return { ok: false, kind: 'http-error', reason: `HTTP ${ex.status}${ex.responseBody ? `: ${ex.responseBody.slice(0, 200)}` : ''}`, phone: VERIFY_ERROR };
    if (ex.responseBody !== ex.query.echostr) return { ok: false, kind: 'invalid', reason: 'the body is not the echostr WeChat sent: answer it alone, unchanged', phone: VERIFY_ERROR };
    return { ok: true, kind: 'echo' };
  }
  if (ex.kind !== 'message') return undefined;
  // Retry mode keeps a try unanswered on purpose: WeChat gives up on it and sends the copy that gets the reply.
  if (ex.late && ex.lateMode === 'retry') return { ok: true, kind: 'held' };
  const { user, account } = parties(ex);
  const verdict = judgeReply(
    { status: ex.status, body: ex.responseBody ?? '', elapsedMs: ex.durationMs },
    { ...credentials, mode: ex.mode ?? 'plaintext', user, account, isMessage: ex.message ? ex.message.type !== 'event' : false, now },
  );
  if (verdict.ok) return { ok: true, kind: verdict.kind };
  return { ok: false, kind: verdict.kind, reason: verdict.reason, phone: verdict.phone || PHONE_ERROR };
}
