/**
 * Late replies in the dev server: sent as customer-service messages like in
 * production, and each recorded as its own inspector entry, linked to the
 * message it answers, with its delay and what became of it.
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

/**
 * @example
 * const late = lateReplies({ client: api.client, logger, record: (entry) => store.add(entry) });
 * createDevApps({ ..., onLateReply: late.onLateReply, onExchange: (ex) => { late.noteExchange(ex); ... } });
 */
export function lateReplies(options: { client?: Pick<WechatClient, 'customerService'>; logger: Logger; record(entry: StoredExchange): void }) {
  // The server hands over the message object it reported: its identity finds the exchange.
  const ids = new WeakMap<WechatMessage, string>();
  let counter = 0;
  return {
    /** Remembers which exchange answered late, to link its reply to it. */
    noteExchange(ex: Exchange): void {
      if (ex.late && ex.message) ids.set(ex.message, ex.id);
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
      const time = Date.now();
      options.record({
        id: `${time.toString(36)}-l${(counter++).toString(36)}`, time, method: 'POST', path: LATE_REPLY_PATH, query: {},
        status: outcome.delivery === 'sent' ? 200 : 0, durationMs: late.elapsedMs, kind: 'other', message: late.message, reply: late.reply,
        lateReply: { of: ids.get(late.message), delayMs: late.elapsedMs, ...outcome },
      });
    },
  };
}
