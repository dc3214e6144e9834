/**
 * `wxmp send`: parses the arguments into a user action, sends it like WeChat
 * and prints the verdict. Exit code 0 for a reply WeChat accepts, 1 for one it
 * rejects or when the server says the handler threw.
 */
import { parseArgs } from 'node:util';
import { loadEnv } from '../config.js';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { formatResult } from './format.js';
import { WECHAT_TIMEOUT_MS } from './judge.js';
import { buildRequest, type UserAction } from './request.js';
import { sendRequest } from './send.js';
import { parsePort, resolveCredentials, resolveMode, resolveUrl } from './target.js';

export const SEND_USAGE = `Usage: wxmp send <kind> [arguments] [options]

Kinds:
  text <content>                      a text message
  event subscribe [--scene X]         follow (through a QR code with scene X)
  event unsubscribe                   unfollow
  click <KEY>                         a click menu button
  view <URL>                          a view menu button
  scan <SCENE>                        a follower scans a QR code
  image [PIC_URL]                     a picture
  voice [--recognition TEXT]          a voice message (with speech recognition)
  location <LAT> <LNG> [LABEL]        a location
  link <URL> [TITLE] [DESCRIPTION]    a shared link

Options:
  --url <url>          callback URL (default: the running dev server, else http://127.0.0.1:$PORT$WECHAT_PATH)
  --port <port>        the dev server on this port (when several run in this checkout)
  --account <name>     a further account (WECHAT_TOKEN_<NAME>...): its path and credentials
  --mode <mode>        plaintext, compatible or safe (default: safe when an EncodingAESKey is set)
  --retry              send again like WeChat when no answer comes in 5 s (3 tries in all)
  --json               print the result as JSON
  --user <openid>      the emulated user (default: a stable fake OpenID)
  --timeout <ms>       how long to wait for an answer (default 5000, WeChat's)
`;

const need = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new ConfigError(`expected ${what}; see \`wxmp send --help\``);
  return value;
};

function number(value: string | undefined, what: string): number {
  const n = Number(need(value, what));
  if (!Number.isFinite(n)) throw new ConfigError(`${what}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

const KINDS = ['text', 'event', 'subscribe', 'unsubscribe', 'click', 'view', 'scan', 'image', 'voice', 'location', 'link'];

/**
 * Turns `wxmp send` positionals into an action.
 *
 * @example
 * parseAction(['event', 'subscribe'], { scene: '42' }) // { kind: 'subscribe', scene: '42' }
 */
export function parseAction(positionals: string[], flags: { scene?: string; recognition?: string }): UserAction {
  let [kind, ...rest] = positionals;
  if (kind === 'event') [kind, ...rest] = rest;
  switch (kind) {
    case 'text': return { kind: 'text', content: need(rest.join(' ') || undefined, 'the text to send: wxmp send text "你好"') };
    case 'subscribe': return { kind: 'subscribe', scene: flags.scene };
    case 'unsubscribe': return { kind: 'unsubscribe' };
    case 'click': return { kind: 'click', key: need(rest[0], 'the menu key: wxmp send click KEY') };
    case 'view': return { kind: 'view', url: need(rest[0], 'the menu URL: wxmp send view https://example.com') };
    case 'scan': return { kind: 'scan', scene: need(rest[0], 'the QR scene: wxmp send scan SCENE') };
    case 'image': return { kind: 'image', picUrl: rest[0] };
    case 'voice': return { kind: 'voice', recognition: flags.recognition };
    case 'location': {
      const latitude = number(rest[0], 'latitude (wxmp send location LAT LNG [LABEL])');
      const longitude = number(rest[1], 'longitude (wxmp send location LAT LNG [LABEL])');
      return { kind: 'location', latitude, longitude, label: rest.slice(2).join(' ') || undefined };
    }
    case 'link': return { kind: 'link', url: need(rest[0], 'the link URL: wxmp send link URL [TITLE] [DESCRIPTION]'), title: rest[1], description: rest[2] };
    default: {
      const hint = kind ? didYouMean(kind, KINDS) : '';
      throw new ConfigError(`expected a kind (text, event subscribe, event unsubscribe, click, view, scan, image, voice, location, link), got ${JSON.stringify(positionals.join(' ') || null)}${hint}; see \`wxmp send --help\``);
    }
  }
}

function parseSendArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        url: { type: 'string' }, port: { type: 'string' }, account: { type: 'string' }, mode: { type: 'string' }, retry: { type: 'boolean' }, json: { type: 'boolean' },
        user: { type: 'string' }, timeout: { type: 'string' }, scene: { type: 'string' }, recognition: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs says which option was wrong; keep its words, as a one-line error.
    throw new ConfigError(`${(error as Error).message}; see \`wxmp send --help\``, { cause: error });
  }
}

export interface SendCommandIo {
  stdout?: (text: string) => void;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Runs `wxmp send` with its arguments; resolves to the exit code.
 *
 * @example
 * await sendCommand(['text', '你好', '--url', 'http://127.0.0.1:3000/']) // 0 when the reply is valid
 */
export async function sendCommand(args: string[], io: SendCommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const { values, positionals } = parseSendArgs(args);
  if (values.help) {
    out(SEND_USAGE);
    return 0;
  }
  const action = parseAction(positionals, values);
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const account = values.account?.toLowerCase();
  const credentials = resolveCredentials({ cwd, env, account });
  const mode = resolveMode(values.mode, credentials);
  const { url } = resolveUrl({ url: values.url, port: parsePort(values.port), cwd, env: loadEnv(cwd, env), account });
  const timeoutMs = values.timeout === undefined ? WECHAT_TIMEOUT_MS : number(values.timeout, '--timeout');
  if (timeoutMs <= 0) throw new ConfigError(`--timeout: expected a positive number of milliseconds, got ${values.timeout}`);
  if (values.user !== undefined && !/^[A-Za-z0-9_-]{6,64}$/.test(values.user)) throw new ConfigError(`--user: expected an OpenID (6-64 letters, digits, _ or -), got ${JSON.stringify(values.user)}`);
  const request = buildRequest(action, { ...credentials, mode, user: values.user });
  const result = await sendRequest({ url, action, request, credentials, retry: values.retry, timeoutMs });
  out(values.json ? `${JSON.stringify({ action, ...result }, null, 2)}\n` : formatResult(action, result, timeoutMs));
  // A handler that threw still gives WeChat a valid "success"; a script checking the bot wants to know.
  const threw = result.tries.some((t) => t.handler === 'error');
  return result.verdict.ok && !threw ? 0 : 1;
}
