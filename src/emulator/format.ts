/**
 * Prints a send result for a person: what was sent, each try, the reply as
 * the phone would show it, and the verdict.
 */
import type { XmlObject, XmlValue } from '../wechat/xml.js';
import type { Verdict } from './judge.js';
import type { UserAction } from './request.js';
import type { SendResult, Try } from './send.js';

const text = (v: XmlValue | undefined) => (typeof v === 'string' ? v : '');
const block = (v: XmlValue | undefined): XmlObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

/** One line naming the action, e.g. `text "你好"` or `click TODAY`. */
export function describeAction(a: UserAction): string {
  switch (a.kind) {
    case 'text': return `text ${JSON.stringify(a.content)}`;
    case 'image': return 'image';
    case 'voice': return a.recognition ? `voice (recognised as ${JSON.stringify(a.recognition)})` : 'voice';
    case 'location': return `location ${a.latitude}, ${a.longitude}${a.label ? ` (${a.label})` : ''}`;
    case 'link': return `link ${a.url}`;
    case 'subscribe': return a.scene === undefined ? 'event subscribe' : `event subscribe from QR scene ${a.scene}`;
    case 'unsubscribe': return 'event unsubscribe';
    case 'scan': return `scan QR scene ${a.scene}`;
    case 'click': return `menu click ${a.key}`;
    case 'view': return `menu view ${a.url}`;
    case 'scancode': return `menu ${a.event} ${a.key} (scanned ${JSON.stringify(a.scanResult)})`;
    case 'pic': return `menu ${a.event} ${a.key}`;
    case 'location_select': return `menu location_select ${a.key}`;
    case 'view_miniprogram': return `menu view_miniprogram ${a.key}`;
  }
}

const DEDUP: Record<string, string> = {
  first: 'handled it (first copy)',
  joined: 'de-duplicated: joined the run still in progress',
  replayed: 'de-duplicated: replayed the stored answer',
};

function describeTry(t: Try, timeoutMs: number): string {
  if (t.outcome === 'timeout') return `no answer in ${timeoutMs} ms; the connection is dropped`;
  if (t.outcome === 'unreachable') return `cannot connect (${t.error})`;
  const server = t.dedup ? `; the server ${DEDUP[t.dedup]}` : '';
  const handler = t.handler === 'error' ? '; your handler threw (see the server log)' : t.handler === 'late' ? '; your handler missed the deadline, its reply comes later as a customer-service message' : '';
  return `HTTP ${t.status} in ${t.elapsedMs} ms${server}${handler}`;
}

/** The reply's content, as lines, the way the chat would show it. */
export function replyLines(msgType: string, f: XmlObject): string[] {
  switch (msgType) {
    case 'text': return text(f.Content).split('\n');
    case 'image': return [`[image] MediaId ${text(block(f.Image).MediaId)}`];
    case 'voice': return [`[voice] MediaId ${text(block(f.Voice).MediaId)}`];
    case 'video': {
      const v = block(f.Video);
      return [`[video] ${text(v.Title) || 'untitled'} (MediaId ${text(v.MediaId)})`, ...(text(v.Description) ? [text(v.Description)] : [])];
    }
    case 'music': {
      const m = block(f.Music);
      return [`[music] ${text(m.Title) || 'untitled'}${text(m.MusicUrl) ? ` ${text(m.MusicUrl)}` : ''}`];
    }
    case 'news': {
      const items = block(f.Articles).item;
      return (Array.isArray(items) ? items : []).map(block).flatMap((a, i) => [
        `[news ${i + 1}] ${text(a.Title)}${text(a.Description) ? ` - ${text(a.Description)}` : ''}`,
        ...(text(a.Url) ? [`         ${text(a.Url)}`] : []),
      ]);
    }
    case 'transfer_customer_service': {
      const kf = text(block(f.TransInfo).KfAccount);
      return [`[transferred to customer service${kf ? ` ${kf}` : ''}]`];
    }
    default: return [`[${msgType}]`];
  }
}

function verdictLines(v: Verdict): string[] {
  if (v.ok && v.kind === 'no-reply') return ['✓ no reply ("success"): WeChat shows nothing and does not retry'];
  if (v.ok) return [`✓ ${v.msgType} reply${v.encrypted ? ' (encrypted)' : ''}, accepted by WeChat:`, ...replyLines(v.msgType, v.fields).map((l) => `  ${l}`)];
  return [`✗ ${v.kind === 'invalid' ? 'invalid reply' : v.kind}: ${v.reason}`, `  The phone shows: ${v.phone}`];
}

/**
 * The readable report of `wxmp send`.
 *
 * @example
 * process.stdout.write(formatResult(action, result, 5000));
 */
export function formatResult(action: UserAction, result: SendResult, timeoutMs: number): string {
  const lines = [`→ ${describeAction(action)} to ${result.url} (${result.request.mode} mode, as ${result.request.user})`];
  const many = result.tries.length > 1 || result.tries[0]?.outcome === 'timeout';
  result.tries.forEach((t) => lines.push(`${many ? `  try ${t.attempt}: ` : '← '}${describeTry(t, timeoutMs)}`));
  if (many && result.tries.length > 1) {
    const copies = result.tries.filter((t) => t.dedup === 'joined' || t.dedup === 'replayed').length;
    lines.push(`  ${result.tries.length} copies sent with the same MsgId/CreateTime; ${copies} reported as de-duplicated by the server`);
  }
  lines.push(...verdictLines(result.verdict));
  return `${lines.join('\n')}\n`;
}
