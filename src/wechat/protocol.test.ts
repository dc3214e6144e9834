import { describe, expect, it } from 'vitest';
import { thirdPartyXml } from '../../test/vectors/wechat-official.js';
import { MessageCrypto } from './crypto.js';
import { sealReply } from './protocol.js';
import { buildXml, parseXml } from './xml.js';

const { reply, token, encodingAESKey, appId } = thirdPartyXml;
const publishedRandom = () => Buffer.from(reply.random, 'latin1');

describe('sealReply', () => {
  it("reproduces the reply WeChat's documentation publishes: Encrypt, MsgSignature, TimeStamp, Nonce", () => {
    const crypto = new MessageCrypto({ encodingAESKey, appId, random: publishedRandom });
    const sealed = sealReply(reply.message, 'safe', { token, crypto, timestamp: Number(reply.timestamp), nonce: reply.nonce });
    expect(sealed).toBe(buildXml({ Encrypt: reply.encrypt, MsgSignature: reply.msgSignature, TimeStamp: Number(reply.timestamp), Nonce: reply.nonce }));
  });

  it('writes the timestamp in whole seconds and keeps a nonce containing "]]>" intact', () => {
    const crypto = new MessageCrypto({ encodingAESKey, appId });
    const fields = parseXml(sealReply('<xml/>', 'compatible', { token, crypto, timestamp: 1700000000.9, nonce: 'n]]>x' }));
    expect(fields.TimeStamp).toBe('1700000000');
    expect(fields.Nonce).toBe('n]]>x');
    expect(crypto.decrypt(fields.Encrypt as string)).toBe('<xml/>');
  });

  it('leaves a plaintext reply as it is, and refuses to seal without a key', () => {
    expect(sealReply('<xml/>', 'plaintext', { token, timestamp: 1, nonce: 'n' })).toBe('<xml/>');
    expect(() => sealReply('<xml/>', 'safe', { token, timestamp: 1, nonce: 'n' })).toThrow(expect.objectContaining({ code: 'AES_KEY_MISSING' }));
  });
});
