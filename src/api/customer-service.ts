/**
 * Customer-service messages: the way to reach a user outside the 5-second
 * reply window (within 48 hours of their last message).
 */
import { ConfigError } from '../errors.js';

/** A customer-service message, in wxmp's shape (camelCase); mapped to WeChat's JSON on send. */
export type CsMessage =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; thumbMediaId?: string; title?: string; description?: string }
  | { type: 'music'; thumbMediaId: string; title?: string; description?: string; musicUrl?: string; hqMusicUrl?: string }
  | { type: 'news'; articles: Array<{ title: string; description?: string; url?: string; picUrl?: string }> }
  | { type: 'msgmenu'; headContent?: string; items: Array<{ id: string; content: string }>; tailContent?: string }
  /** A published article (or permanent news material) by its media_id. */
  | { type: 'mpnews'; mediaId: string }
  /** A published article by its article_id (from freepublish). */
  | { type: 'mpnewsarticle'; articleId: string }
  /** A mini program card; the mini program must be linked to the account. */
  | { type: 'miniprogrampage'; title: string; appid: string; pagepath: string; thumbMediaId: string }
  | { type: 'wxcard'; cardId: string };

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
    case 'mpnews':
      body.mpnews = { media_id: message.mediaId };
      break;
    case 'mpnewsarticle':
      body.mpnewsarticle = { article_id: message.articleId };
      break;
    case 'miniprogrampage':
      body.miniprogrampage = { title: message.title, appid: message.appid, pagepath: message.pagepath, thumb_media_id: message.thumbMediaId };
      break;
    case 'wxcard':
      body.wxcard = { card_id: message.cardId };
      break;
    default:
      throw new ConfigError(`customer-service message type: expected text, image, voice, video, music, news, msgmenu, mpnews, mpnewsarticle, miniprogrampage or wxcard, got ${JSON.stringify((message as { type?: unknown }).type)}`);
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
