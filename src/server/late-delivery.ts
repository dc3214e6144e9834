/**
 * Where a reply that missed WeChat's deadline goes when no retry carries it:
 * with `kf`, to onLateReply (a customer-service message); with `off`, nowhere,
 * and onLateDropped hears of it. Neither throws into the server.
 */
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';
import { callListener } from './listener.js';
import type { Logger } from './logger.js';
import type { WechatOptions } from './wechat-options.js';

/** A message as log lines name it: `text from oUser`, `event subscribe from oUser`. */
export function describeMessage(m: WechatMessage): string {
  return `${m.type === 'event' ? `event ${m.event}` : m.type} from ${m.fromUserName}`;
}

/**
 * @example
 * const late = lateDelivery(options, logger);
 * void work.then((reply) => late.deliver(message, reply, elapsedMs));
 */
export function lateDelivery(options: Pick<WechatOptions, 'onLateReply' | 'onLateDropped'>, logger: Logger) {
  return {
    async deliver(message: WechatMessage, reply: Reply | null, elapsedMs: number): Promise<void> {
      if (!reply) return;
      if (!options.onLateReply) {
        logger.warn(`wxmp: a late reply to ${describeMessage(message)} was dropped: no onLateReply hook (set WECHAT_APP_SECRET to send it as a customer-service message)`);
        return;
      }
      try {
        await options.onLateReply({ message, reply, elapsedMs });
      } catch (error) {
        logger.error('wxmp: delivering a late reply failed', error);
      }
    },
    drop(message: WechatMessage, reply: Reply | null, elapsedMs: number): void {
      if (!reply || !options.onLateDropped) return;
      callListener('onLateDropped', options.onLateDropped, { message, reply, elapsedMs }, logger);
    },
  };
}
