/**
 * Customer-service messages: the way to reach a user outside the 5-second
 * reply window (within 48 hours of their last message).
 */
import { ConfigError } from '../errors.js';

type Article = { title: string; description?: string; url?: string; picurl?: string };

/**
 * A customer-service message in WeChat's own JSON (the body of
 * `message/custom/send` without `touser`): `msgtype` names the kind and the
 * field of the same name carries it. `customservice` sends it as a given agent.
 */
export type CsMessage = (
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | { msgtype: 'video'; video: { media_id: string; thumb_media_id?: string; title?: string; description?: string } }
  | { msgtype: 'music'; music: { thumb_media_id: string; title?: string; description?: string; musicurl?: string; hqmusicurl?: string } }
  /** One article (WeChat rejects more in a customer-service message). */
  | { msgtype: 'news'; news: { articles: Article[] } }
  | { msgtype: 'msgmenu'; msgmenu: { head_content?: string; list: Array<{ id: string; content: string }>; tail_content?: string } }
  /** A published article (or permanent news material) by its media_id. */
  | { msgtype: 'mpnews'; mpnews: { media_id: string } }
  /** A published article by its article_id (from freepublish). */
  | { msgtype: 'mpnewsarticle'; mpnewsarticle: { article_id: string } }
  /** A mini program card; the mini program must be linked to the account. */
  | { msgtype: 'miniprogrampage'; miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string } }
  | { msgtype: 'wxcard'; wxcard: { card_id: string } }
) & { customservice?: { kf_account: string } };

const TYPES = ['text', 'image', 'voice', 'video', 'music', 'news', 'msgmenu', 'mpnews', 'mpnewsarticle', 'miniprogrampage', 'wxcard'];

/** The field each kind cannot do without, so a typo is caught here and not by WeChat's 40008/41006. */
const REQUIRED: Record<string, string[]> = {
  text: ['content'], image: ['media_id'], voice: ['media_id'], video: ['media_id'], music: ['thumb_media_id'], news: ['articles'],
  msgmenu: ['list'], mpnews: ['media_id'], mpnewsarticle: ['article_id'], miniprogrampage: ['title', 'appid', 'pagepath', 'thumb_media_id'], wxcard: ['card_id'],
};

/**
 * WeChat's JSON body for `message`, checked.
 *
 * @example
 * csMessageBody('oUser', { msgtype: 'text', text: { content: 'hi' } })
 * // { touser: 'oUser', msgtype: 'text', text: { content: 'hi' } }
 */
export function csMessageBody(openid: string, message: CsMessage): Record<string, unknown> {
  const type = (message as { msgtype?: unknown })?.msgtype;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw new ConfigError(`customer-service message msgtype: expected ${TYPES.slice(0, -1).join(', ')} or wxcard, got ${JSON.stringify(type)}`);
  }
  const inner = (message as unknown as Record<string, unknown>)[type] as Record<string, unknown> | undefined;
  if (typeof inner !== 'object' || inner === null) throw new ConfigError(`customer-service message: expected { msgtype: '${type}', ${type}: { ... } }, got no ${type} field`);
  for (const field of REQUIRED[type] ?? []) {
    const v = inner[field];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) throw new ConfigError(`customer-service ${type}.${field}: expected a value, got ${JSON.stringify(v)}`);
  }
  if (type === 'news' && (inner.articles as unknown[]).length > 1) throw new ConfigError(`customer-service news.articles: expected 1 article (WeChat's limit), got ${(inner.articles as unknown[]).length}`);
  return { touser: openid, ...message };
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
