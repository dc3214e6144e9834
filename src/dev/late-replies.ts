/**
 * Late replies in the dev server, each recorded as its own inspector entry,
 * linked to the message it answers, with its delay and what became of it, in
 * every WECHAT_LATE_REPLY mode: `kf` sends it as a customer-service message
 * (like production), `retry` returns it on a WeChat retry or on "继续" (that
 * try becomes the entry), `off` drops it (the entry says so).
 */
import { createLateReplySender } from '../api/late-reply.js';
import type { WechatClient } from '../api/client.js';
import type { Exchange } from '../server/exchange.js';
import type { Logger } from '../server/logger.js';
import type { LateReply } from '../server/wechat.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { LateDelivery, StoredExchange } from './inspector/store.js';

/** The `path` of a late-reply entry: the API call that delivers it. */
export const LATE_REPLY_PATH = '/cgi-bin/message/custom/send';

/** What finds a message's exchange: sender, CreateTime, MsgId (events have none). */
export function messageKey(m: WechatMessage): NonNullable<LateDelivery['key']> {
  return { user: m.fromUserName, createTime: m.createTime, msgId: 'msgId' in m ? m.msgId : undefined };
}

const HELD_DETAIL = {
  retry: 'returned on WeChat\'s retry of the message (WECHAT_LATE_REPLY=retry)',
  continue: 'returned when the user sent "继续" (WECHAT_LATE_REPLY=retry)',
};

/**
 * @example
 * const late = lateReplies({ client: api.client, logger, record: (entry) => store.add(entry) });
 * createDevApps({ ..., onLateReply: late.onLateReply, onLateDropped: late.onDropped, onExchange: (ex) => { late.noteExchange(ex); store.add(ex) } });
 */
export function lateReplies(options: { client?: Pick<WechatClient, 'customerService'>; logger: Logger; record(entry: StoredExchange): void }) {
  // The server hands over the message object it reported: its identity finds the exchange.
  const ids = new WeakMap<WechatMessage, string>();
  let counter = 0;
  const record = (late: LateReply, outcome: Pick<LateDelivery, 'delivery' | 'detail'>, sent: boolean) => {
    const time = Date.now();
    options.record({
      id: `${time.toString(36)}-l${(counter++).toString(36)}`, time, method: sent ? 'POST' : '-', path: sent ? LATE_REPLY_PATH : '-', query: {},
      status: outcome.delivery === 'sent' ? 200 : 0, durationMs: late.elapsedMs, kind: 'other', message: late.message, reply: late.reply,
      lateReply: { of: ids.get(late.message), key: messageKey(late.message), delayMs: late.elapsedMs, ...outcome },
    });
  };
  return {
    /** Remembers which exchange answered late, to link its reply to it; a try that carried a held reply (retry mode) becomes that reply's entry. */
    noteExchange(ex: Exchange): void {
      if (ex.late && ex.message) ids.set(ex.message, ex.id);
      if (ex.heldReply) (ex as StoredExchange).lateReply = { key: ex.heldReply.of, delayMs: ex.heldReply.delayMs, delivery: ex.heldReply.via, detail: HELD_DETAIL[ex.heldReply.via] };
    },
    async onLateReply(late: LateReply): Promise<void> {
      let outcome: Pick<LateDelivery, 'delivery' | 'detail'> = { delivery: 'sent', detail: '' };
      const { logger } = options;
      if (options.client) {
        const send = createLateReplySender({
          client: options.client,
          logger: {
            info: (line) => { outcome = { delivery: 'sent', detail: line }; logger.info(line); },
            warn: (line) => { outcome = { delivery: 'skipped', detail: line }; logger.warn(line); },
            error: (line) => { outcome = { delivery: 'failed', detail: line }; logger.error(line); },
          },
        });
        await send(late);
      } else {
        outcome = { delivery: 'dropped', detail: 'no WeChat API client (set WECHAT_APP_SECRET, or leave it unset for the offline mock): the late reply was dropped' };
        logger.warn(`wxmp dev: ${outcome.detail}`);
      }
      record(late, outcome, true);
    },
    /** WECHAT_LATE_REPLY=off: the reply is shown, marked as never delivered. */
    onDropped(late: LateReply): void {
      record(late, { delivery: 'dropped', detail: 'WECHAT_LATE_REPLY=off: the reply was not delivered (retry returns it on WeChat\'s retries or "继续", kf sends it as a customer-service message)' }, false);
    },
  };
}
