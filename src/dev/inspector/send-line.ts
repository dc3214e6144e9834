/** "Copy as `wxmp send ...`": the command that sends a recorded message again from a terminal. */
import type { Mode } from '../../wechat/protocol.js';
import type { WechatMessage } from '../../wechat/messages.js';

/** POSIX shell quoting: safe for any text, including quotes and newlines. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function words(m: WechatMessage): string[] | undefined {
  switch (m.type) {
    case 'text': return ['text', m.content];
    case 'image': return ['image', m.picUrl];
    case 'voice': return m.recognition ? ['voice', '--recognition', m.recognition] : ['voice'];
    case 'location': return ['location', String(m.latitude), String(m.longitude), ...(m.label ? [m.label] : [])];
    case 'link': return ['link', m.url, m.title, ...(m.description ? [m.description] : [])];
    case 'event':
      switch (m.event) {
        case 'subscribe': return m.eventKey?.startsWith('qrscene_') ? ['event', 'subscribe', '--scene', m.eventKey.slice(8)] : ['event', 'subscribe'];
        case 'unsubscribe': return ['event', 'unsubscribe'];
        case 'SCAN': return ['scan', m.eventKey];
        case 'CLICK': return ['click', m.eventKey];
        case 'VIEW': return ['view', m.eventKey];
        default: return undefined;
      }
    default: return undefined;
  }
}

/**
 * The `wxmp send` command for a recorded message, or undefined for kinds it cannot send.
 *
 * @example
 * sendLine(message, { mode: 'safe', port: 8080 }) // "npx wxmp send text 'hi there' --mode safe --user oAbc --port 8080"
 */
export function sendLine(m: WechatMessage | undefined, options: { mode?: Mode; port?: number; account?: string }): string | undefined {
  const parts = m && words(m);
  if (!parts || !m) return undefined;
  const flags = [...(options.mode ? ['--mode', options.mode] : []), '--user', m.fromUserName, ...(options.account && options.account !== 'default' ? ['--account', options.account] : []), ...(options.port ? ['--port', String(options.port)] : [])];
  return ['npx', 'wxmp', 'send', ...parts, ...flags].map(shellQuote).join(' ');
}
