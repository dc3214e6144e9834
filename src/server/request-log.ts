import type { Exchange } from './exchange.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';

function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The gist of a message: its type or event and what it carries. */
export function messageGist(m: WechatMessage): string {
  switch (m.type) {
    case 'text': return `text ${JSON.stringify(clip(m.content))}`;
    case 'voice': return m.recognition ? `voice ${JSON.stringify(clip(m.recognition))}` : 'voice';
    case 'location': return `location ${m.latitude},${m.longitude} ${clip(m.label, 30)}`;
    case 'link': return `link ${clip(m.url)}`;
    case 'event': {
      const key = 'eventKey' in m && m.eventKey ? ` ${clip(m.eventKey, 40)}` : '';
      return `event ${m.event}${key}`;
    }
    case 'unknown': return `unknown ${m.msgType}${m.event ? `/${m.event}` : ''}`;
    default: return m.type;
  }
}

/** The gist of a reply. */
export function replyGist(r: Reply | null | undefined): string {
  if (!r) return 'success';
  switch (r.type) {
    case 'text': return `text ${JSON.stringify(clip(r.content))}`;
    case 'news': return `news[${r.articles.length}] ${JSON.stringify(clip(r.articles[0]?.title ?? '', 30))}`;
    default: return r.type;
  }
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/**
 * One readable line per request: time, method, path, status, duration and, for
 * WeChat messages, who sent what and what was answered (decrypted in safe mode).
 *
 * @example
 * formatExchange(ex) // '12:00:01 POST / 200 3ms [safe] o6_bmjrPTl: text "hi" → text "echo: hi"'
 */
export function formatExchange(ex: Exchange): string {
  let line = `${clock(ex.time)} ${ex.method} ${ex.path} ${ex.status} ${Math.round(ex.durationMs)}ms`;
  if (ex.kind === 'verify') line += ' WeChat URL verification';
  if (ex.message) {
    line += ` [${ex.mode}] ${ex.message.fromUserName}: ${messageGist(ex.message)} → ${ex.late ? 'success (late: reply follows)' : replyGist(ex.reply)}`;
    if (ex.dedup && ex.dedup !== 'first') line += ` (retry ${ex.dedup})`;
  }
  if (ex.error) line += ` ✗ ${ex.error.code}: ${ex.error.message}`;
  return line;
}
