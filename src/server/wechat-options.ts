/** The options of {@link wechat} (src/server/wechat.ts), and their check. */
import { ConfigError } from '../errors.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';
import type { Router } from '../wechat/router.js';
import type { SessionStore } from '../wechat/session.js';
import type { DedupStore } from '../wechat/dedup.js';
import type { WechatClient } from '../api/client.js';
import type { LateReplyMode } from './late-retry.js';
import type { ExchangeListener } from './exchange.js';
import type { Logger } from './logger.js';

/** A reply that came after the deadline, when WeChat had already been answered `success`. */
export interface LateReply {
  message: WechatMessage;
  reply: Reply;
  elapsedMs: number;
}

export interface WechatOptions {
  token: string;
  /** Required with `encodingAESKey`: every decrypted message is checked against it. */
  appId?: string;
  encodingAESKey?: string;
  /** The bot: a Router, or anything with its `dispatch`. */
  router: Pick<Router<any>, 'dispatch'>;
  /** Where `ctx.session` lives, unless the router has its own store; in memory by default. */
  sessionStore?: SessionStore;
  /** Put on the handlers' context as `ctx.client`. */
  client?: WechatClient;
  /** Put on the handlers' context as `ctx.account`, when one server serves several accounts. */
  account?: string;
  /** Shared state for de-duplication; in memory by default. */
  dedupStore?: DedupStore;
  /** Answer `success` when the handler takes longer (ms). Default 4000: WeChat waits 5 s. */
  deadlineMs?: number;
  /** Largest body accepted (bytes); 413 above. Default 64 KiB: WeChat messages are a few KB. */
  maxBodyBytes?: number;
  /**
   * Replies that miss the deadline: `kf` sends them through `onLateReply` (customer-service
   * messages), `retry` returns them on one of WeChat's retries or on the user's "继续"
   * (accounts without the customer-service API), `off` drops them. Default: `kf` with an
   * `onLateReply` hook, else `off`; `npm start` picks `retry` when no AppSecret is set.
   */
  lateReply?: LateReplyMode;
  /** In `retry` mode, how long a try that missed the deadline stays unanswered (ms): past WeChat's 5 s. Default 5500. */
  retryHoldMs?: number;
  /**
   * `auto` (default): messages are read in whichever mode they come, plaintext
   * included. `safe`: only encrypted messages (安全模式, or 兼容模式's Encrypt) are
   * accepted and plaintext gets 403, as the plaintext signature does not cover
   * the body. Needs `encodingAESKey`.
   */
  mode?: 'auto' | 'safe';
  /**
   * Largest distance between a request's `timestamp` and this server's clock (s):
   * older or newer requests get 403, and a signed query seen before is refused
   * as a replay. Default 300; 0 turns both checks off.
   */
  maxClockSkewSec?: number;
  /** Receives replies that missed the deadline, e.g. to send them as customer-service messages. */
  onLateReply?: (late: LateReply) => void | Promise<void>;
  /** Receives the late replies `lateReply: 'off'` drops, e.g. for the dev inspector. */
  onLateDropped?: (late: LateReply) => void;
  /** Receives every request and its answer, for logs and the dev inspector. */
  onExchange?: ExchangeListener;
  logger?: Logger;
  /** Clock in ms; injected by tests. */
  now?: () => number;
  /** Nonce for encrypted replies; injected by tests. */
  nonce?: () => string;
}

/** Every option checked up front, each failure saying what was expected and what came. */
export function checkOptions(o: WechatOptions): void {
  if (typeof o?.token !== 'string' || o.token === '') throw new ConfigError(`wechat(): token: expected the Token set in WeChat, got ${JSON.stringify(o?.token)}`);
  if (typeof o.router?.dispatch !== 'function') throw new ConfigError('wechat(): router: expected a Router (createRouter()), got ' + typeof o.router);
  for (const name of ['deadlineMs', 'maxBodyBytes'] as const) {
    const v = o[name];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new ConfigError(`wechat(): ${name}: expected a positive number, got ${String(v)}`);
  }
  if (o.lateReply !== undefined && !['retry', 'kf', 'off'].includes(o.lateReply)) throw new ConfigError(`wechat(): lateReply: expected "retry", "kf" or "off", got ${JSON.stringify(o.lateReply)}`);
  if (o.mode !== undefined && o.mode !== 'auto' && o.mode !== 'safe') throw new ConfigError(`wechat(): mode: expected "auto" or "safe", got ${JSON.stringify(o.mode)}`);
  if (o.mode === 'safe' && !o.encodingAESKey) throw new ConfigError('wechat(): mode "safe" needs the encodingAESKey (WECHAT_ENCODING_AES_KEY) to decrypt messages, got none');
  const skew = o.maxClockSkewSec;
  if (skew !== undefined && (!Number.isInteger(skew) || skew < 0)) throw new ConfigError(`wechat(): maxClockSkewSec: expected a whole number of seconds, 0 or more, got ${String(skew)}`);
  if (o.encodingAESKey && !o.appId) throw new ConfigError('wechat(): appId: expected the AppID with encodingAESKey, got nothing');
}
