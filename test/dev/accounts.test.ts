/**
 * `npm run dev` with three accounts (the first, `shop` with its own AppSecret,
 * `blog` in plaintext without one): a paste block each, each answered at its
 * own path through a real localtunnel server, the request log and the
 * inspector naming the account, `wxmp send --account`, and no account's
 * secrets in the terminal, the inspector or the log files.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { sendCommand } from '../../src/emulator/send-command.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { parseXml } from '../../src/wechat/xml.js';
import { APP_ID, AES_KEY, TOKEN, crypto, wechatPost } from '../helpers/wechat-request.js';
import { startLtServer, viaTunnel, type LtServer } from './support/lt-server.js';
import { http, makeProject, memoryLogger, repoRoot } from './support/project.js';

const SHOP = { token: 'shoptoken456', appId: 'wxshop0000000001', key: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', secret: 'shopsecret0123456789abcdefXYZ' };
const BLOG_TOKEN = 'blogtoken789';
const shopCrypto = new MessageCrypto({ encodingAESKey: SHOP.key, appId: SHOP.appId });
const shopSecrets = [SHOP.token, SHOP.key, SHOP.secret, BLOG_TOKEN];

// Each account's reply (events too) names it and says whether its handlers got an API client; "api" calls it; "leak" prints and throws secrets.
const project = makeProject(`import { createRouter } from ${JSON.stringify(join(repoRoot, 'src/index.ts'))};
export default createRouter().on('text', async (m, ctx) => {
  if (m.content === 'leak') {
    console.log('shop secret ' + process.env.WECHAT_APP_SECRET_SHOP + ' key ' + process.env.WECHAT_ENCODING_AES_KEY_SHOP + ' token ' + process.env.WECHAT_TOKEN_SHOP);
    throw new Error('failed with ' + process.env.WECHAT_APP_SECRET_SHOP + ' and ' + process.env.WECHAT_TOKEN_BLOG);
  }
  if (m.content === 'api') return ctx.account + ':token ' + ((await ctx.client.accessToken()).length > 0);
  if (m.content === 'menu') { await ctx.client.menu.create({ button: [{ type: 'click', name: ctx.account, key: 'k' }] }); return 'menu set'; }
  if (m.content === 'kf') { await ctx.client.customerService.sendText(m.fromUserName, 'kf from ' + ctx.account); return 'kf sent'; }
  return ctx.account + ':' + (ctx.client ? 'client' : 'no client') + ':' + m.content;
}).on('event', (e, ctx) => ctx.account + ':event ' + e.event);
`);
const env = {
  WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY,
  WECHAT_TOKEN_SHOP: SHOP.token, WECHAT_APP_ID_SHOP: SHOP.appId, WECHAT_ENCODING_AES_KEY_SHOP: SHOP.key, WECHAT_APP_SECRET_SHOP: SHOP.secret, WECHAT_PATH_SHOP: '/shop',
  WECHAT_TOKEN_BLOG: BLOG_TOKEN, WECHAT_PATH_BLOG: '/blog',
  // The shop's real API is unreachable here; the first account and blog use the offline mock.
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  PORT: '0',
};
const sub = `wxmpacc-${randomBytes(4).toString('hex')}`;
const logger = memoryLogger();
const printed: string[] = [];
let lt: LtServer;
let dev: DevHandle;

let msgId = 1;
const text = (content: string, to = 'gh_a') => `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[oAcc1]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId++}</MsgId></xml>`;

async function send(args: string[]): Promise<{ code: number; json: { verdict: { ok: boolean }; tries: Array<{ body?: string }> } }> {
  let out = '';
  const code = await sendCommand([...args, '--json'], { stdout: (t) => { out += t; }, cwd: project.dir, env });
  return { code, json: JSON.parse(out) };
}

beforeAll(async () => {
  lt = await startLtServer();
  const write = process.stdout.write.bind(process.stdout);
  // The bot's console.log reaches the terminal through the worker's stdout: keep a copy.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => { printed.push(String(chunk)); return write(chunk, ...(rest as [])); });
  dev = await startDev({ cwd: project.dir, env: { ...env, TUNNEL_HOST: lt.host, TUNNEL_SUBDOMAIN: sub }, logger, tunnel: { openTimeoutMs: 2000, probeIntervalMs: 300, probeTimeoutMs: 1000, maxBackoffMs: 1000 } });
}, 30_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await dev?.close();
  await lt?.stop();
  project.remove();
});

describe('npm run dev with several accounts', () => {
  it("prints a paste block per account: its public URL, and its Token and EncodingAESKey named, never shown", () => {
    const bannerText = logger.lines.find((l) => l.includes('接口配置信息'))!;
    expect(dev.publicUrl).toBe(`http://${sub}.localhost`);
    expect(bannerText).toContain(`Local shop: ${dev.localUrl}/shop   (account shop)`);
    expect(bannerText).toContain('Account default: paste into 接口配置信息');
    const shopBlock = bannerText.slice(bannerText.indexOf('Account shop:'));
    expect(shopBlock.split('\n').slice(0, 4)).toEqual([
      "Account shop: paste into that account's own 接口配置信息:",
      `  URL:             http://${sub}.localhost/shop`,
      '  Token:           (yours: WECHAT_TOKEN_SHOP in .env)',
      '  EncodingAESKey:  (yours: WECHAT_ENCODING_AES_KEY_SHOP in .env)',
    ]);
    const blogBlock = bannerText.slice(bannerText.indexOf('Account blog:'));
    expect(blogBlock.split('\n').slice(1, 4)).toEqual([`  URL:             http://${sub}.localhost/blog`, '  Token:           (yours: WECHAT_TOKEN_BLOG in .env)', expect.not.stringContaining('EncodingAESKey')]);
    for (const secret of [...shopSecrets, TOKEN, AES_KEY]) expect(bannerText).not.toContain(secret);
  });

  it('answers every account through the tunnel, each with its own Token and key, its handlers seeing ctx.account and its own client', async () => {
    const shop = wechatPost(text('hi', 'gh_shop'), 'safe', { token: SHOP.token, crypto: shopCrypto, path: '/shop' });
    const res = await viaTunnel(lt, sub, shop.url, { method: 'POST', body: shop.body });
    expect(res.status).toBe(200);
    expect(shopCrypto.decrypt(parseXml(res.body).Encrypt as string)).toContain('<![CDATA[shop:client:hi]]>');

    const blog = wechatPost(text('hi', 'gh_blog'), 'plaintext', { token: BLOG_TOKEN, path: '/blog' });
    expect((await viaTunnel(lt, sub, blog.url, { method: 'POST', body: blog.body })).body).toContain('<![CDATA[blog:client:hi]]>');

    const first = wechatPost(text('hi'), 'safe');
    expect(crypto.decrypt(parseXml((await viaTunnel(lt, sub, first.url, { method: 'POST', body: first.body })).body).Encrypt as string)).toContain('<![CDATA[default:client:hi]]>');

    // Another account's Token on this path: refused.
    const wrong = wechatPost(text('hi', 'gh_blog'), 'plaintext', { token: SHOP.token, path: '/blog' });
    expect((await viaTunnel(lt, sub, wrong.url, { method: 'POST', body: wrong.body })).status).toBe(403);
    // The handshake of each account, as WeChat sends it when the URL is pasted.
    const handshake = wechatPost('', 'plaintext', { token: SHOP.token, path: '/shop' }).url;
    expect((await viaTunnel(lt, sub, `${handshake}&echostr=shop-echo`)).body).toBe('shop-echo');
  });

  it('names the account in the request log and the inspector', async () => {
    const blog = wechatPost(text('logged', 'gh_blog'), 'plaintext', { token: BLOG_TOKEN, path: '/blog' });
    await http(`${dev.localUrl}${blog.url}`, { method: 'POST', body: blog.body });
    await vi.waitFor(() => expect(logger.lines.some((l) => / POST \/blog \(blog\) 200 \d+ms \[plaintext\] oAcc1: text "logged" → text "blog:client:logged"/.test(l))).toBe(true));
    const list = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Array<{ id: string; account?: string; content: string; line: string }>;
    const row = list.find((s) => s.content === 'logged')!;
    expect(row.account).toBe('blog');
    expect(row.line).toContain('/blog (blog)');
    const detail = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges/${row.id}`)).body) as { account: string; sendLine: string; verdict: { ok: boolean } };
    expect(detail.account).toBe('blog');
    expect(detail.sendLine).toContain('--account blog');
    // Judged with blog's own credentials.
    expect(detail.verdict.ok).toBe(true);

    // An edited replay of a shop message is signed and encrypted with shop's Token and key, and reaches shop's path.
    const shop = wechatPost(text('to edit', 'gh_shop'), 'safe', { token: SHOP.token, crypto: shopCrypto, path: '/shop' });
    await http(`${dev.localUrl}${shop.url}`, { method: 'POST', body: shop.body });
    const all = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Array<{ id: string; content: string }>;
    const edited = await http(`${dev.localUrl}/__wxmp/api/exchanges/${all.find((s) => s.content === 'to edit')!.id}/replay`, { method: 'POST', body: JSON.stringify({ content: 'edited' }), headers: { 'content-type': 'application/json' } });
    const replayed = JSON.parse(edited.body) as { status: number; body: string };
    expect(replayed.status).toBe(200);
    expect(shopCrypto.decrypt(parseXml(replayed.body).Encrypt as string)).toContain('<![CDATA[shop:client:edited]]>');
  });

  it('wxmp send --account aims at that account (its path from the running dev server, its credentials from the environment)', async () => {
    const shop = await send(['text', 'hello', '--account', 'shop']);
    expect(shop.code).toBe(0);
    expect(JSON.stringify(shop.json.verdict)).toContain('shop:client:hello');
    const blog = await send(['text', 'api', '--account', 'blog']);
    // blog has no AppSecret: its client is the offline mock's, as the first account's is.
    expect(JSON.stringify(blog.json.verdict)).toContain('blog:token true');
    const first = await send(['text', 'hello']);
    expect(JSON.stringify(first.json.verdict)).toContain('default:client:hello');
    await expect(send(['text', 'x', '--account', 'nope'])).rejects.toThrow('--account: expected one of the accounts configured in .env or the environment (default, blog, shop), got "nope"; a further account needs WECHAT_TOKEN_NOPE and WECHAT_PATH_NOPE');
  });

  it("the chat page's server signs for the account it names: its path, Token and key; an unknown name is a 400; no secret reaches the page", async () => {
    const local = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    const chat = (path: string, body?: unknown) => dev.apps.main.request(`/__wxmp/chat/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, local);
    const sent = async (body: unknown) => (await chat('send', body)).json() as Promise<{ mode: string; verdict: { ok: boolean; fields?: { Content?: string } } }>;
    const shop = await sent({ account: 'shop', kind: 'text', content: 'from the chat' });
    expect(shop.mode).toBe('safe');
    expect(shop.verdict).toMatchObject({ ok: true, fields: { Content: 'shop:client:from the chat' } });
    await vi.waitFor(() => expect(logger.lines.some((l) => / POST \/shop \(shop\) 200 \d+ms \[safe\] oWxmpEmulatorUser00000000001: text "from the chat"/.test(l))).toBe(true));
    // blog has no EncodingAESKey: plaintext only, as on the page.
    expect((await sent({ account: 'blog', kind: 'text', content: 'hi' })).verdict).toMatchObject({ ok: true, fields: { Content: 'blog:client:hi' } });
    expect((await sent({ kind: 'subscribe', account: 'blog' })).verdict).toMatchObject({ ok: true, fields: { Content: 'blog:event subscribe' } });
    expect((await sent({ kind: 'text', content: 'hi' })).verdict).toMatchObject({ ok: true, fields: { Content: 'default:client:hi' } });

    for (const res of [await chat('send', { account: 'nope', kind: 'text', content: 'x' }), await chat('state?account=nope'), await chat('events?account=nope')]) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('account: expected one of default, blog, shop, got "nope"');
    }
    const state = await (await chat('state?account=shop')).text();
    expect(JSON.parse(state)).toMatchObject({ account: 'shop', url: `${dev.localUrl}/shop`, accounts: [{ value: 'default' }, { value: 'blog' }, { value: 'shop' }], modes: ['plaintext', 'compatible', 'safe'], menu: null });
    for (const secret of [...shopSecrets, TOKEN, AES_KEY]) expect(state).not.toContain(secret);
  });

  it('an account without an AppSecret has a mock API of its own: its menu, customer-service messages and files reach its chat only', async () => {
    const local = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    const chat = (path: string, init?: RequestInit) => dev.apps.main.request(`/__wxmp/chat/${path}`, init ?? {}, local);
    const sent = async (body: unknown) => ((await (await chat('send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { verdict: { ok: boolean; fields?: { Content?: string } } }).verdict;
    // shop has its own AppSecret (the real API), so only blog gets a mock beside the first account's.
    expect(Object.keys(dev.accountMocks)).toEqual(['blog']);
    expect(logger.lines.join('\n')).toContain(`WeChat API blog: offline mock of its own at ${dev.localUrl}/__wxmp/mock-api-blog`);

    // Customer-service messages: each account's chat stream hears its own account's only.
    const streams = await Promise.all(['blog', 'default'].map(async (account) => {
      const reader = (await chat(`events?account=${account}`)).body!.getReader();
      const state = { text: '' };
      const decoder = new TextDecoder();
      const pump = (async () => { for (;;) { const { done, value } = await reader.read(); if (done) return; state.text += decoder.decode(value); } })();
      await vi.waitFor(() => expect(state.text).toContain('event: ready'));
      return { state, stop: () => reader.cancel().then(() => pump) };
    }));
    expect(await sent({ account: 'blog', kind: 'text', content: 'kf' })).toMatchObject({ ok: true, fields: { Content: 'kf sent' } });
    await vi.waitFor(() => expect(streams[0]!.state.text).toContain('kf from blog'));
    // Sent after blog's: had the first account's stream heard blog's mock, it would hold blog's message by now.
    expect(await sent({ kind: 'text', content: 'kf' })).toMatchObject({ ok: true, fields: { Content: 'kf sent' } });
    await vi.waitFor(() => expect(streams[1]!.state.text).toContain('kf from default'));
    expect(streams[1]!.state.text).not.toContain('kf from blog');
    expect(streams[0]!.state.text).not.toContain('kf from default');
    await Promise.all(streams.map((s) => s.stop()));

    // The menu blog's bot publishes is blog's chat's menu, not the first account's.
    expect(await sent({ account: 'blog', kind: 'text', content: 'menu' })).toMatchObject({ ok: true, fields: { Content: 'menu set' } });
    expect(((await (await chat('state?account=blog')).json()) as { menu: unknown }).menu).toMatchObject({ button: [{ name: 'blog' }] });
    expect(((await (await chat('state')).json()) as { menu: unknown }).menu).toBeNull();
    expect(dev.mockApi!.menu).toBeNull();
    // shop's API is the real one: no mock menu, and no files to host.
    expect(((await (await chat('state?account=shop')).json()) as { menu: unknown; upload: boolean })).toMatchObject({ menu: null, upload: false });

    // A picture from blog's chat is hosted by blog's mock, which serves it; the first account's mock has no such file.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const upload = (account: string) => chat(`upload?type=image&account=${account}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    const hosted = (await (await upload('blog')).json()) as { mediaId: string; url: string };
    expect(hosted.url).toBe(`${dev.localUrl}/__wxmp/mock-api-blog/mmbiz/${hosted.mediaId}`);
    const file = await dev.apps.main.request(new URL(hosted.url).pathname, {}, local);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
    expect((await dev.apps.main.request(`/__wxmp/mock-api/mmbiz/${hosted.mediaId}`, {}, local)).status).toBe(404);
    const refused = await upload('shop');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('no mock WeChat API to host files for account shop (the dev server mounts one for each account without an AppSecret)');
  });

  it("keeps every account's secrets out of the terminal, the inspector and the log files", async () => {
    const shop = wechatPost(text('leak', 'gh_shop'), 'safe', { token: SHOP.token, crypto: shopCrypto, path: '/shop' });
    expect((await http(`${dev.localUrl}${shop.url}`, { method: 'POST', body: shop.body })).body).toBe('success');
    await vi.waitFor(() => expect(printed.join('')).toContain('shop secret [redacted] key [redacted] token [redacted]'), { timeout: 5000 });
    await vi.waitFor(() => expect(logger.lines.join('\n')).toContain('failed with [redacted] and [redacted]'));
    const list = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Array<{ id: string; content: string }>;
    const detail = (await http(`${dev.localUrl}/__wxmp/api/exchanges/${list.find((s) => s.content === 'leak')!.id}`)).body;
    expect(JSON.parse(detail).error.message).toBe('failed with [redacted] and [redacted]');
    await dev.close();
    const logs = join(project.dir, '.wxmp', 'logs');
    const files = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n');
    expect(files).toContain('failed with [redacted]');
    for (const where of [printed.join(''), logger.lines.join('\n'), detail, files]) {
      for (const secret of shopSecrets) expect(where).not.toContain(secret);
    }
  });
});
