import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleBot from '../../src/app.js';
import { createWechatClient, type WechatClient } from '../../src/api/client.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { createChatApp } from '../../src/emulator/chat/index.js';
import { PHONE_ERROR } from '../../src/emulator/judge.js';
import { EMULATOR_USER } from '../../src/emulator/request.js';
import { createApp } from '../../src/server/app.js';
import { createRouter } from '../../src/wechat/router.js';
import { reply } from '../../src/wechat/replies.js';
import { listen, type RunningServer } from '../../src/server/start.js';
import { startMock, type RunningMock } from '../api/support/mock-server.js';
import { credentials, startBot, type Bot } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let bot: Bot;
let slowBot: Bot;
let broken: RunningServer;
let mock: RunningMock;
let chat: RunningServer;
let client: WechatClient;
let context: BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'wxmp-chromium-'));

beforeAll(async () => {
  mock = await startMock();
  bot = await startBot(exampleBot);
  slowBot = await startBot(createRouter()
    .text('boom', () => { throw new Error('bug'); })
    .text('media', () => reply.image('MEDIA_IMG'))
    .text('voice', () => reply.voice('MEDIA_VOICE'))
    .text('video', () => reply.video('MEDIA_VIDEO', { title: '演示视频' }))
    .text('music', () => reply.music({ thumbMediaId: 'THUMB', title: '歌' }))
    .text('kf', () => reply.transferToCustomerService())
    .on('text', async () => { await new Promise((r) => setTimeout(r, 4000)); return 'too late'; }), { deadlineMs: 10_000 });
  // A callback that answers with XML WeChat cannot read, as a broken handler would.
  broken = await listen((req) => new Response(req.method === 'POST' ? '<xml><Content>oops</xml>' : 'ok', { headers: { 'Content-Type': 'application/xml' } }), 0, '127.0.0.1');
  const outer = new Hono();
  // Stands in for the dev server's loopback guard.
  outer.use('*', async (c, next) => {
    const address = getConnInfo(c).remote.address ?? '';
    if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address)) return c.text('forbidden', 403);
    await next();
  });
  outer.route('/__wxmp/chat', createChatApp({ target: { ...credentials, url: bot.callback }, mock: mock.mock, keepAliveSeconds: 1 }));
  outer.route('/broken/chat', createChatApp({ target: { ...credentials, url: broken.url + '/', mode: 'plaintext', timeoutMs: 2000 } }));
  // WeChat's 5 s shortened to 1 s, so three unanswered tries take 3 s (and an instant reply has room on a loaded machine).
  outer.route('/slow/chat', createChatApp({ target: { ...credentials, url: slowBot.callback, timeoutMs: 1000 } }));
  chat = await listen(outer.fetch, 0, '127.0.0.1');
  client = createWechatClient({ appId: mock.mock.appId, appSecret: mock.mock.appSecret, apiBase: mock.url, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 360, height: 640 } });
}, 60_000);

