import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildRequest, requestUrl, EMULATOR_ACCOUNT, EMULATOR_USER, type UserAction } from '../../src/emulator/request.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { openMessage, type Mode } from '../../src/wechat/protocol.js';
import { rawQuery } from '../../src/server/query.js';
import { sign } from '../../src/wechat/signature.js';
import { AES_KEY, APP_ID, TOKEN } from '../helpers/wechat-request.js';

const require = createRequire(import.meta.url);
const WXBizMsgCrypt = require('wechat-crypto') as new (t: string, k: string, a: string) => { decrypt(s: string): { message: string; id: string } };

const creds = { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY };
const server = { token: TOKEN, crypto: new MessageCrypto({ encodingAESKey: AES_KEY, appId: APP_ID }) };
const fixed = { now: () => 1_700_000_000_123, random: (n: number) => Buffer.alloc(n, 7) };

const actions: Array<[UserAction, Record<string, unknown>]> = [
  [{ kind: 'text', content: '你好 ]]> <b>' }, { type: 'text', content: '你好 ]]> <b>' }],
  [{ kind: 'image' }, { type: 'image' }],
  [{ kind: 'voice', recognition: '腾讯微信团队' }, { type: 'voice', format: 'amr', recognition: '腾讯微信团队' }],
  [{ kind: 'voice' }, { type: 'voice', recognition: undefined }],
  [{ kind: 'location', latitude: 23.134521, longitude: 113.358803, label: '广州' }, { type: 'location', latitude: 23.134521, longitude: 113.358803, label: '广州', scale: 15 }],
  [{ kind: 'link', url: 'https://mp.weixin.qq.com', title: '官网' }, { type: 'link', url: 'https://mp.weixin.qq.com', title: '官网' }],
  [{ kind: 'subscribe' }, { type: 'event', event: 'subscribe', scene: undefined }],
  [{ kind: 'subscribe', scene: '42' }, { type: 'event', event: 'subscribe', eventKey: 'qrscene_42', scene: '42', ticket: 'emu_ticket_42' }],
  [{ kind: 'unsubscribe' }, { type: 'event', event: 'unsubscribe' }],
  [{ kind: 'scan', scene: 'S1' }, { type: 'event', event: 'SCAN', scene: 'S1' }],
  [{ kind: 'click', key: 'TODAY' }, { type: 'event', event: 'CLICK', eventKey: 'TODAY' }],
  [{ kind: 'view', url: 'https://example.com/a?b=1' }, { type: 'event', event: 'VIEW', eventKey: 'https://example.com/a?b=1' }],
];

describe('buildRequest', () => {
  for (const mode of ['plaintext', 'compatible', 'safe'] as Mode[]) {
    it.each(actions)(`${mode}: %j opens on the server as the same message`, (action, expected) => {
      const req = buildRequest(action, { ...creds, mode });
      // Through the URL and back, as a server reads it.
      const query = rawQuery(requestUrl('http://127.0.0.1/wechat', req));
      const opened = openMessage(query, req.body, server);
      expect(opened.mode).toBe(mode);
      expect(opened.message).toMatchObject({ ...expected, fromUserName: EMULATOR_USER, toUserName: EMULATOR_ACCOUNT });
      expect(opened.xml).toBe(req.xml);
    });
  }

  it('signs the query as WeChat does and puts openid in it', () => {
    const req = buildRequest({ kind: 'text', content: 'hi' }, { ...creds, mode: 'safe', ...fixed });
    const { signature, timestamp, nonce, openid, encrypt_type, msg_signature } = req.query;
    expect(Object.keys(req.query)).toEqual(['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature']);
    expect(timestamp).toBe('1700000000');
    expect(nonce).toMatch(/^\d{10}$/);
    expect(signature).toBe(sign(TOKEN, timestamp!, nonce!));
    expect(openid).toBe(EMULATOR_USER);
    expect(encrypt_type).toBe('aes');
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]><\/Encrypt>/.exec(req.body)![1]!;
    expect(msg_signature).toBe(sign(TOKEN, timestamp!, nonce!, encrypt));
  });

  it('safe mode sends only ToUserName and Encrypt; a peer implementation decrypts it', () => {
    const req = buildRequest({ kind: 'text', content: 'hi' }, { ...creds, mode: 'safe' });
    expect(req.body).toMatch(/^<xml><ToUserName><!\[CDATA\[gh_e0e0e0e0e0e0\]\]><\/ToUserName>\n<Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt>\n<\/xml>$/);
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]>/.exec(req.body)![1]!;
    const peer = new WXBizMsgCrypt(TOKEN, AES_KEY, APP_ID).decrypt(encrypt);
    expect(peer).toEqual({ message: req.xml, id: APP_ID });
  });

  it('compatible mode keeps the plaintext fields next to Encrypt', () => {
    const req = buildRequest({ kind: 'text', content: 'hi' }, { ...creds, mode: 'compatible' });
    expect(req.body).toContain('<Content><![CDATA[hi]]></Content>');
    expect(req.body).toMatch(/<Encrypt><!\[CDATA\[.+\]\]><\/Encrypt>\n<\/xml>$/);
  });

  it('lays the XML out like WeChat: one element per line, numbers bare', () => {
    const req = buildRequest({ kind: 'text', content: 'hi' }, { ...creds, mode: 'plaintext', ...fixed });
    expect(req.xml).toBe(`<xml><ToUserName><![CDATA[${EMULATOR_ACCOUNT}]]></ToUserName>\n<FromUserName><![CDATA[${EMULATOR_USER}]]></FromUserName>\n<CreateTime>1700000000</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hi]]></Content>\n<MsgId>${req.msgId}</MsgId>\n</xml>`);
  });

  it('gives messages a fresh 64-bit MsgId and events none', () => {
    const ids = new Set(Array.from({ length: 200 }, () => buildRequest({ kind: 'text', content: 'x' }, { ...creds, mode: 'plaintext' }).msgId));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^\d{16,20}$/);
      expect(BigInt(id!) < 2n ** 64n).toBe(true);
      expect(BigInt(id!) > 2n ** 53n).toBe(true);
    }
    expect(buildRequest({ kind: 'click', key: 'K' }, { ...creds, mode: 'plaintext' }).msgId).toBeUndefined();
  });

  it('is reproducible with an injected clock and randomness', () => {
    const a = buildRequest({ kind: 'text', content: 'x' }, { ...creds, mode: 'safe', ...fixed });
    const b = buildRequest({ kind: 'text', content: 'x' }, { ...creds, mode: 'safe', ...fixed });
    expect(a).toEqual(b);
  });

  it('refuses encrypted modes without a key, saying how to fix it', () => {
    expect(() => buildRequest({ kind: 'text', content: 'x' }, { token: TOKEN, mode: 'safe' })).toThrow(/expected WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID.*--mode plaintext/);
    expect(() => buildRequest({ kind: 'text', content: 'x' }, { token: TOKEN, mode: 'secret' as Mode })).toThrow(/expected plaintext, compatible or safe, got "secret"/);
    expect(() => buildRequest({ kind: 'text', content: 'x' }, { token: '', mode: 'plaintext' })).toThrow(/expected the Token/);
  });

  it('keeps a "+" of the base64 values intact in the URL', () => {
    const req = buildRequest({ kind: 'text', content: 'x' }, { ...creds, mode: 'plaintext' });
    req.query.extra = 'a+b/c=';
    expect(rawQuery(requestUrl('http://h/p?x=1', req))).toMatchObject({ x: '1', extra: 'a+b/c=' });
  });
});
