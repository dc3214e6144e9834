import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/server/app.js';
import type { Exchange } from '../src/server/exchange.js';
import type { Logger } from '../src/server/logger.js';
import type { LateReply } from '../src/server/wechat.js';
import { createRouter, type Router } from '../src/wechat/router.js';
import { reply } from '../src/wechat/replies.js';
import { parseXml } from '../src/wechat/xml.js';
import { sign } from '../src/wechat/signature.js';
import { bodies, envelope } from './fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, crypto, signedQuery, wechatPost, type Mode } from './helpers/wechat-request.js';

const require = createRequire(import.meta.url);
const WXBizMsgCrypt = require('wechat-crypto') as new (t: string, k: string, a: string) => { decrypt(s: string): { message: string; id: string }; getSignature(ts: string, n: string, e: string): string };

function memoryLogger() {
  const lines: string[] = [];
  const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m, e) => lines.push(`${m}\n${e instanceof Error ? e.stack : String(e)}`) };
  return { lines, logger };
}

function makeApp(router: Router, extra: Partial<Parameters<typeof createApp>[0]> = {}) {
  const { lines, logger } = memoryLogger();
  const exchanges: Exchange[] = [];
  const app = createApp({ config: { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, path: '/', deadlineMs: 300 }, router, logger, onExchange: (e) => exchanges.push(e), ...extra });
  return { app, lines, exchanges };
}

const echo = createRouter().on('text', (m) => `echo: ${m.content}`).event('subscribe', () => 'welcome');
const post = (app: ReturnType<typeof createApp>, xml: string, mode: Mode) => {
  const { url, body } = wechatPost(xml, mode);
  return app.request(url, { method: 'POST', body });
};

