/**
 * Slow answers without the customer-service API (unverified subscription
 * accounts, 订阅号): a reply that misses the first try is held, and returned on
 * one of WeChat's retries (≈5 s and ≈10 s after the first) when ready by then.
 * Otherwise the last retry gets a hint, and the reply waits for the user's
 * next message "继续".
 *
 * To make WeChat retry, a held try is not answered in time: the response is
 * kept open past WeChat's 5 s, so WeChat gives up on it and sends the copy.
 * Held replies live in this process: the retries must reach the same process
 * (one instance, or sticky routing).
 */
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';
import type { Deadlines } from './deadlines.js';
import { describeMessage } from './late-delivery.js';
import { silentLogger, type Logger } from './logger.js';

/** How replies that miss the deadline reach the user. */
export type LateReplyMode = 'retry' | 'kf' | 'off';

/** A held reply handed out at last: the message it answers, when that arrived, and on what. */
export interface HeldReply {
  message: WechatMessage;
  /** When the first try arrived (ms since the epoch). */
  startedAt: number;
  /** On a WeChat retry of the message, or on the user's continue word. */
  via: 'retry' | 'continue';
}

/** What to answer a try with: a reply (or none; `held` when it is the late one), or nothing in time (WeChat retries). */
export type RetryOutcome = { kind: 'reply'; reply: Reply | null; held?: HeldReply } | { kind: 'hold' };

export interface RetryRepliesOptions {
  /** The server's deadline timers: a try waits for the reply this long. */
  deadlines: Deadlines;
  /** How long a held try stays unanswered, from its arrival: past WeChat's 5 s. Default 5500. */
  holdMs?: number;
  /** The word that fetches a parked reply. Default 继续. */
  continueWord?: string;
  /** The last try's answer when the reply is not ready. */
  hintText?: string;
  /** The answer to the continue word while the reply is still being made. */
  pendingText?: string;
  /** How long a reply waits for the continue word. Default 10 minutes. */
  keepMs?: number;
  now?: () => number;
  /** Hears of a handler that failed when no try was left to report it. */
  logger?: Logger;
}

/** `waiting`: how many tries are waiting on `work` now (each reports its failure itself). */
type Held = { work: Promise<Reply | null>; tries: number; waiting: number; key: string; user: string; expiresAt: number; message: WechatMessage; startedAt: number };

const LATE = Symbol('late');
/** WeChat sends a message at most this many times. */
const TRIES = 3;

/**
 * @example
 * const retry = new RetryReplies({ deadlines });
 * // first try missed the deadline:
 * await retry.hold(key, message, work, startedAt); // then answer anything: WeChat has given up on this try
 * // a copy, or "继续": before de-duplication
 * const outcome = await retry.take(key, message); // undefined: not ours, handle as usual
 */
