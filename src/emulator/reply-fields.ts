/**
 * The fields WeChat requires in each passive reply type (from the official
 * "被动回复用户消息" reference). A reply missing one is dropped with an error.
 */
import type { XmlObject, XmlValue } from '../wechat/xml.js';

/** The reply MsgTypes WeChat accepts. */
export const REPLY_TYPES = ['text', 'image', 'voice', 'video', 'music', 'news', 'transfer_customer_service'] as const;

/** The longest passive text reply WeChat delivers, in UTF-8 bytes (undocumented; measured by developers). */
export const MAX_TEXT_BYTES = 2048;

const text = (v: XmlValue | undefined) => (typeof v === 'string' ? v : '');
const block = (v: XmlValue | undefined): XmlObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

function mediaBlock(fields: XmlObject, name: 'Image' | 'Voice' | 'Video'): string | undefined {
  const inner = block(fields[name]);
  if (!inner) return `a ${name.toLowerCase()} reply needs <${name}><MediaId>...</MediaId></${name}>`;
  if (!text(inner.MediaId)) return `a ${name.toLowerCase()} reply needs a non-empty <${name}><MediaId> (upload the file with the media API first)`;
  return undefined;
}

function news(fields: XmlObject, isMessage: boolean): string | undefined {
  const count = Number(text(fields.ArticleCount));
  const articles = block(fields.Articles)?.item;
  const items = (Array.isArray(articles) ? articles : []).map((a) => block(a) ?? {});
  if (!Number.isInteger(count) || count < 1 || count > 8) return `a news reply needs ArticleCount from 1 to 8, got ${JSON.stringify(fields.ArticleCount ?? null)}`;
  // Since 2018 WeChat sends only one article in reply to a user's message; events may still get up to 8.
  if (isMessage && count > 1) return `a news reply to a user's message may carry 1 article only (WeChat's rule since 2018), got ${count}; more are allowed for events such as menu clicks`;
  if (items.length !== count) return `ArticleCount is ${count} but <Articles> holds ${items.length} <item>s`;
  const untitled = items.findIndex((a) => !text(a.Title));
  if (untitled >= 0) return `news article ${untitled + 1} has no Title`;
  return undefined;
}

/**
 * Checks the type-specific fields of a decrypted reply; returns the problem, or
 * undefined when WeChat would deliver it.
 *
 * @example
 * checkFields('text', { Content: '' }, true) // 'a text reply needs a non-empty Content ...'
 */
export function checkFields(msgType: string, fields: XmlObject, isMessage: boolean): string | undefined {
  switch (msgType) {
    case 'text': {
      const content = text(fields.Content);
      if (!content) return 'a text reply needs a non-empty Content; to send nothing, answer "success" or an empty body';
      const bytes = Buffer.byteLength(content, 'utf8');
      // WeChat's reference names no limit; developers measured 2048 bytes of UTF-8 (a Chinese character is 3).
      if (bytes > MAX_TEXT_BYTES) return `a text reply's Content is ${bytes} bytes of UTF-8; WeChat does not deliver passive text replies over ${MAX_TEXT_BYTES} bytes (a limit it does not document, measured by developers): shorten it, or answer "success" and send it in parts as customer-service messages`;
      return undefined;
    }
    case 'image':
      return mediaBlock(fields, 'Image');
    case 'voice':
      return mediaBlock(fields, 'Voice');
    case 'video':
      return mediaBlock(fields, 'Video');
    case 'music': {
      const music = block(fields.Music);
      return music && text(music.ThumbMediaId) ? undefined : 'a music reply needs <Music><ThumbMediaId>...</ThumbMediaId></Music>';
    }
    case 'news':
      return news(fields, isMessage);
    case 'transfer_customer_service':
      return undefined;
    default:
      return `MsgType ${JSON.stringify(msgType)} is not a reply type WeChat accepts; expected one of ${REPLY_TYPES.join(', ')}`;
  }
}
