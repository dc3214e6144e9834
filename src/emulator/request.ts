/**
 * Builds the request WeChat sends to a callback URL for each kind of message:
 * the signed query and the XML body in plaintext, compatible or safe mode.
 * Pure: time and randomness are injected, so tests reproduce every byte.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { MessageCrypto } from '../wechat/crypto.js';
import type { Mode } from '../wechat/protocol.js';
import { sign } from '../wechat/signature.js';
import { cdata, parseXml, type XmlObject } from '../wechat/xml.js';

/** What the emulated user does; one kind per `wxmp send` sub-command. */
export type UserAction =
  | { kind: 'text'; content: string }
  | { kind: 'image'; picUrl?: string; mediaId?: string }
  | { kind: 'voice'; recognition?: string; mediaId?: string }
  | { kind: 'location'; latitude: number; longitude: number; label?: string }
  | { kind: 'link'; url: string; title?: string; description?: string }
  | { kind: 'subscribe'; scene?: string }
  | { kind: 'unsubscribe' }
  | { kind: 'scan'; scene: string }
  | { kind: 'click'; key: string }
  | { kind: 'view'; url: string }
  /** Menu buttons of type scancode_push / scancode_waitmsg: the scan's result comes with the event. */
  | { kind: 'scancode'; event: 'scancode_push' | 'scancode_waitmsg'; key: string; scanResult: string; scanType?: string }
  /** Menu buttons of type pic_*: the event, then WeChat sends the pictures as image messages. */
  | { kind: 'pic'; event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin'; key: string; count?: number }
  /** A location_select button: the event, then the location as a location message. */
  | { kind: 'location_select'; key: string; latitude: number; longitude: number; label?: string }
  | { kind: 'view_miniprogram'; key: string; menuId?: string };

export interface Credentials {
  token: string;
  appId?: string;
  encodingAESKey?: string;
}

export interface RequestOptions extends Credentials {
  mode: Mode;
  /** The emulated user's OpenID. Default {@link EMULATOR_USER}. */
  user?: string;
  /** The account's original ID (gh_...). Default {@link EMULATOR_ACCOUNT}. */
  account?: string;
  /** Clock in ms. */
  now?: () => number;
  random?: (size: number) => Buffer;
}

/** A stable fake follower, shaped like a real OpenID (28 characters). */
export const EMULATOR_USER = 'oWxmpEmulatorUser00000000001';
/** A fake original ID for the account. */
export const EMULATOR_ACCOUNT = 'gh_e0e0e0e0e0e0';

/** One request as WeChat would send it; `send` posts `query` and `body` to the callback URL. */
export interface WechatRequest {
  mode: Mode;
  /** Query parameters in WeChat's order (signature, timestamp, nonce, openid, then encrypt_type, msg_signature). */
  query: Record<string, string>;
  /** The POST body: plaintext XML, or with `<Encrypt>`. */
  body: string;
  /** The message XML before encryption. */
  xml: string;
  /** The user and account, to check the reply's To/From swap. */
  user: string;
  account: string;
  /** Present on messages; events have none. */
  msgId?: string;
  createTime: number;
}

type Field = [name: string, value: string | number | bigint | { xml: string } | undefined];

function fieldValue(v: Exclude<Field[1], undefined>): string {
  if (typeof v === 'object') return v.xml;
  return typeof v === 'string' ? cdata(v) : String(v);
}

/** WeChat's layout: one element per line, text in CDATA, numbers bare, nested blocks as given. */
function messageXml(fields: Field[]): string {
  const lines = fields.filter(([, v]) => v !== undefined).map(([n, v]) => `<${n}>${fieldValue(v!)}</${n}>`);
  return `<xml>${lines.join('\n')}\n</xml>`;
}

function random32(random: (n: number) => Buffer): bigint {
  return BigInt(random(4).readUInt32BE(0));
}

/** Fields after the envelope, per action. `msgId` is set for messages (not events). */
function actionFields(action: UserAction, msgId: bigint | undefined, random: (n: number) => Buffer): Field[] {
  const media = () => `emu_${random(12).toString('hex')}`;
  switch (action.kind) {
    case 'text':
      return [['MsgType', 'text'], ['Content', action.content], ['MsgId', msgId]];
    case 'image':
      return [['MsgType', 'image'], ['PicUrl', action.picUrl ?? 'https://mmbiz.qpic.cn/emulator/sample.jpg'], ['MediaId', action.mediaId ?? media()], ['MsgId', msgId]];
    case 'voice':
      return [['MsgType', 'voice'], ['MediaId', action.mediaId ?? media()], ['Format', 'amr'], ['Recognition', action.recognition], ['MsgId', msgId]];
    case 'location':
      return [['MsgType', 'location'], ['Location_X', action.latitude], ['Location_Y', action.longitude], ['Scale', 15], ['Label', action.label ?? ''], ['MsgId', msgId]];
    case 'link':
      return [['MsgType', 'link'], ['Title', action.title ?? action.url], ['Description', action.description ?? ''], ['Url', action.url], ['MsgId', msgId]];
    case 'subscribe':
      // A follow through a QR code carries the scene with a qrscene_ prefix and the ticket.
      return action.scene === undefined
        ? [['MsgType', 'event'], ['Event', 'subscribe'], ['EventKey', '']]
        : [['MsgType', 'event'], ['Event', 'subscribe'], ['EventKey', `qrscene_${action.scene}`], ['Ticket', `emu_ticket_${action.scene}`]];
    case 'unsubscribe':
      return [['MsgType', 'event'], ['Event', 'unsubscribe'], ['EventKey', '']];
    case 'scan':
      return [['MsgType', 'event'], ['Event', 'SCAN'], ['EventKey', action.scene], ['Ticket', `emu_ticket_${action.scene}`]];
    case 'click':
      return [['MsgType', 'event'], ['Event', 'CLICK'], ['EventKey', action.key]];
    case 'view':
      return [['MsgType', 'event'], ['Event', 'VIEW'], ['EventKey', action.url]];
    case 'scancode':
      return [['MsgType', 'event'], ['Event', action.event], ['EventKey', action.key],
        ['ScanCodeInfo', { xml: `<ScanType>${cdata(action.scanType ?? 'qrcode')}</ScanType><ScanResult>${cdata(action.scanResult)}</ScanResult>` }]];
    case 'pic': {
      const count = action.count ?? 1;
      const items = Array.from({ length: count }, () => `<item><PicMd5Sum>${cdata(random(16).toString('hex'))}</PicMd5Sum></item>`).join('');
      return [['MsgType', 'event'], ['Event', action.event], ['EventKey', action.key], ['SendPicsInfo', { xml: `<Count>${count}</Count><PicList>${items}</PicList>` }]];
    }
    case 'location_select':
      return [['MsgType', 'event'], ['Event', 'location_select'], ['EventKey', action.key],
        ['SendLocationInfo', { xml: `<Location_X>${action.latitude}</Location_X><Location_Y>${action.longitude}</Location_Y><Scale>15</Scale><Label>${cdata(action.label ?? '')}</Label><Poiname>${cdata(action.label ?? '')}</Poiname>` }]];
    case 'view_miniprogram':
      return [['MsgType', 'event'], ['Event', 'view_miniprogram'], ['EventKey', action.key], ['MenuId', action.menuId]];
  }
}

/** True for actions WeChat gives a MsgId (messages); events have none. */
export function isMessage(action: UserAction): boolean {
  return ['text', 'image', 'voice', 'location', 'link'].includes(action.kind);
}

function checkRequestOptions(o: RequestOptions): void {
  if (typeof o?.token !== 'string' || o.token === '') throw new ConfigError(`token: expected the Token (WECHAT_TOKEN), got ${JSON.stringify(o?.token)}`);
  if (!['plaintext', 'compatible', 'safe'].includes(o.mode)) throw new ConfigError(`mode: expected plaintext, compatible or safe, got ${JSON.stringify(o.mode)}`);
  if (o.mode !== 'plaintext' && (!o.encodingAESKey || !o.appId)) {
    throw new ConfigError(`mode ${o.mode}: expected WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID to encrypt with, got ${o.encodingAESKey ? 'no AppID' : 'no EncodingAESKey'}; set them, or use --mode plaintext`);
  }
}

/**
 * Builds the request WeChat would send for `action`: a fresh MsgId for
 * messages, CreateTime and timestamp in seconds, a numeric nonce, and in
 * compatible/safe mode the `Encrypt` payload signed by `msg_signature`.
 *
 * @example
 * const req = buildRequest({ kind: 'text', content: '你好' }, { token: 'mytoken', mode: 'plaintext' });
 * await fetch(`${url}?${new URLSearchParams(req.query)}`, { method: 'POST', body: req.body });
 */
export function buildRequest(action: UserAction, options: RequestOptions): WechatRequest {
  checkRequestOptions(options);
  const random = options.random ?? randomBytes;
  const now = options.now ?? Date.now;
  const user = options.user ?? EMULATOR_USER;
  const account = options.account ?? EMULATOR_ACCOUNT;
  const createTime = Math.floor(now() / 1000);
  // Real MsgIds are 64-bit and grow with time; seconds in the high half keeps them unique per run.
  const id = isMessage(action) ? (BigInt(createTime) << 32n) | random32(random) : undefined;
  const msgId = id === undefined ? undefined : String(id);
  const xml = messageXml([['ToUserName', account], ['FromUserName', user], ['CreateTime', createTime], ...actionFields(action, id, random)]);
  return sealRequest(xml, options, { user, account, msgId, createTime, random });
}

/** Signs (and in compatible and safe mode encrypts) a message XML the way WeChat does. */
function sealRequest(xml: string, options: RequestOptions, meta: { user: string; account: string; msgId?: string; createTime: number; random: (n: number) => Buffer }): WechatRequest {
  const { user, account, msgId, createTime, random } = meta;
  const timestamp = String(createTime);
  const nonce = String(random32(random) % 9_000_000_000n + 1_000_000_000n);
  const query: Record<string, string> = { signature: sign(options.token, timestamp, nonce), timestamp, nonce, openid: user };
  if (options.mode === 'plaintext') return { mode: 'plaintext', query, body: xml, xml, user, account, msgId, createTime };

  const crypto = new MessageCrypto({ encodingAESKey: options.encodingAESKey!, appId: options.appId!, random });
  const encrypt = crypto.encrypt(xml);
  query.encrypt_type = 'aes';
  query.msg_signature = sign(options.token, timestamp, nonce, encrypt);
  // Compatible mode sends the plaintext fields and the ciphertext side by side; safe mode only the ciphertext.
  const body = options.mode === 'compatible'
    ? xml.replace(/\n?<\/xml>\s*$/, `\n<Encrypt>${cdata(encrypt)}</Encrypt>\n</xml>`)
    : messageXml([['ToUserName', account], ['Encrypt', encrypt]]);
  return { mode: options.mode, query, body, xml, user, account, msgId, createTime };
}

/**
 * A request for a message XML written by hand (the inspector's "edit and
 * replay"): signed now, and encrypted in compatible and safe mode.
 *
 * @example
 * const req = requestFromXml('<xml><ToUserName>...</xml>', { token, appId, encodingAESKey, mode: 'safe' });
 */
export function requestFromXml(xml: string, options: RequestOptions): WechatRequest {
  checkRequestOptions(options);
  let fields: XmlObject;
  try {
    fields = parseXml(xml);
  } catch (error) {
    throw new ConfigError(`xml: expected a WeChat message such as <xml><ToUserName>...</ToUserName>...</xml>, got XML that does not parse: ${(error as Error).message}`, { cause: error });
  }
  const text = (name: string) => (typeof fields[name] === 'string' ? fields[name] : undefined);
  const now = options.now ?? Date.now;
  return sealRequest(xml, options, {
    user: text('FromUserName') ?? options.user ?? EMULATOR_USER,
    account: text('ToUserName') ?? options.account ?? EMULATOR_ACCOUNT,
    msgId: text('MsgId'),
    createTime: Math.floor(now() / 1000),
    random: options.random ?? randomBytes,
  });
}

/** The full URL for `request` at `callbackUrl`, values percent-encoded (base64 keeps its `+`). */
export function requestUrl(callbackUrl: string, request: WechatRequest): string {
  const query = Object.entries(request.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${callbackUrl}${callbackUrl.includes('?') ? '&' : '?'}${query}`;
}
