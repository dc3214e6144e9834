/**
 * Sends one emulated message to a callback URL the way WeChat does: waits 5 s
 * for the answer, optionally sends the same message again when none comes (up
 * to 3 tries in all), and judges the answer.
 */
import { ConfigError } from '../errors.js';
import { judgeReply, PHONE_ERROR, WECHAT_TIMEOUT_MS, type Verdict } from './judge.js';
import { isMessage, requestUrl, type Credentials, type UserAction, type WechatRequest } from './request.js';

/** WeChat sends a message at most this many times in all. */
export const WECHAT_TRIES = 3;

/** How the server said it handled a copy (the `X-Wxmp-Dedup` header of wxmp servers). */
export type DedupStatus = 'first' | 'joined' | 'replayed';

/** One POST of the message. */
export interface Try {
  attempt: number;
  outcome: 'answered' | 'timeout' | 'unreachable';
  elapsedMs: number;
  status?: number;
  body?: string;
  dedup?: DedupStatus;
  /** A wxmp server's note on a "success": the handler threw, or missed the deadline (the reply comes later). */
  handler?: 'error' | 'late';
  error?: string;
}

export interface SendResult {
  url: string;
  request: WechatRequest;
  tries: Try[];
  verdict: Verdict;
}

export interface SendOptions {
  /** The callback URL (without WeChat's query). */
  url: string;
  action: UserAction;
  request: WechatRequest;
  credentials: Credentials;
  /** Send again when no answer comes in time, like WeChat (3 tries in all). Default false: one try. */
  retry?: boolean;
  /** How long to wait for each answer. Default 5000, WeChat's. */
  timeoutMs?: number;
  /** Clock in ms, for the judge. */
  now?: () => number;
}

function checkSendOptions(o: SendOptions): void {
  if (typeof o?.url !== 'string' || !/^https?:\/\//.test(o.url)) throw new ConfigError(`url: expected an http(s) URL, got ${JSON.stringify(o?.url)}`);
  const t = o.timeoutMs;
  if (t !== undefined && (!Number.isFinite(t) || t <= 0)) throw new ConfigError(`timeoutMs: expected a positive number of milliseconds, got ${String(t)}`);
}

async function post(url: string, body: string, attempt: number, timeoutMs: number): Promise<Try> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    // The whole exchange, body included, must fit in the time WeChat waits.
    const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/xml' }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const dedup = res.headers.get('x-wxmp-dedup');
    const handler = res.headers.get('x-wxmp-handler');
    return {
      attempt,
      outcome: 'answered',
      elapsedMs: elapsed(),
      status: res.status,
      body: text,
      dedup: dedup === 'first' || dedup === 'joined' || dedup === 'replayed' ? dedup : undefined,
      handler: handler === 'error' || handler === 'late' ? handler : undefined,
    };
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') return { attempt, outcome: 'timeout', elapsedMs: elapsed() };
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    return { attempt, outcome: 'unreachable', elapsedMs: elapsed(), error: cause?.code ?? cause?.message ?? String(error) };
  }
}

/**
 * Sends `request` to `url` and judges the answer as WeChat would.
 *
 * @example
 * const request = buildRequest({ kind: 'text', content: '你好' }, { ...credentials, mode: 'safe' });
 * const result = await sendRequest({ url, action, request, credentials, retry: true });
 * if (!result.verdict.ok) console.log(result.verdict.reason);
 */
export async function sendRequest(options: SendOptions): Promise<SendResult> {
  checkSendOptions(options);
  const timeoutMs = options.timeoutMs ?? WECHAT_TIMEOUT_MS;
  const maxTries = options.retry ? WECHAT_TRIES : 1;
  const url = requestUrl(options.url, options.request);
  const tries: Try[] = [];
  const result = (verdict: Verdict): SendResult => ({ url: options.url, request: options.request, tries, verdict });
  for (let attempt = 1; attempt <= maxTries; attempt++) {
    // Every copy is the same message: same body, MsgId and CreateTime.
    const t = await post(url, options.request.body, attempt, timeoutMs);
    tries.push(t);
    if (t.outcome === 'unreachable') {
      return result({ ok: false, kind: 'unreachable', reason: `cannot reach ${options.url} (${t.error}); is the server running? Start it with \`npm run dev\`, or pass --url`, phone: PHONE_ERROR });
    }
    if (t.outcome === 'answered') {
      const verdict = judgeReply({ status: t.status!, body: t.body!, elapsedMs: t.elapsedMs }, {
        ...options.credentials,
        mode: options.request.mode,
        user: options.request.user,
        account: options.request.account,
        isMessage: isMessage(options.action),
        timeoutMs,
        now: options.now,
      });
      return result(verdict);
    }
  }
  const tried = maxTries === 1 ? 'no answer' : `no answer to any of ${maxTries} tries`;
  return result({ ok: false, kind: 'timeout', reason: `${tried} within ${timeoutMs / 1000} s; answer "success" in time and send the reply later as a customer-service message`, phone: PHONE_ERROR });
}
