/**
 * WeChat's callback protocol, without I/O: the GET handshake, opening a POSTed
 * message in any of the three modes, and sealing the reply for that mode.
 */
import { ProtocolError } from '../errors.js';
import type { MessageCrypto } from './crypto.js';
import type { WechatMessage } from './messages.js';
import { parseMessage } from './parse-message.js';
import { sign, signatureMatches } from './signature.js';
import { cdata, parseXml, type XmlObject } from './xml.js';

/** plaintext: no encryption; compatible: plaintext fields and `<Encrypt>`; safe: `<Encrypt>` only. */
export type Mode = 'plaintext' | 'compatible' | 'safe';

export type Query = Record<string, string | undefined>;

export interface ProtocolOptions {
  token: string;
  /** Present when an EncodingAESKey is configured. */
  crypto?: MessageCrypto;
  /** Refuse plaintext messages (WECHAT_MODE=safe). */
  requireEncryption?: boolean;
}

function requireParams(query: Query, names: string[]): void {
  const missing = names.filter((n) => !query[n]);
  if (missing.length) {
    throw new ProtocolError('SIGNATURE_MISSING', 400, `missing query parameter ${missing.join(', ')}: WeChat signs every request with signature, timestamp and nonce`);
  }
}

function checkSignature(query: Query, token: string): void {
  requireParams(query, ['signature', 'timestamp', 'nonce']);
  if (!signatureMatches(sign(token, query.timestamp!, query.nonce!), query.signature)) {
    throw new ProtocolError('SIGNATURE_INVALID', 403, 'signature does not match: the Token in WeChat differs from WECHAT_TOKEN, or the request is not from WeChat');
  }
}

/**
 * The GET handshake: checks `signature` and returns the `echostr` to echo.
 *
 * @example
 * verifyEcho({ signature, timestamp, nonce, echostr }, token) // echostr
 */
export function verifyEcho(query: Query, token: string): string {
  // The signature first: a forged request is told 403 whatever else it lacks.
  checkSignature(query, token);
  if (!query.echostr) {
    throw new ProtocolError('ECHOSTR_MISSING', 400, "missing query parameter echostr: WeChat's verification GET carries echostr, the text to answer with; a signed GET without it is not WeChat's verification");
  }
  return query.echostr;
}

export interface OpenedMessage {
  mode: Mode;
  /** The message XML: the body itself, or the decrypted payload. */
  xml: string;
  fields: XmlObject;
  message: WechatMessage;
}

/**
 * Verifies and opens a POSTed message. Throws a {@link ProtocolError}: 400 for
 * malformed input (XML, payload, missing parameters), 403 for a bad signature.
 */
export function openMessage(query: Query, body: string, options: ProtocolOptions): OpenedMessage {
  // WeChat signs every request with `signature`, in every mode. Checked before the body is
  // parsed, so a forged request is refused for the price of one sha1, whatever its body.
  checkSignature(query, options.token);
  const outer = parseXml(body);
  // Two payloads would read as none, and the message as plaintext (in safe mode a 403 saying to turn encryption on).
  if (Array.isArray(outer.Encrypt)) throw new ProtocolError('MESSAGE_INVALID', 400, 'message has <Encrypt> more than once: WeChat sends one encrypted payload');
  const encrypt = typeof outer.Encrypt === 'string' ? outer.Encrypt : undefined;
  // Compatible mode without msg_signature is read as plaintext: the signature covers no ciphertext.
  if (encrypt === undefined || (outer.MsgType !== undefined && !query.msg_signature)) {
    if (options.requireEncryption) {
      throw new ProtocolError('PLAINTEXT_REFUSED', 403, 'plaintext message refused: WECHAT_MODE=safe accepts encrypted messages only (the plaintext signature does not cover the body); set 消息加解密方式 to 安全模式 in WeChat, or unset WECHAT_MODE');
    }
    return { mode: 'plaintext', xml: body, fields: outer, message: parseMessage(outer) };
  }
  requireParams(query, ['msg_signature', 'timestamp', 'nonce']);
  if (!signatureMatches(sign(options.token, query.timestamp!, query.nonce!, encrypt), query.msg_signature)) {
    throw new ProtocolError('SIGNATURE_INVALID', 403, 'msg_signature does not match: check WECHAT_TOKEN (safe mode signs the Encrypt payload with msg_signature, not signature)');
  }
  if (!options.crypto) {
    throw new ProtocolError('AES_KEY_MISSING', 400, 'message is encrypted but no EncodingAESKey is configured: set WECHAT_ENCODING_AES_KEY (and WECHAT_APP_ID) to the values in WeChat');
  }
  const xml = options.crypto.decrypt(encrypt);
  const fields = parseXml(xml);
  return { mode: outer.MsgType === undefined ? 'safe' : 'compatible', xml, fields, message: parseMessage(fields) };
}

/**
 * Wraps a reply for the mode its message came in: plaintext as is; compatible
 * and safe encrypted, with MsgSignature, TimeStamp (seconds) and Nonce.
 */
export function sealReply(xml: string, mode: Mode, options: ProtocolOptions & { timestamp: number; nonce: string }): string {
  if (mode === 'plaintext') return xml;
  if (!options.crypto) throw new ProtocolError('AES_KEY_MISSING', 400, 'cannot encrypt the reply: no EncodingAESKey is configured');
  const encrypt = options.crypto.encrypt(xml);
  const timestamp = String(Math.floor(options.timestamp));
  const signature = sign(options.token, timestamp, options.nonce, encrypt);
  // What buildXml writes for these four fields, without its generic walk (a tenth of sealing):
  // the base64 payload and hex signature need no escaping, the nonce goes through cdata().
  return `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(options.nonce)}</Nonce></xml>`;
}
