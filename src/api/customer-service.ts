/**
 * Customer-service messages: the way to reach a user outside the 5-second
 * reply window (within 48 hours of their last message).
 */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';

/** A customer-service message, in wxmp's shape (camelCase); mapped to WeChat's JSON on send. */
export type CsMessage =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; thumbMediaId?: string; title?: string; description?: string }
  | { type: 'music'; thumbMediaId: string; title?: string; description?: string; musicUrl?: string; hqMusicUrl?: string }
  | { type: 'news'; articles: Array<{ title: string; description?: string; url?: string; picUrl?: string }> }
  | { type: 'msgmenu'; headContent?: string; items: Array<{ id: string; content: string }>; tailContent?: string };

/** @see customerServiceApi */
export interface CustomerServiceApi {
  /** Sends `message` to `openid`; `kfAccount` sends it as a given agent (`name@account`). Never retried on a timeout. */
  send(openid: string, message: CsMessage, options?: { kfAccount?: string }): Promise<void>;
  /** Shortcut for a text message. */
  sendText(openid: string, content: string): Promise<void>;
  /** Shows (or hides) "typing…" in the user's chat for up to 15 s. */
  typing(openid: string, on?: boolean): Promise<void>;
}

/**
 * WeChat's JSON body for `message`.
 *
 * @example
 * csMessageBody('oUser', { type: 'text', content: 'hi' })
 * // { touser: 'oUser', msgtype: 'text', text: { content: 'hi' } }
 */
export function csMessageBody(openid: string, message: CsMessage, kfAccount?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { touser: openid, msgtype: message.type };
  switch (message.type) {
    case 'text':
      body.text = { content: message.content };
      break;
    case 'image':
    case 'voice':
      body[message.type] = { media_id: message.mediaId };
      break;
    case 'video':
      body.video = { media_id: message.mediaId, thumb_media_id: message.thumbMediaId, title: message.title, description: message.description };
      break;
    case 'music':
      body.music = {
        title: message.title,
        description: message.description,
        musicurl: message.musicUrl,
        hqmusicurl: message.hqMusicUrl,
        thumb_media_id: message.thumbMediaId,
      };
      break;
    case 'news':
      body.news = { articles: message.articles.map((a) => ({ title: a.title, description: a.description, url: a.url, picurl: a.picUrl })) };
      break;
    case 'msgmenu':
      body.msgmenu = { head_content: message.headContent ?? '', list: message.items, tail_content: message.tailContent ?? '' };
      break;
    default:
      throw new ConfigError(`customer-service message type: expected text, image, voice, video, music, news or msgmenu, got ${JSON.stringify((message as { type?: unknown }).type)}`);
  }
  if (kfAccount) body.customservice = { kf_account: kfAccount };
  return body;
}

/**
 * A link inside a text message that, when tapped, sends `content` back as the
 * user's message (with `bizmsgmenuid` set to `id` in the callback).
 *
 * @example
 * await client.customerService.sendText(openid, `满意吗？${menuLink('1', '满意')} ${menuLink('2', '不满意')}`);
 */
export function menuLink(id: string, content: string): string {
  const q = `msgmenucontent=${encodeURIComponent(content)}&msgmenuid=${encodeURIComponent(id)}`;
  return `<a href="weixin://bizmsgmenu?${q}">${content}</a>`;
}

function checkOpenid(openid: unknown): void {
  if (typeof openid !== 'string' || openid === '') throw new ConfigError(`openid: expected the user's openid, got ${JSON.stringify(openid)}`);
}

/**
 * @example
 * await client.customerService.send(openid, { type: 'image', mediaId });
 * await client.customerService.typing(openid);
 */
export function customerServiceApi(ctx: ApiContext): CustomerServiceApi {
  const api: CustomerServiceApi = {
    async send(openid, message, options = {}) {
      checkOpenid(openid);
      const json = csMessageBody(openid, message, options.kfAccount);
      await ctx.request({ method: 'POST', path: '/cgi-bin/message/custom/send', json, idempotent: false });
    },
    sendText: (openid, content) => api.send(openid, { type: 'text', content }),
    async typing(openid, on = true) {
      checkOpenid(openid);
      await ctx.request({
        method: 'POST',
        path: '/cgi-bin/message/custom/typing',
        json: { touser: openid, command: on ? 'Typing' : 'CancelTyping' },
        idempotent: true,
      });
    },
  };
  return api;
}
