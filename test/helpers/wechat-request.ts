/** Builds requests the way WeChat does, for server tests that need no emulator. */
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { sign } from '../../src/wechat/signature.js';

export const TOKEN = 'testtoken123';
export const APP_ID = 'wx1234567890abcdef';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const crypto = new MessageCrypto({ encodingAESKey: AES_KEY, appId: APP_ID });

let seq = 0;
/** A fresh timestamp/nonce pair and the plain `signature` query: now, as WeChat sends it, and a nonce never used before. */
export function signedQuery(token = TOKEN): { timestamp: string; nonce: string; query: string } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(100000 + seq++);
  return { timestamp, nonce, query: `signature=${sign(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}` };
}

export type Mode = 'plaintext' | 'compatible' | 'safe';

/** URL (path + query) and body for `xml` sent in `mode`. */
export function wechatPost(xml: string, mode: Mode, options: { token?: string; crypto?: MessageCrypto; path?: string } = {}): { url: string; body: string } {
  const token = options.token ?? TOKEN;
  const { timestamp, nonce, query } = signedQuery(token);
  const path = options.path ?? '/';
  if (mode === 'plaintext') return { url: `${path}?${query}`, body: xml };
  const encrypt = (options.crypto ?? crypto).encrypt(xml);
  const msgSignature = sign(token, timestamp, nonce, encrypt);
  const inner = mode === 'compatible' ? xml.replace(/<\/xml>\s*$/, '') : '<xml><ToUserName><![CDATA[gh_account]]></ToUserName>';
  return {
    url: `${path}?${query}&openid=oUser123&encrypt_type=aes&msg_signature=${msgSignature}`,
    body: `${inner}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}
