/**
 * Late replies: when a handler misses WeChat's 5-second window the server
 * answers `success`, and its eventual reply is delivered here as a
 * customer-service message instead of being lost.
 */
import { ConfigError } from '../errors.js';
import type { CsMessage } from './customer-service.js';
import type { WechatClient } from './client.js';
import type { LateReply } from '../server/wechat.js';
import type { Reply } from '../wechat/replies.js';

/** Where late-reply outcomes are written; `console` fits. */
export interface LateReplyLogger {
  info?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The customer-service message for a passive reply, or `null` when there is
 * none (transfer_customer_service only makes sense as a passive reply).
 *
 * @example
 * replyToCsMessage({ type: 'text', content: 'hi' }) // { msgtype: 'text', text: { content: 'hi' } }
 */
export function replyToCsMessage(reply: Reply): CsMessage | null {
  switch (reply.type) {
    case 'text':
      return { msgtype: 'text', text: { content: reply.content } };
    case 'image':
      return { msgtype: 'image', image: { media_id: reply.mediaId } };
    case 'voice':
      return { msgtype: 'voice', voice: { media_id: reply.mediaId } };
    case 'video':
      return { msgtype: 'video', video: { media_id: reply.mediaId, title: reply.title, description: reply.description } };
    case 'music':
      return { msgtype: 'music', music: { thumb_media_id: reply.thumbMediaId, title: reply.title, description: reply.description, musicurl: reply.musicUrl, hqmusicurl: reply.hqMusicUrl } };
    case 'news':
      // Customer-service news carries one article; WeChat rejects more.
      return { msgtype: 'news', news: { articles: reply.articles.slice(0, 1).map((a) => ({ title: a.title, description: a.description, url: a.url, picurl: a.picUrl })) } };
    default:
      return null;
  }
}

/**
 * Returns the server's `onLateReply` hook. It never throws: a failure is
 * logged with its reason (the server has already answered WeChat).
 *
 * @example
 * const app = createApp({ ...options, onLateReply: createLateReplySender({ client, logger: console }) });
 */
export function createLateReplySender(options: { client: Pick<WechatClient, 'customerService'>; logger?: LateReplyLogger }): (late: LateReply) => Promise<void> {
  if (typeof options?.client?.customerService?.send !== 'function') {
    throw new ConfigError(`createLateReplySender client: expected a WeChat client (createWechatClient), got ${typeof options?.client}`);
  }
  const { client } = options;
  const logger = options.logger ?? console;
  return async (late) => {
    const openid = late.message.fromUserName;
    const message = replyToCsMessage(late.reply);
    if (!message) {
      logger.warn(`late reply to ${openid}: a ${late.reply.type} reply has no customer-service equivalent; skipped (it only works as an answer within 5 s)`);
      return;
    }
    try {
      await client.customerService.send(openid, message);
      logger.info?.(`late reply to ${openid}: sent as a customer-service ${message.msgtype} message after ${late.elapsedMs} ms`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error(`late reply to ${openid}: the ${message.msgtype} reply could not be sent as a customer-service message: ${reason}`);
    }
  };
}
