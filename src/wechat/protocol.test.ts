import { describe, expect, it } from 'vitest';
import { thirdPartyXml } from '../../test/vectors/wechat-official.js';
import { MessageCrypto } from './crypto.js';
import { openMessage, sealReply, verifyEcho } from './protocol.js';
import { sign } from './signature.js';
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

describe('verifyEcho', () => {
  const signed = { timestamp: '1700000000', nonce: 'n1', signature: sign(token, '1700000000', 'n1') };

  it('checks the signature before asking for echostr: a forged GET is 403 whatever it lacks', () => {
    expect(() => verifyEcho({ signature: '0'.repeat(40), timestamp: '1', nonce: '2' }, token)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID', status: 403 }));
  });

  it('asks for echostr without saying it is signed, and echoes it', () => {
    expect(() => verifyEcho(signed, token)).toThrow(expect.objectContaining({ code: 'ECHOSTR_MISSING', status: 400, message: expect.not.stringMatching(/signs/) }));
    expect(verifyEcho({ ...signed, echostr: 'e1' }, token)).toBe('e1');
  });
});

describe('openMessage', () => {
  it('names a repeated <Encrypt> as repeated (400), in safe mode too, instead of reading the message as plaintext', () => {
    const crypto = new MessageCrypto({ encodingAESKey, appId });
    const encrypt = crypto.encrypt('<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>');
    const query = { timestamp: '1700000000', nonce: 'n1', signature: sign(token, '1700000000', 'n1'), msg_signature: sign(token, '1700000000', 'n1', encrypt) };
    const body = `<xml><ToUserName>gh</ToUserName><Encrypt>${encrypt}</Encrypt><Encrypt>${encrypt}</Encrypt></xml>`;
    for (const requireEncryption of [false, true]) {
      expect(() => openMessage(query, body, { token, crypto, requireEncryption })).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', status: 400, message: expect.stringMatching(/<Encrypt> more than once/) }));
    }
  });
});
