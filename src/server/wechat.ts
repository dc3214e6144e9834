import type { Context, MiddlewareHandler } from 'hono';
import { ProtocolError } from '../errors.js';
import { MessageCrypto } from '../wechat/crypto.js';
import { pooledRandomBytes } from '../wechat/random.js';
import { MemoryDedupStore, messageDedupKey } from '../wechat/dedup.js';
import { openMessage, sealReply, verifyEcho, type OpenedMessage } from '../wechat/protocol.js';
import { renderReply, type Reply } from '../wechat/replies.js';
import type { DispatchServices } from '../wechat/router.js';
import { Deadlines, type Deadline } from './deadlines.js';
import { errorMessage } from './error-text.js';
import { DedupRunner, DedupStoreError } from './dedup-runner.js';
import { lateDelivery, describeMessage } from './late-delivery.js';
import { RetryReplies, type LateReplyMode } from './late-retry.js';
import { FailoverDedupStore } from './failover-store.js';
import { DEFAULT_MAX_CLOCK_SKEW_SEC, ReplayGuard } from './replay-guard.js';
import { exchangeError, exchangeIds, type Exchange } from './exchange.js';
import { checkOptions, type WechatOptions } from './wechat-options.js';
import { consoleLogger } from './logger.js';
import { callListener } from './listener.js';
import { rawQuery } from './query.js';
import { readBody } from './read-body.js';

export type { LateReply, WechatOptions } from './wechat-options.js';

const SUCCESS = 'success';
const LATE = Symbol('late');

/**
 * The WeChat callback as Hono middleware: the GET handshake, and POSTed
 * messages in plaintext, compatible or safe mode, de-duplicated, answered
 * within the deadline, never with a 5xx.
 *
 * @example
 * const app = new Hono();
 * app.all('/wechat', wechat({ token: 'mytoken', router: createRouter().on('text', (m) => m.content) }));
 */
