import { describe, expect, it } from 'vitest';
import { judgeReply, PHONE_ERROR, type JudgeContext } from '../../src/emulator/judge.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { sealReply } from '../../src/wechat/protocol.js';
import { renderReply, reply, type Reply } from '../../src/wechat/replies.js';
import { sign } from '../../src/wechat/signature.js';
import { buildXml } from '../../src/wechat/xml.js';
import { AES_KEY, APP_ID, TOKEN } from '../helpers/wechat-request.js';

const NOW = 1_700_000_000_000;
const user = 'oUser';
const account = 'gh_account';
const crypto = new MessageCrypto({ encodingAESKey: AES_KEY, appId: APP_ID });
const ctx = (mode: JudgeContext['mode'], extra: Partial<JudgeContext> = {}): JudgeContext => ({ mode, token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, user, account, now: () => NOW, ...extra });
const ok = (body: string, elapsedMs = 10) => ({ status: 200, body, elapsedMs });
const render = (r: Reply, createTime = NOW / 1000) => renderReply(r, { fromUserName: user, toUserName: account }, createTime);
const seal = (xml: string, options: { token?: string; crypto?: MessageCrypto; timestamp?: number } = {}) =>
  sealReply(xml, 'safe', { token: options.token ?? TOKEN, crypto: options.crypto ?? crypto, timestamp: options.timestamp ?? NOW / 1000, nonce: '12345' });

describe('judgeReply: good replies', () => {
  it.each(['', 'success'])('%j is "no reply"', (body) => {
    expect(judgeReply(ok(body), ctx('safe'))).toEqual({ ok: true, kind: 'no-reply' });
  });

  const good: Reply[] = [
    reply.text('你好 <a href="https://example.com">link</a>'),
    reply.image('MEDIA'),
    reply.voice('MEDIA'),
    reply.video('MEDIA', { title: 't' }),
    reply.music({ thumbMediaId: 'THUMB', title: 'song' }),
    reply.news([{ title: 'one', url: 'https://example.com' }]),
    reply.transferToCustomerService(),
  ];
  it.each(good)('plaintext %j is a valid reply', (r) => {
    const verdict = judgeReply(ok(render(r)), ctx('plaintext'));
    expect(verdict).toMatchObject({ ok: true, kind: 'reply', msgType: r.type, encrypted: false });
  });

  it('a safe-mode reply sealed by the server decrypts and passes', () => {
    const verdict = judgeReply(ok(seal(render(reply.text('hi')))), ctx('safe'));
    expect(verdict).toMatchObject({ ok: true, kind: 'reply', msgType: 'text', encrypted: true, fields: { Content: 'hi' } });
  });

  it('compatible mode accepts an encrypted or a plaintext reply', () => {
    expect(judgeReply(ok(seal(render(reply.text('hi')))), ctx('compatible'))).toMatchObject({ ok: true, encrypted: true });
    expect(judgeReply(ok(render(reply.text('hi'))), ctx('compatible'))).toMatchObject({ ok: true, encrypted: false });
  });

  it('up to 8 articles answer an event such as a menu click', () => {
    const articles = Array.from({ length: 8 }, (_, i) => ({ title: `a${i}` }));
    expect(judgeReply(ok(render(reply.news(articles))), ctx('plaintext', { isMessage: false }))).toMatchObject({ ok: true });
  });
});

