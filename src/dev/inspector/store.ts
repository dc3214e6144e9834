/** The inspector's memory: the latest exchanges, capped, judged as WeChat would, with live subscribers. */
import type { Exchange } from '../../server/exchange.js';
import { formatExchange, messageGist, replyGist } from '../../server/request-log.js';
import type { ExchangeVerdict } from './verdict.js';

/** A reply that missed the deadline and went out later as a customer-service message. */
export interface LateDelivery {
  /** The id of the exchange whose message it answers (absent when that one is no longer kept, or not recorded yet). */
  of?: string;
  /** The message it answers, to link it when that exchange is recorded after it (retry mode: the copy that carried it answers first). */
  key?: { user: string; createTime: number; msgId?: string };
  /** From the message's arrival to the reply. */
  delayMs: number;
  /** kf: sent, failed or skipped; retry: on a WeChat retry, or on the user's "继续"; off (or no client): dropped. */
  delivery: 'sent' | 'failed' | 'skipped' | 'dropped' | 'retry' | 'continue';
  /** The delivery's log line: where it went or why not. */
  detail: string;
}

/** An exchange as kept: a replay names the exchange it repeats, a late reply the message it answers. */
export type StoredExchange = Exchange & { replayOf?: string; verdict?: ExchangeVerdict; lateReply?: LateDelivery; lateReplyId?: string };

/** One row of the inspector's list. */
export interface ExchangeSummary {
  id: string;
  time: number;
  method: string;
  path: string;
  /** The account, when the dev server serves several. */
  account?: string;
  status: number;
  durationMs: number;
  kind: Exchange['kind'];
  mode?: Exchange['mode'];
  /** The sender's OpenID, for the detail and the filters (not the main column). */
  user?: string;
  /** Message type or event (`text`, `event CLICK`), `verify`, or the HTTP method for other requests. */
  type: string;
  /** The gist of the message. */
  content: string;
  /** The gist of the reply. */
  reply: string;
  /** The request log's line for it. */
  line: string;
  error?: string;
  late?: boolean;
  dedup?: Exchange['dedup'];
  replayOf?: string;
  verdict?: ExchangeVerdict;
  lateReply?: LateDelivery;
  lateReplyId?: string;
}