export function wechat(options: WechatOptions): MiddlewareHandler {
  checkOptions(options);
  const crypto = options.encodingAESKey ? new MessageCrypto({ encodingAESKey: options.encodingAESKey, appId: options.appId! }) : undefined;
  const protocol = { token: options.token, crypto, requireEncryption: options.mode === 'safe' };
  const deadlineMs = options.deadlineMs ?? 4000;
  const deadlines = new Deadlines(deadlineMs);
  const logger = options.logger ?? consoleLogger;
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? (() => pooledRandomBytes(8).toString('hex'));
  // A shared store (Redis) is bounded and backed by memory, so an outage never stalls a message.
  const store = options.dedupStore && !(options.dedupStore instanceof MemoryDedupStore) ? new FailoverDedupStore(options.dedupStore, { logger, now }) : (options.dedupStore ?? new MemoryDedupStore({ now }));
  const dedup = new DedupRunner(store);
  const guard = new ReplayGuard({ maxClockSkewSec: options.maxClockSkewSec ?? DEFAULT_MAX_CLOCK_SKEW_SEC, store, now });
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const services: DispatchServices = { sessions: options.sessionStore, client: options.client, logger, account: options.account };
  const lateMode: LateReplyMode = options.lateReply ?? (options.onLateReply ? 'kf' : 'off');
  const retry = lateMode === 'retry' ? new RetryReplies({ deadlines, holdMs: options.retryHoldMs, now, logger }) : undefined;
  const late = lateDelivery(options, logger);
  const exchangeId = exchangeIds();

  /** Runs the bot with the deadline; resolves to the body to send. Never rejects. */
  async function answer(opened: OpenedMessage, ex: Exchange, key?: string): Promise<string> {
    const started = now();
    let deadline: Deadline | undefined;
    try {
      // Promise.resolve: a hand-written `dispatch` may return a plain value, or throw
      // before returning a promise; both land here like a handler's own answer or error.
      const work = Promise.resolve(options.router.dispatch(opened.message, services));
      // One promise settled by whichever comes first; cheaper than Promise.race over a second one.
      const outcome = await new Promise<Reply | null | typeof LATE>((resolve, reject) => {
        deadline = deadlines.start(() => resolve(LATE));
        work.then(resolve, reject);
      });
      if (outcome === LATE) {
        ex.late = true;
        ex.lateMode = lateMode;
        if (retry && key !== undefined) {
          logger.warn(`wxmp: handler for ${describeMessage(opened.message)} took over ${deadlineMs} ms; not answering this try, so WeChat retries and gets the reply when ready (WECHAT_LATE_REPLY=retry)`);
          await retry.hold(key, opened.message, work, started);
          return SUCCESS;
        }
        logger.warn(`wxmp: handler for ${describeMessage(opened.message)} took over ${deadlineMs} ms; answered "success" so WeChat shows no error${lateMode === 'off' ? '; the reply is dropped (WECHAT_LATE_REPLY=off)' : ', the reply will be delivered late'}`);
        void work.then((reply) => (lateMode === 'off' ? late.drop(opened.message, reply, now() - started) : late.deliver(opened.message, reply, now() - started)), (error) => logger.error(`wxmp: late handler for ${describeMessage(opened.message)} failed`, error));
        return SUCCESS;
      }
      return seal(outcome, opened, ex);
    } catch (error) {
      logger.error(`wxmp: handler for ${describeMessage(opened.message)} threw; answered "success"`, error);
      ex.error = exchangeError(error);
      return SUCCESS;
    } finally {
      if (deadline) deadlines.cancel(deadline);
    }
  }

  function seal(outcome: Reply | null, opened: OpenedMessage, ex: Exchange): string {
    ex.reply = outcome;
    if (!outcome) return SUCCESS;
    const timestamp = Math.floor(now() / 1000);
    ex.replyXml = renderReply(outcome, opened.message, timestamp);
    // Plaintext replies are sent as they are: no nonce to draw.
    if (opened.mode === 'plaintext') return ex.replyXml;
    return sealReply(ex.replyXml, opened.mode, { token: protocol.token, crypto, timestamp, nonce: nonce() });
  }

  /** Retry mode: a copy of a held message, or "继续"; undefined when the message is neither. */
  async function fromRetry(key: string, opened: OpenedMessage, ex: Exchange): Promise<string | undefined> {
    try {
      const outcome = await retry!.take(key, opened.message);
      if (!outcome) return undefined;
      ex.dedup = 'joined';
      if (outcome.kind === 'hold') {
        ex.late = true;
        ex.lateMode = 'retry';
        return SUCCESS;
      }
      const held = outcome.held;
      if (held && outcome.reply) {
        const m = held.message;
        ex.heldReply = { via: held.via, delayMs: now() - held.startedAt, of: { user: m.fromUserName, createTime: m.createTime, msgId: 'msgId' in m ? m.msgId : undefined } };
      }
      return seal(outcome.reply, opened, ex);
    } catch (error) {
      logger.error(`wxmp: handler for ${describeMessage(opened.message)} threw; answered "success"`, error);
      ex.error = exchangeError(error);
      return SUCCESS;
    }
  }

  /** The reply XML a de-duplicated copy was sent, for its log line (rare: copies only). */
  function copyReplyXml(body: string, mode: OpenedMessage['mode']): string | undefined {
    if (body === SUCCESS || mode === 'plaintext' || !crypto) return body;
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/.exec(body)?.[1];
    try { return encrypt ? crypto.decrypt(encrypt) : undefined; } catch { return undefined; }
  }

  async function handlePost(c: Context, ex: Exchange): Promise<Response> {
    let body: string;
    // try/await rather than .catch(): no closure and no second promise per message.
    try {
      body = await readBody(c.req.raw, maxBodyBytes);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      // The client went away mid-body: no handler ran, so this is not a handler error.
      throw new ProtocolError('BODY_INCOMPLETE', 400, `the request body did not fully arrive (${errorMessage(error)}): the client aborted or the connection closed; no handler ran`, { cause: error });
    }
    ex.rawBody = body;
    const opened = openMessage(ex.query, body, protocol);
    const key = messageDedupKey(opened.message);
    const held = retry?.has(key, opened.message) ?? false;
    // With a store in another process, the replay record and the de-dup claim go in one round trip.
    const checking = guard.check({ query: ex.query, kind: 'POST', body, claim: held ? undefined : { key, ttlMs: dedup.ttlMs }, bodySignature: opened.mode === 'plaintext' ? undefined : ex.query.msg_signature });
    const claimed = checking ? await checking : undefined;
    ex.mode = opened.mode;
    ex.xml = opened.xml;
    ex.message = opened.message;
    // Asked again: a copy may have been put on hold while the store answered.
    let text: string | undefined = held || retry?.has(key, opened.message) ? await fromRetry(key, opened, ex) : undefined;
    if (text === undefined) try {
      const outcome = await dedup.run(key, deadlineMs, () => answer(opened, ex, key), claimed);
      ex.dedup = outcome.dedup;
      text = outcome.body;
      if (outcome.dedup !== 'first') ex.replyXml = copyReplyXml(text, opened.mode);
    } catch (error) {
      // An error from answering is not the store's: running the handler again would answer twice.
      if (!(error instanceof DedupStoreError)) throw error;
      // The shared store failed (Redis down): handling the message beats dropping it.
      logger.error(`wxmp: de-dup store failed; ${error.reply === undefined ? 'handling the message without de-duplication' : 'sent the reply without recording it'}`, error.cause);
      text = error.reply ?? (await answer(opened, ex));
    }
    const headers: Record<string, string> = { 'Content-Type': text === SUCCESS ? 'text/plain; charset=utf-8' : 'application/xml; charset=utf-8' };
    // Lets the emulator's --retry show how copies were handled; WeChat ignores response headers.
    if (ex.dedup) headers['X-Wxmp-Dedup'] = ex.dedup;
    // Why a "success" was sent, without details: the emulator tells "no reply" from "your handler failed".
    if (ex.error || ex.late) headers['X-Wxmp-Handler'] = ex.error ? 'error' : 'late';
    ex.responseBody = text;
    // A plain Response with a headers object: c.body() with more than one header builds a
    // WHATWG Headers, which cost a tenth of a message's time; @hono/node-server writes this as is.
    return new Response(text, { status: 200, headers });
  }

  async function handle(c: Context, ex: Exchange): Promise<Response> {
    try {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        ex.kind = 'verify';
        const echo = verifyEcho(ex.query, options.token);
        const checking = guard.check({ query: ex.query, kind: 'GET' });
        if (checking) await checking;
        return c.text((ex.responseBody = echo));
      }
      if (c.req.method !== 'POST') return c.text((ex.responseBody = 'method not allowed: WeChat sends GET (verification) and POST (messages)'), 405, { Allow: 'GET, POST' });
      ex.kind = 'message';
      return await handlePost(c, ex);
    } catch (error) {
      ex.error = exchangeError(error);
      if (error instanceof ProtocolError) return c.text((ex.responseBody = error.message), error.status);
      logger.error('wxmp: unexpected error while handling a WeChat request; answered "success"', error);
      return c.text((ex.responseBody = SUCCESS), 200);
    }
  }

  return async function wechatHandler(c) {
    const started = now();
    const ex: Exchange = { id: exchangeId(started), time: started, method: c.req.method, path: c.req.path, query: rawQuery(c.req.url), status: 0, durationMs: 0, kind: 'other' };
    if (options.account !== undefined) ex.account = options.account;
    const response = await handle(c, ex);
    ex.status = response.status;
    ex.durationMs = now() - started;
    // The body each branch built is in ex.responseBody: no clone of the response to read it back.
    if (options.onExchange) callListener('onExchange', options.onExchange, ex, logger);
    c.res = response;
    return response;
  };
}