describe('GET verification', () => {
  const { app } = makeApp(echo);

  it('echoes echostr as text/plain when the signature is valid', async () => {
    const { query } = signedQuery();
    const res = await app.request(`/?${query}&echostr=5838479218127813673`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('5838479218127813673');
  });

  it('keeps a "+" in echostr (Hono would decode it as a space)', async () => {
    const { query } = signedQuery();
    expect(await (await app.request(`/?${query}&echostr=a+b%2Bc`)).text()).toBe('a+b+c');
  });

  it('answers 403 with a reason for a wrong signature, fast and without calling anything', async () => {
    const res = await app.request('/?signature=0000000000000000000000000000000000000000&timestamp=1&nonce=2&echostr=x');
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/Token in WeChat differs from WECHAT_TOKEN/);
  });

  it('answers 400 naming the missing parameters', async () => {
    const res = await app.request('/?echostr=x');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/missing query parameter signature, timestamp, nonce/);
    expect((await app.request('/')).status).toBe(400);
  });

  it('checks the signature before echostr: a forged GET without echostr is 403, a signed one 400 without blaming signing', async () => {
    const forged = await app.request('/?signature=0000000000000000000000000000000000000000&timestamp=1&nonce=2');
    expect(forged.status).toBe(403);
    const res = await app.request(`/?${signedQuery().query}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^missing query parameter echostr: WeChat's verification GET carries echostr/);
  });
});

describe('POST messages in every mode', () => {
  it.each<Mode>(['plaintext', 'compatible', 'safe'])('%s: replies to a text message', async (mode) => {
    const { app, exchanges } = makeApp(echo);
    const res = await post(app, bodies.text, mode);
    expect(res.status).toBe(200);
    let xml = await res.text();
    if (mode !== 'plaintext') {
      const outer = parseXml(xml);
      const ts = outer.TimeStamp as string;
      expect(Number(ts)).toBeLessThan(1e11);
      expect(outer.MsgSignature).toBe(sign(TOKEN, ts, outer.Nonce as string, outer.Encrypt as string));
      // An independent implementation (node-webot's) must read our encrypted reply.
      const peer = new WXBizMsgCrypt(TOKEN, AES_KEY, APP_ID);
      const opened = peer.decrypt(outer.Encrypt as string);
      expect(opened.id).toBe(APP_ID);
      xml = opened.message;
    }
    const r = parseXml(xml);
    expect(r).toMatchObject({ ToUserName: 'oUser123', FromUserName: 'gh_account', MsgType: 'text', Content: 'echo: this is a test' });
    expect(Number(r.CreateTime)).toBeLessThan(1e11);
    expect(exchanges[0]).toMatchObject({ mode, kind: 'message', status: 200, dedup: 'first', message: { type: 'text' }, reply: { type: 'text' } });
  });

  it('safe mode checks msg_signature over the Encrypt payload, as well as signature', async () => {
    const { app } = makeApp(echo);
    const { url, body } = wechatPost(bodies.text, 'safe');
    const tampered = url.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`);
    const res = await app.request(tampered, { method: 'POST', body });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/msg_signature does not match/);
  });

  it('rejects a message encrypted for another AppID', async () => {
    const { MessageCrypto } = await import('../src/wechat/crypto.js');
    const { app } = makeApp(echo);
    const { url, body } = wechatPost(bodies.text, 'safe', { crypto: new MessageCrypto({ encodingAESKey: AES_KEY, appId: 'wxsomeoneelse' }) });
    const res = await app.request(url, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/AppID "wxsomeoneelse", expected "wx1234567890abcdef"/);
  });

  it('decrypts a message encrypted by wechat-crypto (independent implementation)', async () => {
    const peer = new (require('wechat-crypto'))(TOKEN, AES_KEY, APP_ID) as { encrypt(s: string): string };
    const { app } = makeApp(echo);
    const { timestamp, nonce, query } = signedQuery();
    const encrypt = peer.encrypt(bodies.text);
    const res = await app.request(`/?${query}&encrypt_type=aes&msg_signature=${sign(TOKEN, timestamp, nonce, encrypt)}`, { method: 'POST', body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
    expect(crypto.decrypt(parseXml(await res.text()).Encrypt as string)).toContain('echo: this is a test');
  });

  it('an encrypted message without a configured key is a clear 400', async () => {
    const app = createApp({ config: { token: TOKEN, path: '/' }, router: echo, logger: memoryLogger().logger });
    const { url, body } = wechatPost(bodies.text, 'safe');
    const res = await app.request(url, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/set WECHAT_ENCODING_AES_KEY/);
  });

  it('guards plaintext POSTs with the signature too', async () => {
    const { app } = makeApp(echo);
    const res = await app.request('/?signature=bad&timestamp=1&nonce=2', { method: 'POST', body: bodies.text });
    expect(res.status).toBe(403);
  });

  it.each(['plaintext', 'safe'] as const)('refuses a forged %s request with 403 before parsing its body', async (mode) => {
    const { app, exchanges } = makeApp(echo);
    const { url } = wechatPost(bodies.text, mode);
    const forged = url.replace(/(^|[?&])signature=[0-9a-f]+/, `$1signature=${'0'.repeat(40)}`);
    // Megabytes of malformed XML would answer 400 if they were parsed; under the 64 KiB cap here.
    const res = await app.request(forged, { method: 'POST', body: `<xml>${'<a>'.repeat(20_000)}` });
    expect(res.status).toBe(403);
    expect(exchanges[0]!.error!.code).toBe('SIGNATURE_INVALID');
  });

  it('answers "success" when the handler returns nothing', async () => {
    const { app } = makeApp(createRouter());
    const res = await post(app, bodies.image, 'safe');
    expect(await res.text()).toBe('success');
  });

  it.each([
    ['malformed XML', '<xml><ToUserName>', 400],
    ['XML that is not a message', '<xml><Foo>1</Foo></xml>', 400],
    ['an entity bomb', '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>', 400],
  ])('%s is a %d, never 500', async (_, body, status) => {
    const { app } = makeApp(echo);
    const res = await post(app, body, 'plaintext');
    expect(res.status).toBe(status);
  });

  it('XML nested 9000 deep (it fits in 64 KiB) is a 400 saying so, not a stack overflow answered "success"', async () => {
    const { app, lines, exchanges } = makeApp(echo);
    const nested = `${'<a>'.repeat(9000)}${'</a>'.repeat(9000)}`;
    const res = await post(app, bodies.subscribe.replace('</xml>', `<X>${nested}</X></xml>`), 'plaintext');
    expect([res.status, await res.text()]).toEqual([400, expect.stringMatching(/^malformed XML: elements nested more than 32 levels deep/)]);
    expect(exchanges[0]!.error!.code).toBe('XML_MALFORMED');
    expect(lines).toEqual([]);
  });

  it('a repeated <MsgType> or <Encrypt> is a 400 naming it as repeated (safe mode included)', async () => {
    const { app } = makeApp(echo);
    const twice = bodies.text.replace('</xml>', '<MsgType><![CDATA[text]]></MsgType></xml>');
    const res = await post(app, twice, 'plaintext');
    expect([res.status, await res.text()]).toEqual([400, 'message has <MsgType> more than once: not a WeChat message']);
    const safe = makeApp(echo, { config: { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY, path: '/', mode: 'safe' } }).app;
    const { url, body } = wechatPost(bodies.text, 'safe');
    const doubled = body.replace(/(<Encrypt>.*<\/Encrypt>)/, '$1$1');
    const refused = await safe.request(url, { method: 'POST', body: doubled });
    expect([refused.status, await refused.text()]).toEqual([400, expect.stringMatching(/<Encrypt> more than once/)]);
  });

  it('a corrupted Encrypt payload is 400', async () => {
    const { app } = makeApp(echo);
    const { timestamp, nonce, query } = signedQuery();
    for (const encrypt of ['not base64!', 'QUJD', Buffer.alloc(32, 7).toString('base64')]) {
      const res = await app.request(`/?${query}&encrypt_type=aes&msg_signature=${sign(TOKEN, timestamp, nonce, encrypt)}`, { method: 'POST', body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
      expect(res.status).toBe(400);
    }
  });

  it('an oversized body is 413, by header or by stream', async () => {
    const { app } = makeApp(echo, { maxBodyBytes: 1024 });
    const { url } = wechatPost(bodies.text, 'plaintext');
    const big = `<xml><Content>${'x'.repeat(5000)}</Content></xml>`;
    expect((await app.request(url, { method: 'POST', body: big })).status).toBe(413);
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
    expect((await app.request(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)).status).toBe(413);
  });

  it('other methods get 405, unknown paths 404 with a hint', async () => {
    const { app } = makeApp(echo);
    expect((await app.request('/', { method: 'PUT' })).status).toBe(405);
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/WECHAT_PATH/);
  });
});

describe('handler failures and the deadline', () => {
  it('a throwing handler is logged with its stack and WeChat gets "success"', async () => {
    const { app, lines, exchanges } = makeApp(createRouter().on('text', function brokenHandler() { throw new Error('boom'); }));
    const res = await post(app, bodies.text, 'safe');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
    expect(lines.join('\n')).toMatch(/threw[\s\S]*Error: boom[\s\S]*brokenHandler/);
    expect(exchanges[0]!.error).toMatchObject({ message: 'boom' });
    // and the server keeps serving
    expect((await post(app, bodies.subscribe, 'plaintext')).status).toBe(200);
  });

  it('an invalid reply from a handler is logged and answered with "success"', async () => {
    const { app, lines } = makeApp(createRouter().on('text', () => reply.news([])));
    expect(await (await post(app, bodies.text, 'plaintext')).text()).toBe('success');
    expect(lines.join('\n')).toMatch(/1 to 8 articles/);
  });

  it('takes a hand-written router whose dispatch answers without a promise', async () => {
    const plain = { dispatch: () => ({ type: 'text', content: 'direct' }) } as unknown as Router;
    expect(await (await post(makeApp(plain).app, bodies.text, 'plaintext')).text()).toContain('<![CDATA[direct]]>');
  });

  it('a hand-written dispatch that throws before returning a promise is logged once, and WeChat gets "success"', async () => {
    const dispatch = vi.fn(() => { throw new Error('sync boom'); });
    const { app, lines } = makeApp({ dispatch } as unknown as Router);
    const res = await post(app, bodies.text, 'plaintext');
    expect(await res.text()).toBe('success');
    expect(res.headers.get('x-wxmp-handler')).toBe('error');
    expect(dispatch).toHaveBeenCalledTimes(1);
    expect(lines.filter((l) => l.includes('threw'))).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/de-dup store failed/);
  });

  it('a slow handler gets "success" at the deadline, and its reply goes to onLateReply', async () => {
    const late = vi.fn<(l: LateReply) => void>();
    const { app, exchanges } = makeApp(createRouter().on('text', async () => { await new Promise((r) => setTimeout(r, 600)); return 'slow answer'; }), { onLateReply: late });
    const res = await post(app, bodies.text, 'safe');
    expect(await res.text()).toBe('success');
    expect(exchanges[0]!.late).toBe(true);
    await vi.waitFor(() => expect(late).toHaveBeenCalledOnce(), { timeout: 3000 });
    expect(late.mock.calls[0]![0]).toMatchObject({ reply: { type: 'text', content: 'slow answer' }, message: { fromUserName: 'oUser123' } });
  });
});