/** Whether an exchange carries the message a key names (MsgId only when the key has one: events have none). */
function sameMessage(q: LateDelivery['key'], ex: Exchange): boolean {
  const m = ex.message;
  if (!q || !m || m.fromUserName !== q.user || m.createTime !== q.createTime) return false;
  return q.msgId === undefined || ('msgId' in m && m.msgId === q.msgId);
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
const unquote = (text: string) => text.replace(/^"(.*)"$/, (_, inner: string) => inner.replace(/\\"/g, '"'));

/** What subscribers hear: a new or updated exchange, or the list cleared. */
export type StoreEvent = { kind: 'exchange'; summary: ExchangeSummary } | { kind: 'update'; summary: ExchangeSummary } | { kind: 'clear' };

/**
 * @example
 * const store = new ExchangeStore({ max: 200, judge: (ex) => judgeExchange(ex, credentials) });
 * app = createApp({ ..., onExchange: (ex) => store.add(ex) });
 */
export class ExchangeStore {
  private readonly items: StoredExchange[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  /** How many exchanges are kept; the page trims its list to the same number. */
  readonly max: number;
  private readonly redact: (text: string) => string;
  private readonly judge?: (ex: Exchange) => ExchangeVerdict | undefined;

  constructor(options: { max?: number; redact?: (text: string) => string; judge?: (ex: Exchange) => ExchangeVerdict | undefined } = {}) {
    this.max = options.max ?? 200;
    this.redact = options.redact ?? ((text) => text);
    this.judge = options.judge;
  }

  /** Records an exchange, with WeChat's verdict on it; a late reply is linked both ways to its message, whichever comes first. */
  add(exchange: StoredExchange): StoredExchange {
    const stored = exchange;
    if (stored.verdict === undefined && this.judge) stored.verdict = this.judge(stored);
    const late = stored.lateReply;
    if (late && !late.of && late.key) late.of = this.findMessage(late.key)?.id;
    // Its late reply already recorded: link the message to it before anyone hears of the message.
    const waiting = !late && stored.message && !stored.replayOf && stored.dedup !== 'joined' && stored.dedup !== 'replayed' ? this.items.find((ex) => ex.lateReply && !ex.lateReply.of && sameMessage(ex.lateReply.key, stored)) : undefined;
    if (waiting) {
      waiting.lateReply!.of = stored.id;
      stored.lateReplyId = waiting.id;
    }
    this.items.push(stored);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
    this.emit({ kind: 'exchange', summary: this.summary(stored) });
    if (waiting) this.emit({ kind: 'update', summary: this.summary(waiting) });
    const of = late?.of && this.get(late.of);
    if (of) {
      of.lateReplyId = stored.id;
      this.emit({ kind: 'update', summary: this.summary(of) });
    }
    return stored;
  }

  /** Newest first. */
  list(): ExchangeSummary[] {
    return this.items.map((ex) => this.summary(ex)).reverse();
  }

  get(id: string): StoredExchange | undefined {
    return this.items.find((ex) => ex.id === id);
  }

  /** The exchange of a message (not a replay, not a late reply), by sender, CreateTime and MsgId: its first try, else the latest copy. */
  findMessage(q: { user: string; createTime: number; msgId?: string }): StoredExchange | undefined {
    let copy: StoredExchange | undefined;
    for (let i = this.items.length - 1; i >= 0; i--) {
      const ex = this.items[i]!;
      if (ex.replayOf || ex.lateReply || !sameMessage(q, ex)) continue;
      if (ex.dedup === 'joined' || ex.dedup === 'replayed') copy ??= ex;
      else return ex;
    }
    return copy;
  }

  clear(): void {
    this.items.length = 0;
    this.emit({ kind: 'clear' });
  }

  /** The whole exchange as JSON, secrets redacted like the log's (an error may quote a URL with access_token). */
  detailJson(id: string): string | undefined {
    const ex = this.get(id);
    return ex && this.redact(JSON.stringify({ ...ex, summary: this.summary(ex) }));
  }

  /** Calls `listener` for each change; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private summary(ex: StoredExchange): ExchangeSummary {
    const m = ex.message;
    const type = ex.lateReply ? 'late reply' : m ? (m.type === 'event' ? `event ${m.event}` : m.type) : ex.kind === 'verify' ? 'verify' : ex.method;
    const content = !m ? (ex.kind === 'verify' ? 'URL verification' : ex.path) : m.type === 'text' ? clip(m.content) : unquote(messageGist(m).replace(/^(voice|location|link|event \S+|unknown \S+) ?/, ''));
    const replyText = (r: Exchange['reply']) => (r?.type === 'text' ? clip(r.content) : replyGist(r));
    const reply = ex.lateReply ? replyText(ex.reply) : ex.late ? `success (late: reply ${ex.lateMode === 'off' ? 'dropped' : 'follows'})` : ex.kind === 'message' && ex.status === 200 ? replyText(ex.reply) : ex.responseBody?.slice(0, 80) ?? '';
    return {
      id: ex.id, time: ex.time, method: ex.method, path: ex.path, account: ex.account, status: ex.status, durationMs: ex.durationMs, kind: ex.kind, mode: ex.mode,
      user: m?.fromUserName, type, content: this.redact(content), reply: this.redact(reply),
      line: this.redact(formatExchange(ex)), error: ex.error && this.redact(`${ex.error.code}: ${ex.error.message}`),
      late: ex.late, dedup: ex.dedup, replayOf: ex.replayOf, verdict: ex.verdict, lateReply: ex.lateReply, lateReplyId: ex.lateReplyId,
    };
  }
}
