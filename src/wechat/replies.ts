/**
 * Passive replies: what a handler returns, and the XML WeChat expects back.
 * Built from the incoming message (To/From swapped), CreateTime in seconds.
 */
import { ConfigError } from '../errors.js';
import { buildXml, type XmlInput } from './xml.js';

export interface Article { title: string; description?: string; picUrl?: string; url?: string }

export type Reply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | { type: 'music'; thumbMediaId: string; title?: string; description?: string; musicUrl?: string; hqMusicUrl?: string }
  | { type: 'news'; articles: Article[] }
  | { type: 'transfer_customer_service'; kfAccount?: string };

/**
 * Builders for typed replies; a handler may also return a plain string (a text reply).
 *
 * @example
 * router.event('CLICK', 'NEWS', () => reply.news([{ title: 'Hello', url: 'https://example.com' }]))
 */
export const reply = {
  text: (content: string): Reply => ({ type: 'text', content }),
  image: (mediaId: string): Reply => ({ type: 'image', mediaId }),
  voice: (mediaId: string): Reply => ({ type: 'voice', mediaId }),
  video: (mediaId: string, extra: { title?: string; description?: string } = {}): Reply => ({ type: 'video', mediaId, ...extra }),
  music: (music: Omit<Extract<Reply, { type: 'music' }>, 'type'>): Reply => ({ type: 'music', ...music }),
  news: (articles: Article[]): Reply => ({ type: 'news', articles }),
  /** Hands the conversation to a human agent (WeChat's 多客服), optionally a given one. */
  transferToCustomerService: (kfAccount?: string): Reply => ({ type: 'transfer_customer_service', kfAccount }),
};

/** Checks a reply's shape before it is sent; WeChat silently drops malformed ones. */
export function checkReply(r: Reply): void {
  const fail = (what: string) => {
    throw new ConfigError(`invalid ${r.type} reply: ${what}`);
  };
  switch (r.type) {
    case 'text':
      if (typeof r.content !== 'string' || r.content === '') fail(`expected non-empty content, got ${JSON.stringify(r.content)}; return nothing to send no reply`);
      break;
    case 'image':
    case 'voice':
    case 'video':
      if (!r.mediaId) fail('expected a mediaId (upload the file with the media API first)');
      break;
    case 'music':
      if (!r.thumbMediaId) fail('expected a thumbMediaId');
      break;
    case 'news':
      if (!Array.isArray(r.articles) || r.articles.length < 1 || r.articles.length > 8) fail(`expected 1 to 8 articles, got ${Array.isArray(r.articles) ? r.articles.length : typeof r.articles}`);
      r.articles.forEach((a, i) => { if (!a?.title) fail(`article ${i + 1}: expected a title`); });
      break;
    case 'transfer_customer_service':
      break;
    default:
      throw new ConfigError(`invalid reply: expected type text, image, voice, video, music, news or transfer_customer_service, got ${JSON.stringify((r as { type?: unknown }).type)}`);
  }
}

function payload(r: Reply): XmlInput {
  switch (r.type) {
    case 'text':
      return { Content: r.content };
    case 'image':
      return { Image: { MediaId: r.mediaId } };
    case 'voice':
      return { Voice: { MediaId: r.mediaId } };
    case 'video':
      return { Video: { MediaId: r.mediaId, Title: r.title, Description: r.description } };
    case 'music':
      return { Music: { Title: r.title, Description: r.description, MusicUrl: r.musicUrl, HQMusicUrl: r.hqMusicUrl, ThumbMediaId: r.thumbMediaId } };
    case 'news':
      return {
        ArticleCount: r.articles.length,
        Articles: r.articles.map((a) => ({ Title: a.title, Description: a.description ?? '', PicUrl: a.picUrl ?? '', Url: a.url ?? '' })),
      };
    case 'transfer_customer_service':
      return r.kfAccount ? { TransInfo: { KfAccount: r.kfAccount } } : {};
  }
}

/**
 * Renders a reply to the incoming message as WeChat's XML.
 *
 * @param to the incoming message: its sender becomes the receiver
 * @param createTime seconds since the epoch (WeChat rejects milliseconds)
 */
export function renderReply(r: Reply, to: { fromUserName: string; toUserName: string }, createTime: number): string {
  checkReply(r);
  return buildXml({
    ToUserName: to.fromUserName,
    FromUserName: to.toUserName,
    CreateTime: Math.floor(createTime),
    MsgType: r.type,
    ...payload(r),
  });
}