describe('judgeReply: bad replies say why and what the phone shows', () => {
  const bad = (body: string, mode: JudgeContext['mode'], pattern: RegExp, extra: Partial<JudgeContext> = {}, elapsedMs = 10) => {
    const verdict = judgeReply(ok(body, elapsedMs), ctx(mode, extra));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.reason).toMatch(pattern);
    expect(verdict.phone).toBe(PHONE_ERROR);
  };
  const xml = (fields: Record<string, string | number>) => buildXml({ ToUserName: user, FromUserName: account, CreateTime: NOW / 1000, MsgType: 'text', Content: 'hi', ...fields });

  it('To/From not swapped', () => bad(xml({ ToUserName: account, FromUserName: user }), 'plaintext', /must be swapped.*expected To oUser and From gh_account/));
  it('CreateTime in milliseconds', () => bad(render(reply.text('hi'), NOW), 'plaintext', /CreateTime 1700000000000 is in milliseconds; WeChat expects seconds/));
  it('CreateTime far from now', () => bad(xml({ CreateTime: 1000 }), 'plaintext', /more than a day away/));
  it('CreateTime not a number', () => bad(xml({ CreateTime: 'soon' }), 'plaintext', /CreateTime must be seconds/));
  it('malformed XML', () => bad('<xml><Content>hi</xml>', 'plaintext', /neither "success" nor well-formed XML/));
  it.each(['success\n', ' success', '\n'])('%j is not exactly "success" or empty', (body) => bad(body, 'plaintext', /answer exactly "success" or an empty body, without whitespace/));
  it('a word other than success', () => bad('ok', 'plaintext', /neither "success" nor well-formed XML/));
  it('empty Content', () => bad(xml({ Content: '' }), 'plaintext', /non-empty Content.*"success"/));
  it('image without MediaId', () => bad(xml({ MsgType: 'image' }), 'plaintext', /image reply needs <Image><MediaId>/));
  it('music without ThumbMediaId', () => bad(buildXml({ ToUserName: user, FromUserName: account, CreateTime: NOW / 1000, MsgType: 'music', Music: { Title: 't' } }), 'plaintext', /ThumbMediaId/));
  it('unknown MsgType', () => bad(xml({ MsgType: 'sticker' }), 'plaintext', /"sticker" is not a reply type/));
  it('ArticleCount not matching the items', () => bad(buildXml({ ToUserName: user, FromUserName: account, CreateTime: NOW / 1000, MsgType: 'news', ArticleCount: 2, Articles: [{ Title: 'a' }] }), 'plaintext', /ArticleCount is 2 but <Articles> holds 1/));
  it('ArticleCount 9', () => bad(buildXml({ ToUserName: user, FromUserName: account, CreateTime: NOW / 1000, MsgType: 'news', ArticleCount: 9, Articles: Array.from({ length: 9 }, () => ({ Title: 't' })) }), 'plaintext', /ArticleCount from 1 to 8, got "9"/));
  it('two articles in reply to a user message', () => bad(buildXml({ ToUserName: user, FromUserName: account, CreateTime: NOW / 1000, MsgType: 'news', ArticleCount: 2, Articles: [{ Title: 'a' }, { Title: 'b' }] }), 'plaintext', /1 article only/, { isMessage: true }));
  it('too slow', () => {
    const verdict = judgeReply(ok(render(reply.text('hi')), 5200), ctx('plaintext'));
    expect(verdict).toMatchObject({ ok: false, kind: 'timeout', phone: PHONE_ERROR });
    if (!verdict.ok) expect(verdict.reason).toMatch(/no answer within 5 s \(took 5200 ms\).*customer-service/);
  });
  it('HTTP 500', () => {
    expect(judgeReply({ status: 500, body: 'Internal Server Error', elapsedMs: 3 }, ctx('plaintext'))).toMatchObject({ ok: false, kind: 'http-error', reason: 'HTTP 500: Internal Server Error' });
  });

  it('bad MsgSignature (another Token)', () => bad(seal(render(reply.text('hi')), { token: 'othertoken' }), 'safe', /MsgSignature does not match/));
  it('wrong AppID', () => bad(seal(render(reply.text('hi')), { crypto: new MessageCrypto({ encodingAESKey: AES_KEY, appId: 'wxsomeoneelse' }) }), 'safe', /AppID "wxsomeoneelse", expected "wx1234567890abcdef"/));
  it('another EncodingAESKey', () => bad(seal(render(reply.text('hi')), { crypto: new MessageCrypto({ encodingAESKey: 'A'.repeat(43), appId: APP_ID }) }), 'safe', /cannot be decrypted/));
  it('TimeStamp in milliseconds', () => bad(seal(render(reply.text('hi')), { timestamp: NOW }), 'safe', /TimeStamp 1700000000000 is in milliseconds/));
  it('envelope missing fields', () => bad('<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>', 'safe', /missing MsgSignature, TimeStamp, Nonce/));
  it('plaintext reply in safe mode', () => bad(render(reply.text('hi')), 'safe', /safe mode but the reply is not encrypted/));
  it('encrypted reply in plaintext mode', () => bad(seal(render(reply.text('hi'))), 'plaintext', /encrypted but the message came in plaintext/));
  it('swap checked inside the encrypted reply too', () => {
    const inner = renderReply(reply.text('hi'), { fromUserName: 'someoneElse', toUserName: account }, NOW / 1000);
    bad(seal(inner), 'safe', /must be swapped/);
  });
  it('a signature over the right values still fails with a tampered Encrypt', () => {
    const sealed = seal(render(reply.text('hi')));
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]>/.exec(sealed)![1]!;
    const tampered = Buffer.from(encrypt, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    const enc2 = tampered.toString('base64');
    const body = buildXml({ Encrypt: enc2, MsgSignature: sign(TOKEN, String(NOW / 1000), '1', enc2), TimeStamp: NOW / 1000, Nonce: '1' });
    bad(body, 'safe', /cannot be decrypted/);
  });
});

describe('judgeReply: the passive text length', () => {
  // WeChat documents no number; developers measured 2048 bytes of UTF-8 (see reply-fields.ts).
  it('accepts 2048 bytes and rejects 2049, counting bytes, not characters', () => {
    expect(judgeReply(ok(render(reply.text('a'.repeat(2048)))), ctx('plaintext', { isMessage: true })).ok).toBe(true);
    const over = judgeReply(ok(render(reply.text('a'.repeat(2049)))), ctx('plaintext', { isMessage: true }));
    expect(over).toMatchObject({ ok: false, kind: 'invalid', phone: PHONE_ERROR });
    expect(!over.ok && over.reason).toMatch(/2049 bytes of UTF-8; WeChat does not deliver passive text replies over 2048 bytes/);
    // 683 Chinese characters are 2049 bytes.
    expect(judgeReply(ok(render(reply.text('好'.repeat(682)))), ctx('plaintext')).ok).toBe(true);
    expect(judgeReply(ok(render(reply.text('好'.repeat(683)))), ctx('plaintext')).ok).toBe(false);
  });
});