describe('retries are de-duplicated', () => {
  it('copies arriving during the first run join it; the handler runs once; all get the same reply', async () => {
    let runs = 0;
    const { app, exchanges } = makeApp(createRouter().on('text', async (m) => { runs++; await new Promise((r) => setTimeout(r, 100)); return `once ${m.content}`; }));
    const sends = [0, 1, 2].map(async () => (await post(app, bodies.text, 'plaintext')).text());
    const texts = await Promise.all(sends);
    expect(runs).toBe(1);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('once this is a test');
    expect(exchanges.map((e) => e.dedup).sort()).toEqual(['first', 'joined', 'joined']);
  });

  it('a copy after the first finished gets the stored reply, even in another mode of encryption', async () => {
    let runs = 0;
    const { app, exchanges } = makeApp(createRouter().on('text', () => `run ${++runs}`));
    const first = await (await post(app, bodies.text, 'plaintext')).text();
    const second = await (await post(app, bodies.text, 'plaintext')).text();
    expect(runs).toBe(1);
    expect(second).toBe(first);
    expect(exchanges[1]!.dedup).toBe('replayed');
  });

  it('tells how each copy was handled in X-Wxmp-Dedup (for the emulator), and only on messages', async () => {
    const { app } = makeApp(createRouter().on('text', async () => { await new Promise((r) => setTimeout(r, 100)); return 'ok'; }));
    const { url, body } = wechatPost(bodies.text, 'safe');
    const send = () => app.request(url, { method: 'POST', body });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    expect([a, b, c].map((r) => r.headers.get('x-wxmp-dedup'))).toEqual(['first', 'joined', 'replayed']);
    expect(await c.text()).toBe(await a.text());
    const refused = await app.request('/?signature=0&timestamp=1&nonce=2', { method: 'POST', body: bodies.text });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-wxmp-dedup')).toBeNull();
  });

  it('marks a "success" sent for a failed or late handler in X-Wxmp-Handler, with no details', async () => {
    const { app } = makeApp(createRouter().text('boom', () => { throw new Error('secret detail'); }).text('slow', async () => { await new Promise((r) => setTimeout(r, 400)); return 'late'; }).on('text', () => 'fine'));
    const send = async (content: string) => post(app, bodies.text.replace('this is a test', content).replace('1234567890123456', String(Math.random()).slice(2, 12)), 'plaintext');
    const boom = await send('boom');
    expect([await boom.text(), boom.headers.get('x-wxmp-handler')]).toEqual(['success', 'error']);
    const slow = await send('slow');
    expect([await slow.text(), slow.headers.get('x-wxmp-handler')]).toEqual(['success', 'late']);
    expect((await send('hello')).headers.get('x-wxmp-handler')).toBeNull();
  });

  it('events without MsgId are keyed by user, time and event', async () => {
    let runs = 0;
    const { app } = makeApp(createRouter().event('subscribe', () => `hi ${++runs}`));
    await post(app, bodies.subscribe, 'plaintext');
    await post(app, bodies.subscribe, 'plaintext');
    await post(app, bodies.subscribe.replace('oUser123', 'oOther'), 'plaintext');
    expect(runs).toBe(2);
  });

  it('two different events of one user in one second are both handled (card codes differ); their retries are not', async () => {
    const handled: string[] = [];
    const router = createRouter().fallback((m) => { handled.push(String(m.raw.UserCardCode)); return `got ${String(m.raw.UserCardCode)}`; });
    const { app, exchanges } = makeApp(router);
    const card = (code: string) => envelope(`<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[user_get_card]]></Event><CardId><![CDATA[pCard]]></CardId><UserCardCode><![CDATA[${code}]]></UserCardCode><IsGiveByFriend>0</IsGiveByFriend>`);
    const first = await (await post(app, card('111'), 'plaintext')).text();
    const second = await (await post(app, card('222'), 'safe')).text();
    // WeChat's retries: the same fields again (re-encrypted, so another Encrypt).
    const retry1 = await (await post(app, card('111'), 'plaintext')).text();
    const retry2 = await (await post(app, card('222'), 'safe')).text();
    expect(handled).toEqual(['111', '222']);
    expect(exchanges.map((e) => e.dedup)).toEqual(['first', 'first', 'replayed', 'replayed']);
    expect(first).toContain('got 111');
    expect(parseXml(crypto.decrypt(String(parseXml(second).Encrypt))).Content).toBe('got 222');
    expect(retry1).toBe(first);
    expect(retry2).toBe(second);
  });

  it('a copy after a deadline gets "success" and the late reply is delivered once', async () => {
    const late = vi.fn();
    let runs = 0;
    const { app } = makeApp(createRouter().on('text', async () => { runs++; await new Promise((r) => setTimeout(r, 500)); return 'late'; }), { onLateReply: late });
    expect(await (await post(app, bodies.text, 'plaintext')).text()).toBe('success');
    expect(await (await post(app, bodies.text, 'plaintext')).text()).toBe('success');
    await vi.waitFor(() => expect(late).toHaveBeenCalled(), { timeout: 3000 });
    expect(runs).toBe(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('a failing shared store does not lose the message: memory takes over, with one line and no stack', async () => {
    const down = () => Promise.reject(new Error('redis down'));
    const broken = { claim: down, complete: down, get: down, remember: down };
    let runs = 0;
    const { app, lines } = makeApp(createRouter().on('text', (m) => `echo ${++runs}: ${m.content}`), { dedupStore: broken });
    expect(await (await post(app, bodies.text, 'plaintext')).text()).toContain('echo 1: this is a test');
    // Retries are still de-duplicated, in this process.
    expect(await (await post(app, bodies.text, 'plaintext')).text()).toContain('echo 1: this is a test');
    for (let i = 0; i < 5; i++) await post(app, bodies.text.replace('1234567890123456', String(9000 + i)), 'plaintext');
    expect(runs).toBe(6);
    expect(lines).toEqual([expect.stringMatching(/^wxmp: the shared de-dup store failed \(redis down\); de-duplicating in this process until it answers again$/)]);
  });
});

describe('GET /healthz', () => {
  it('answers 200 JSON with version and uptime', async () => {
    const { app } = makeApp(echo, { version: '1.2.3', startedAt: Date.now() - 5000 });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: '1.2.3', uptime: 5 });
  });
});
