import type { Exchange } from './exchange.js';
import type { WechatMessage } from '../wechat/messages.js';
import type { Reply } from '../wechat/replies.js';

// Whitespace other than lone spaces: without any, collapsing runs of whitespace changes nothing,
// and a test costs a fraction of a replace (which builds a new string whatever it finds).
const LOOSE_SPACE = /[^\S ]| {2}/;
// What JSON.stringify escapes; without any, quoting is all it does (and it costs more to set up).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const quoted = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

function clip(text: string, max = 60): string {
  const flat = LOOSE_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The gist of a message: its type or event and what it carries. */
export function messageGist(m: WechatMessage): string {
  switch (m.type) {
    case 'text': return `text ${quoted(clip(m.content))}`;
    case 'voice': return m.recognition ? `voice ${quoted(clip(m.recognition))}` : 'voice';
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
    case 'text': return `text ${quoted(clip(r.content))}`;
    case 'news': return `news[${r.articles.length}] ${quoted(clip(r.articles[0]?.title ?? '', 30))}`;
    default: return r.type;
  }
}

let clockSecond = NaN;
let clockText = '';
/** HH:MM:SS in local time; formatted once per second, as every request of that second shares it. */
function clock(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    clockText = new Date(ms).toTimeString().slice(0, 8);
  }
  return clockText;
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: any of them in
// a FromUserName or a message could start a forged line or move a terminal's cursor.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A log line with every control character shown as an escape (`\n`, `\u0085`),
 * so what a sender typed can never forge a line or recolour a terminal.
 *
 * @example
 * escapeControls('oUser\n12:00:00 POST') // 'oUser\\n12:00:00 POST'
 */
export function escapeControls(line: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(line)) return line;
  return line.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const XML_FIELD = (name: string) => new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${name}>`);
const MSG_TYPE = XML_FIELD('MsgType');
const CONTENT = XML_FIELD('Content');
const TITLE = XML_FIELD('Title');
const field = (re: RegExp, xml: string): string | undefined => { const m = re.exec(xml); return m ? m[1] ?? m[2] : undefined; };

/** The gist of a reply read back from its XML: what a de-duplicated copy was answered. */
export function replyXmlGist(xml: string | undefined): string {
  if (!xml || xml === 'success') return 'success';
  const type = field(MSG_TYPE, xml);
  if (type === 'text') return `text ${quoted(clip(field(CONTENT, xml) ?? ''))}`;
  if (type === 'news') return `news ${quoted(clip(field(TITLE, xml) ?? '', 30))}`;
  return type ?? 'reply';
}

function answered(ex: Exchange): string {
  if (ex.late) return 'success (late: reply follows)';
  // A copy did not run the handler: it got the first copy's answer, read back from what was sent.
  if (ex.dedup && ex.dedup !== 'first') return `${replyXmlGist(ex.replyXml ?? ex.responseBody)} (retry ${ex.dedup}: the first copy's answer, handler not run again)`;
  return replyGist(ex.reply);
}

/**
 * One readable line per request: time, method, path, status, duration and, for
 * WeChat messages, who sent what and what was answered (decrypted in safe mode).
 *
 * @example
 * formatExchange(ex) // '12:00:01 POST / 200 3ms [safe] o6_bmjrPTl: text "hi" → text "echo: hi"'
 * // with several accounts: '12:00:01 POST /shop (shop) 200 3ms [safe] ...'
 */
export function formatExchange(ex: Exchange): string {
  // With several accounts, each line names the one it is for: paths alone are easy to mix up.
  let line = `${clock(ex.time)} ${ex.method} ${ex.path}${ex.account ? ` (${ex.account})` : ''} ${ex.status} ${Math.round(ex.durationMs)}ms`;
  if (ex.kind === 'verify') line += ' WeChat URL verification';
  if (ex.message) {
    line += ` [${ex.mode}] ${ex.message.fromUserName}: ${messageGist(ex.message)} → ${answered(ex)}`;
  }
  if (ex.error) line += ` ✗ ${ex.error.code}: ${ex.error.message}`;
  return escapeControls(line);
}