export class RetryReplies {
  private readonly byKey = new Map<string, Held>();
  private readonly byUser = new Map<string, Held>();
  private readonly holdMs: number;
  private readonly word: string;
  private readonly hintText: string;
  private readonly pendingText: string;
  private readonly keepMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(private readonly options: RetryRepliesOptions) {
    this.holdMs = options.holdMs ?? 5500;
    this.word = options.continueWord ?? '继续';
    this.hintText = options.hintText ?? `正在处理，请稍后回复「${this.word}」查看`;
    this.pendingText = options.pendingText ?? `还在处理中，请稍后再回复「${this.word}」`;
    this.keepMs = options.keepMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /** Registers a first try that missed the deadline, and resolves once WeChat has given up on it. */
  async hold(key: string, message: WechatMessage, work: Promise<Reply | null>, triedAt: number): Promise<void> {
    this.sweep();
    const user = userKey(message);
    const held: Held = { work, tries: 1, waiting: 0, key, user, expiresAt: this.now() + this.keepMs, message, startedAt: triedAt };
    work.then(undefined, (error: unknown) => this.failed(held, error));
    // Deleted before set, so both maps stay in the order of holding, which is expiry order. An
    // entry replaced under its user stays under its key for WeChat's retries, until it expires.
    this.byKey.delete(key);
    this.byKey.set(key, held);
    this.byUser.delete(user);
    this.byUser.set(user, held);
    await sleep(Math.max(0, this.holdMs - (this.now() - triedAt)));
  }

  /**
   * Whether {@link take} has anything for this message (a copy of a held one, or the
   * continue word from a user with a parked reply); checked at once for every message,
   * so the others skip `take` and its promise.
   */
  has(key: string, message: WechatMessage): boolean {
    if (this.byKey.has(key)) return true;
    return this.byUser.size > 0 && message.type === 'text' && message.content.trim() === this.word && this.byUser.has(userKey(message));
  }

  /**
   * A retry of a held message, or the continue word from a user with a parked
   * reply: what to answer. Undefined for any other message. Rejects when the
   * handler failed.
   */
  async take(key: string, message: WechatMessage): Promise<RetryOutcome | undefined> {
    const copy = this.byKey.get(key);
    if (copy) return this.retry(copy);
    if (message.type !== 'text' || message.content.trim() !== this.word) return undefined;
    const parked = this.byUser.get(userKey(message));
    if (!parked) return undefined;
    if (parked.expiresAt <= this.now()) {
      this.forget(parked);
      return undefined;
    }
    const outcome = await this.wait(parked);
    if (outcome === LATE) return { kind: 'reply', reply: { type: 'text', content: this.pendingText } };
    this.forget(parked);
    return { kind: 'reply', reply: outcome, held: { message: parked.message, startedAt: parked.startedAt, via: 'continue' } };
  }

  private async retry(held: Held): Promise<RetryOutcome> {
    const triedAt = this.now();
    held.tries++;
    const outcome = await this.wait(held);
    if (outcome !== LATE) {
      this.forget(held);
      return { kind: 'reply', reply: outcome, held: { message: held.message, startedAt: held.startedAt, via: 'retry' } };
    }
    if (held.tries >= TRIES) {
      // WeChat sends no more copies: answer now so the phone shows no error; the reply waits for the word.
      this.byKey.delete(held.key);
      return { kind: 'reply', reply: { type: 'text', content: this.hintText } };
    }
    await sleep(Math.max(0, this.holdMs - (this.now() - triedAt)));
    return { kind: 'hold' };
  }

  /** The work's outcome within the deadline, for a try that reports a failure itself: the entry is then forgotten. */
  private async wait(held: Held): Promise<Reply | null | typeof LATE> {
    held.waiting++;
    try {
      return await this.within(held.work);
    } catch (error) {
      this.forget(held);
      throw error;
    } finally {
      held.waiting--;
    }
  }

  private within(work: Promise<Reply | null>): Promise<Reply | null | typeof LATE> {
    return new Promise((resolve, reject) => {
      const deadline = this.options.deadlines.start(() => resolve(LATE));
      work.then((reply) => {
        this.options.deadlines.cancel(deadline);
        resolve(reply);
      }, (error: unknown) => {
        this.options.deadlines.cancel(deadline);
        reject(error);
      });
    });
  }

  /** Drops what has expired: both maps are in expiry order, so each walk stops at the first entry still kept. */
  private sweep(): void {
    const now = this.now();
    for (const map of [this.byUser, this.byKey]) {
      for (const old of map.values()) {
        if (old.expiresAt > now) break;
        this.forget(old);
      }
    }
  }

  /**
   * A try waiting on the work reports its failure, and so does a WeChat retry still to
   * come; past the last try nothing would, and "继续" must then reach the bot again.
   */
  private failed(held: Held, error: unknown): void {
    if (held.waiting > 0 || this.byKey.get(held.key) === held) return;
    this.forget(held);
    this.logger.error(`wxmp: late handler for ${describeMessage(held.message)} failed after WeChat's last try; its reply is dropped`, error);
  }

  private forget(held: Held): void {
    if (this.byKey.get(held.key) === held) this.byKey.delete(held.key);
    if (this.byUser.get(held.user) === held) this.byUser.delete(held.user);
  }
}

function userKey(m: WechatMessage): string {
  return `${m.toUserName}:${m.fromUserName}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