afterAll(async () => {
  await context?.close();
  chat?.server.closeAllConnections();
  await chat?.close();
  await broken?.close();
  await bot?.close();
  await slowBot?.close();
  await mock?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function open(path = '/__wxmp/chat/'): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(chat.url + path);
  // The SSE stream is open once the page marks itself ready.
  await page.waitForSelector('body[data-ready]');
  return page;
}

async function type(page: Page, text: string): Promise<void> {
  await page.fill('#input', text);
  await page.click('#send');
}

const lastBot = (page: Page) => page.locator('.row.bot .bubble').last();

describe('chat page in Chromium', () => {
  it('type a message, see the echo', async () => {
    const page = await open();
    await type(page, '你好');
    await expect.poll(() => page.locator('.row.me .bubble').last().textContent()).toBe('你好');
    await expect.poll(() => lastBot(page).textContent()).toBe('你说：你好');
    await page.close();
  });

  it('works at the mount point without the trailing slash', async () => {
    const page = await open('/__wxmp/chat');
    expect(new URL(page.url()).pathname).toBe('/__wxmp/chat/');
    await type(page, 'again');
    await expect.poll(() => lastBot(page).textContent()).toBe('你说：again');
    await page.close();
  });

  it('renders a news reply as a card linking to the article', async () => {
    const page = await open();
    await type(page, 'news');
    const card = page.locator('.row.bot a.card').last();
    await expect.poll(() => card.getAttribute('href')).toBe('https://github.com/honojs/hono');
    expect(await card.locator('b').textContent()).toBe('wxmp');
    await page.close();
  });

  it('subscribe and scan buttons send the events', async () => {
    const page = await open();
    await page.click('[data-action=subscribe]');
    await expect.poll(() => lastBot(page).textContent()).toMatch(/^欢迎关注！Send "help"/);
    await page.click('[data-action=scan]');
    await page.fill('#ask input[name=scene]', '77');
    await page.click('#ask-ok');
    await expect.poll(() => page.locator('.row.me .bubble').last().textContent()).toBe('[Scan] 77');
    // The example bot does not answer SCAN: WeChat shows nothing.
    await expect.poll(() => page.locator('.note').last().textContent()).toBe('(no reply)');
    await page.close();
  });

  it('shows the menu published to the mock API; a click sends the CLICK event and shows its reply', async () => {
    const page = await open();
    expect(await page.locator('#menu button').count()).toBe(0);
    await client.menu.create({ button: [{ type: 'click', name: '今天', key: 'TODAY' }, { name: '更多', sub_button: [{ type: 'view', name: '官网', url: 'https://example.com/' }] }] });
    // Pushed over SSE: no reload needed.
    await page.click('#menu button:has-text("今天")');
    await expect.poll(() => lastBot(page).textContent()).toMatch(/^Today is \d{4}-\d\d-\d\d$/);
    await page.click('#menu button:has-text("更多")');
    await page.click('#menu .sub button:has-text("官网")');
    await expect.poll(() => page.locator('.row.me .bubble').last().textContent()).toBe('[Menu] 官网');
    await expect.poll(() => page.locator('.note').last().textContent()).toBe('Opens https://example.com/');
    expect(await page.locator('.note').nth(-2).textContent()).toBe('(no reply)');
    // A fresh page reads the menu from the mock at load.
    const fresh = await open();
    expect(await fresh.locator('#menu button.top').allTextContents()).toEqual(['今天', '≡ 更多']);
    await fresh.close();
    await page.close();
  });

  it('a customer-service message sent through the mock appears as a bot message', async () => {
    const page = await open();
    await client.customerService.sendText(EMULATOR_USER, '您的订单已发货 https://example.com/order');
    await expect.poll(() => lastBot(page).textContent()).toBe('Customer-service message您的订单已发货 https://example.com/order');
    expect(await lastBot(page).locator('a').getAttribute('href')).toBe('https://example.com/order');
    // Another user's messages are not this chat's.
    await client.customerService.sendText('oSomeoneElse000000000000000', 'not for you');
    await type(page, 'after');
    await expect.poll(() => lastBot(page).textContent()).toBe('你说：after');
    expect(await page.locator('text=not for you').count()).toBe(0);
    await page.close();
  });

  it('a broken handler shows WeChat\'s error text and the reason', async () => {
    const page = await open('/broken/chat/');
    await type(page, 'hi');
    await expect.poll(() => page.locator('.error .phone-text').last().textContent()).toBe(PHONE_ERROR);
    expect(await page.locator('.error .why').last().textContent()).toMatch(/neither "success" nor well-formed XML/);
    expect(await page.locator('.row.bot').count()).toBe(0);
    await page.close();
  });

  it('a bot too slow for WeChat: three tries, then the error text', async () => {
    const page = await open('/slow/chat/');
    await type(page, 'hello');
    await expect.poll(() => page.locator('.error .phone-text').last().textContent(), { timeout: 10_000 }).toBe(PHONE_ERROR);
    expect(await page.locator('.error .why').last().textContent()).toMatch(/no answer to any of 3 tries within 1 s/);
    expect(await page.locator('.tries').last().textContent()).toBe('try 1: timeout · try 2: timeout · try 3: timeout');
    await page.close();
  });

  it('a handler that threw: no reply, as in WeChat, and a hint for the developer', async () => {
    const page = await open('/slow/chat/');
    await type(page, 'boom');
    await expect.poll(() => page.locator('.note').last().textContent()).toBe('Your handler threw (see the server log). WeChat shows nothing.');
    await page.close();
  });

  it('renders image, voice, video and music replies as placeholders, and a transfer as a note', async () => {
    const page = await open('/slow/chat/');
    const expected: Array<[string, string]> = [['media', '[Picture] MEDIA_IMG'], ['voice', '[Voice] MEDIA_VOICE'], ['video', '[Video] 演示视频'], ['music', '[Music] 歌']];
    for (const [text, shown] of expected) {
      await type(page, text);
      await expect.poll(() => lastBot(page).textContent()).toBe(shown);
    }
    await type(page, 'kf');
    await expect.poll(() => page.locator('.note').last().textContent()).toBe('Transferred to a human agent');
    await page.close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await open();
    await type(page, 'a long line '.repeat(30));
    await expect.poll(() => page.locator('.row.bot').count()).toBeGreaterThan(0);
    // A string, so the test compiles without the DOM typings.
    const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as { scroll: number; client: number };
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.close();
  });
});

describe('chat endpoints', () => {
  const app = createChatApp({ target: { ...credentials, url: 'http://127.0.0.1:1/' } });

  it('refuses a send that is not JSON (a cross-site form cannot post one)', async () => {
    const res = await app.request('/send', { method: 'POST', body: 'kind=text&content=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it('says what was wrong with a bad action', async () => {
    const res = await app.request('/send', { method: 'POST', body: JSON.stringify({ kind: 'dance' }), headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/kind: expected text, image, .* got "dance"/);
  });

  it('is not part of the production app', async () => {
    const production = createApp({ config: { ...credentials, path: '/' }, router: exampleBot });
    expect((await production.request('/__wxmp/chat/')).status).toBe(404);
  });

  it('streams events until the signal ends them, then lets go of the mock', async () => {
    const controller = new AbortController();
    let listeners = 0;
    let push: (e: Parameters<Parameters<RunningMock['mock']['subscribe']>[0]>[0]) => void = () => {};
    const fakeMock = { menu: null, subscribe: (l: typeof push) => { listeners++; push = l; return () => { listeners--; }; } };
    const app = createChatApp({ target: { ...credentials, url: 'http://127.0.0.1:1/' }, mock: () => fakeMock, signal: controller.signal });
    const res = await app.request('/events');
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
    expect(listeners).toBe(1);
    push({ kind: 'customer-message', openid: EMULATOR_USER, message: { msgtype: 'text', text: { content: 'hi' } } });
    push({ kind: 'customer-message', openid: 'oOther', message: { msgtype: 'text', text: { content: 'not yours' } } });
    controller.abort();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('event: message\ndata: {"msgtype":"text","text":{"content":"hi"}}');
    expect(text).not.toContain('not yours');
    expect(listeners).toBe(0);
  });

  it('checks its options up front', () => {
    expect(() => createChatApp({} as never)).toThrow(/target: expected \{ url, token, \.\.\. \}/);
  });
});

describe('the chat with several accounts (app.request, no network)', () => {
  const app = createChatApp({
    target: { url: 'http://127.0.0.1:9/', token: 'first-token-123' },
    accounts: [{ name: 'shop', url: 'http://127.0.0.1:9/shop', token: 'shop-token-456', appId: credentials.appId, encodingAESKey: credentials.encodingAESKey }],
  });
  const post = (body: unknown) => app.request('/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('names the accounts and their paths, and each one\'s URL and modes, never a Token or key', async () => {
    const first = await (await app.request('/state')).text();
    expect(JSON.parse(first)).toMatchObject({ account: 'default', url: 'http://127.0.0.1:9/', modes: ['plaintext'], accounts: [{ value: 'default', label: 'default · /' }, { value: 'shop', label: 'shop · /shop' }] });
    const shop = await (await app.request('/state?account=shop')).text();
    expect(JSON.parse(shop)).toMatchObject({ account: 'shop', url: 'http://127.0.0.1:9/shop', mode: 'safe', modes: ['plaintext', 'compatible', 'safe'], menu: null });
    for (const secret of ['first-token-123', 'shop-token-456', credentials.encodingAESKey]) expect(first + shop).not.toContain(secret);
  });

  it('refuses an account not configured with a 400 naming the ones that are, before sending anything', async () => {
    for (const res of [await post({ account: 'nope', kind: 'text', content: 'x' }), await app.request('/state?account=SHOP'), await app.request('/events?account=x')]) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^account: expected one of default, shop, got "(nope|SHOP|x)"$/);
    }
    // A mode the account has not: the first account has no key.
    expect(((await (await post({ kind: 'text', content: 'x', mode: 'safe' })).json()) as { error: string }).error).toMatch(/^mode: expected plaintext, got "safe"/);
  });
});
