import { isWxmpError } from '../errors.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { Mode } from '../wechat/protocol.js';
import type { Reply } from '../wechat/replies.js';
import { errorMessage } from './error-text.js';

/**
 * One request and its answer, as the request log, the dev inspector and the
 * emulator see it. Secrets never go in here: the query holds only WeChat's
 * public signing parameters.
 */
export interface Exchange {
  id: string;
  /** Start, ms since the epoch. */
  time: number;
  method: string;
  path: string;
  /** The account it came for, when one server serves several (`default` for the first). */
  account?: string;
  query: Record<string, string>;
  status: number;
  durationMs: number;
  kind: 'verify' | 'message' | 'other';
  mode?: Mode;
  /** The body as received (ciphertext in safe mode). */
  rawBody?: string;
  /** The message XML after decryption (same as rawBody in plaintext mode). */
  xml?: string;
  message?: WechatMessage;
  reply?: Reply | null;
  /** The reply XML before encryption. */
  replyXml?: string;
  /** What was sent back. */
  responseBody?: string;
  /** How de-duplication treated this copy: first run, joined a run in progress, or got the stored answer. */
  dedup?: 'first' | 'joined' | 'replayed';
  /** The handler missed the deadline and WeChat got `success`; the reply comes later. */
  late?: boolean;
  /** With `late`: how the reply reaches the user (WECHAT_LATE_REPLY). */
  lateMode?: 'retry' | 'kf' | 'off';
  /** Retry mode: this try carried the reply held since the message's first try, on a WeChat retry or the user's "继续". */
  heldReply?: { via: 'retry' | 'continue'; delayMs: number; of: { user: string; createTime: number; msgId?: string } };
  error?: { code: string; message: string; stack?: string };
}

/** Called once per request, after the answer is known; not waited for (an async listener's rejection is logged). */
export type ExchangeListener = (exchange: Exchange) => void;

/**
 * What an exchange records of an error: a wxmp error's code and message (the message
 * says what was wrong and how to fix it), anything else as HANDLER_ERROR with its stack.
 *
 * @example
 * exchangeError(new Error('boom')) // { code: 'HANDLER_ERROR', message: 'boom', stack: 'Error: boom\n    at ...' }
 */
export function exchangeError(error: unknown): Exchange['error'] {
  if (error instanceof Error) return { code: isWxmpError(error) ? error.code : 'HANDLER_ERROR', message: error.message, stack: isWxmpError(error) ? undefined : error.stack };
  return { code: 'HANDLER_ERROR', message: errorMessage(error) };
}

/**
 * A source of exchange ids: the start time in ms and a counter, both in base 36.
 *
 * @example
 * const id = exchangeIds();
 * id(1700000000000) // 'loyw3v28-0'
 */
export function exchangeIds(): (startedMs: number) => string {
  let counter = 0;
  // The time part is made once per millisecond: a time in ms is past V8's small integers, and
  // printing it in base 36 takes a runtime call, about 1% of a message's cost.
  let ms = NaN;
  let prefix = '';
  return (startedMs) => {
    if (startedMs !== ms) {
      ms = startedMs;
      prefix = `${startedMs.toString(36)}-`;
    }
    return prefix + (counter++).toString(36);
  };
}
