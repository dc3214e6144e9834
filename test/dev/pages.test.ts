/**
 * The inspector and the chat page as a user drives them, in real Chromium at
 * phone (390×844) and desktop (1280×800) sizes: WeChat's verdict everywhere,
 * the list's tools, the chat's inputs, a dev-server restart with both pages
 * open, and an accessibility scan in both languages. Page-side code is
 * passed as strings, so the test compiles without the DOM typings. Screenshots go to
 * reports/screenshots/ (git-ignored) for a reviewer.
 */
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatClient } from '../../src/api/client.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { PHONE_ERROR } from '../../src/emulator/judge.js';
import { APP_ID, AES_KEY, TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { launchBrowser } from './support/browser.js';
import { DESKTOP, PHONE, pagesBot, screenshot, seriousViolations } from './support/pages.js';
import { http, makeProject, memoryLogger } from './support/project.js';

const MAX = 12;
const project = makeProject(pagesBot());
const logger = memoryLogger();
let dev: DevHandle;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const env = (port = '0') => ({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: port, HOST: '127.0.0.1', TUNNEL: 'none', WECHAT_REPLY_DEADLINE_MS: '1000' });
const text = (content: string, user = 'oInspect') => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

async function post(content: string) {
  const { url, body } = wechatPost(text(content), 'safe');
  return http(`${dev.localUrl}${url}`, { method: 'POST', body });
}

/** A real 40×40 PNG (solid green), for the picture upload. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(40, 0); ihdr.writeUInt32BE(40, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = Buffer.concat(Array.from({ length: 40 }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(120, Buffer.from([7, 193, 96]))])));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

async function openPage(path: string, size = DESKTOP): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.setViewportSize(size);
  await page.goto(`${dev.localUrl}${path}`);
  await page.waitForSelector('body[data-ready]');
  return page;
}
const row = (page: Page, content: string) => page.locator('#list tr', { has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${content}$`) }) });
/** expect.poll with room for a loaded machine (its default gives up after 1 s). */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 15_000, ...options });
const logged = (pattern: RegExp) => poll(() => logger.lines.some((l) => pattern.test(l)), { timeout: 15_000 }).toBe(true);

beforeAll(async () => {
  dev = await startDev({ cwd: project.dir, env: env(), logger, maxExchanges: MAX });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  project.remove();
});

describe('inspector (real Chromium)', () => {
  it('judges every exchange as WeChat would: rejected replies red with the phone\'s text and the reason; a late reply linked to its message', async () => {
    for (const content of ['hello', 'news2', 'long', 'boom', 'slow']) expect((await post(content)).status).toBe(200);
    const page = await openPage('/__wxmp/');
    await poll(() => page.locator('#list tr').count()).toBe(6);
    for (const name of ['news2', 'long']) {
      const r = row(page, name);
      expect(await r.getAttribute('class')).toContain('rejected');
      expect(await r.locator('.t-rejected').textContent()).toBe('rejected');
      // Red text on a light red row, at more than 4.5:1 (checked by the scan below as well).
      expect(await r.locator('td').first().evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(td).color)).toBe('rgb(179, 38, 30)');
    }
    await row(page, 'long').click();
    const verdict = page.locator('#detail .verdict.bad');
    await poll(() => verdict.textContent()).toContain(PHONE_ERROR);
    expect(await verdict.textContent()).toMatch(/4500 bytes of UTF-8; WeChat does not deliver passive text replies over 2048 bytes/);
    expect(await row(page, 'boom').getAttribute('class')).toContain('error');
    // The late reply has its own row, linked both ways.
    const late = page.locator('#list tr', { hasText: 'late reply' });
    await late.click();
    await poll(() => page.locator('#detail').innerText()).toContain('sent as a customer-service message');
    await page.locator('#detail a', { hasText: /-/ }).first().click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · \d\d:\d\d:\d\d$/);
    expect(await page.locator('#detail').innerText()).toContain('success: the handler missed the deadline');
    await page.locator('#detail a', { hasText: 'open entry' }).click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^late reply/);
    expect(await page.locator('#detail').innerText()).toMatch(/Delay\s+\d+ ms/);
    await page.close();
  }, 90_000);

  it('shows columns, the message and reply first, folded raw parts with pretty XML, headers and the source address; searches, filters, exports', async () => {
    const page = await openPage('/__wxmp');
    expect(await page.locator('thead th').allTextContents()).toEqual(['Time', 'Type', 'Content', 'Reply', 'Duration', 'Mode']);
    const hello = row(page, 'hello');
    expect(await hello.locator('td').allTextContents()).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d$/), 'text', 'hello', 'echo:hello', expect.stringMatching(/ ms$/), 'safe']);
    // The OpenID is not in the main columns.
    expect(await page.locator('#list').innerText()).not.toContain('oInspect');
    await hello.click();
    await page.locator('#detail details').first().waitFor();
    const before = await page.locator('#detail').innerText();
    expect(before.indexOf('hello')).toBeLessThan(before.indexOf('Request'));
    expect(before).not.toContain('<Encrypt>');
    for (const summary of await page.locator('#detail details summary').all()) await summary.click();
    const detail = await page.locator('#detail').innerText();
    expect(detail).toContain('127.0.0.1');
    expect(detail).toMatch(/x-wxmp-dedup: first/i);
    expect(detail).toMatch(/host: 127\.0\.0\.1:\d+/i);
    expect(detail).toMatch(/content-type: application\/xml/i);
    expect(detail).toContain('<xml>\n  <ToUserName><![CDATA[gh_a]]></ToUserName>');
    expect(detail).toMatch(/npx wxmp send text hello --mode safe --user oInspect --port \d+/);

    await page.fill('#q', 'news');
    await poll(() => page.locator('#list tr').count()).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#fstatus', 'rejected');
    await poll(() => page.locator('#list td:nth-child(3)').allTextContents()).toEqual(['long', 'news2']);
    await page.selectOption('#fstatus', '');
    await page.selectOption('#ftype', 'late');
    await poll(() => page.locator('#list tr').count()).toBe(1);
    await page.selectOption('#ftype', '');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const lines = (await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.message?.content === 'news2').verdict).toMatchObject({ ok: false, phone: PHONE_ERROR });
    await screenshot(page, 'inspector-desktop');
    await page.close();
  }, 90_000);

  it('replays with edits (re-signed and re-encrypted) and as recorded; keyboard only; phone size', async () => {
    const page = await openPage('/__wxmp', PHONE);
    const first = page.locator('#list tr[tabindex="0"]');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    expect(await page.evaluate('document.activeElement?.closest("tr")?.rowIndex')).toBe(1);
    await page.keyboard.press('End');
    expect(await page.evaluate('document.activeElement?.innerText')).toContain('hello');
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate('document.body.classList.contains("open")')).toBe(true);
    expect(await page.locator('#side').isVisible()).toBe(false);
    await screenshot(page, 'inspector-phone-detail');
    await page.locator('#detail summary', { hasText: 'Edit and replay' }).click();
    const area = page.locator('#edit-xml');
    await area.fill((await area.inputValue()).replace('<![CDATA[hello]]>', '<![CDATA[edited by hand]]>'));
    await page.locator('form:has(#edit-xml) button[type=submit]').click();
    await poll(() => page.locator('#detail').innerText()).toContain('Replayed with the current code: status 200');
    expect(await page.locator('#detail').innerText()).toContain('echo:edited by hand');
    await logged(/\[safe\] oInspect: text "edited by hand" → text "echo:edited by hand"/);
    // The quick edit: the text alone.
    await page.fill('#edit-text', 'just the text');
    await page.locator('form:has(#edit-text) button[type=submit]').click();
    await logged(/\[safe\] oInspect: text "just the text" → text "echo:just the text"/);
    await poll(() => page.locator('#detail').innerText()).toContain('echo:just the text');
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#side').isVisible()).toBe(true);
    expect(await page.locator('#list tr.replayed').count()).toBe(2);
    await screenshot(page, 'inspector-phone');
    await page.close();
  }, 90_000);

  it('keeps as many rows as the server, and clears both', async () => {
    const page = await openPage('/__wxmp');
    for (let i = 0; i < MAX; i++) await post(`bulk ${i}`);
    await poll(() => page.locator('#list td:nth-child(3)').first().textContent()).toBe(`bulk ${MAX - 1}`);
    expect(await page.locator('#list tr').count()).toBe(MAX);
    await page.click('#clear');
    await poll(() => page.locator('#list tr').count()).toBe(0);
    expect(JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body)).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('chat page (real Chromium)', () => {
  it('sends text in every mode and as several users, marks refused sends, links a handler error to the inspector', async () => {
    const page = await openPage('/__wxmp/chat/', PHONE);
    expect(await page.evaluate('document.activeElement?.id')).toBe('input');
    for (const mode of ['plaintext', 'compatible', 'safe']) {
      await page.selectOption('#mode', mode);
      await page.fill('#input', `in ${mode}`);
      await page.press('#input', 'Enter');
      await logged(new RegExp(`\\[${mode}\\] oWxmpEmulatorUser00000000001: text "in ${mode}"`));
    }
    await page.selectOption('#user', 'oWxmpEmulatorUser00000000002');
    await page.fill('#input', 'from the second');
    await page.click('#send');
    await logged(/oWxmpEmulatorUser00000000002: text "from the second"/);
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('echo:from the second');
    // Each user has their own conversation.
    expect(await page.locator('.row.me').count()).toBe(1);
    await page.selectOption('#user', 'oWxmpEmulatorUser00000000001');
    await poll(() => page.locator('.row.me').count()).toBe(3);

    await page.fill('#input', 'x'.repeat(2100));
    await page.click('#send');
    await poll(() => page.locator('.row.me').last().locator('.failed').count()).toBe(1);
    expect(await page.locator('.row.me .failed').last().getAttribute('aria-label')).toBe('not delivered');
    expect(await page.locator('.note').last().textContent()).toMatch(/^Not sent: text: content: expected a non-empty string of at most 2048 characters/);

    await page.fill('#input', 'news2');
    await page.click('#send');
    await poll(() => page.locator('.error .phone-text').last().textContent()).toBe(PHONE_ERROR);
    await page.fill('#input', 'boom');
    await page.click('#send');
    const threw = page.locator('.note.handler-error').last();
    await poll(() => threw.textContent()).toContain('Your handler threw: HANDLER_ERROR: kaboom in the handler');
    const href = await threw.locator('a').getAttribute('href');
    expect(href).toMatch(/^\/__wxmp#/);
    expect(await page.locator('.time span').first().textContent()).toMatch(/^\d\d:\d\d$/);
    await screenshot(page, 'chat-phone');
    const inspector = await openPage(href!);
    await poll(() => inspector.locator('#detail').innerText()).toContain('kaboom in the handler');
    await inspector.close();
    await page.close();
  }, 120_000);

  it('sends a picture (hosted by the mock API), voice, location and a link', async () => {
    const page = await openPage('/__wxmp/chat/', DESKTOP);
    await page.click('#plus');
    await page.setInputFiles('#image-file', { name: 'green.png', mimeType: 'image/png', buffer: png() });
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toMatch(/^picture http:\/\/127\.0\.0\.1:\d+\/__wxmp\/mock-api\/mmbiz\/MEDIA_/);
    const picUrl = (await page.locator('.row.bot .bubble').last().textContent())!.replace('picture ', '');
    const hosted = await http(picUrl);
    expect(hosted.status).toBe(200);
    expect(hosted.headers['content-type']).toBe('image/png');
    expect(await page.locator('.row.me img.pic').last().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(40);

    await page.click('#plus');
    await page.click('[data-more=voice]');
    await page.fill('#ask input[name=recognition]', '你好');
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('heard 你好');
    await page.click('#plus');
    await page.click('[data-more=location]');
    await page.fill('#ask input[name=label]', '天河区');
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('at 天河区');
    await page.click('#plus');
    await page.click('[data-more=link]');
    await page.fill('#ask input[name=url]', 'https://example.com/post');
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('link https://example.com/post');
    await screenshot(page, 'chat-desktop');
    await page.close();
  }, 120_000);

  it('sends every menu event WeChat sends; Escape and an outside click close the sub-menu', async () => {
    const client = createWechatClient({ appId: dev.mockApi!.appId, appSecret: dev.mockApi!.appSecret, apiBase: `${dev.localUrl}/__wxmp/mock-api`, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
    await client.menu.create({ button: [
      { type: 'click', name: '点击', key: 'K_CLICK' },
      { name: '扫码', sub_button: [{ type: 'scancode_push', name: '扫一扫', key: 'K_SCAN' }, { type: 'scancode_waitmsg', name: '扫码等待', key: 'K_WAIT' }, { type: 'pic_photo_or_album', name: '拍照', key: 'K_PIC' }] },
      { name: '更多', sub_button: [{ type: 'location_select', name: '位置', key: 'K_LOC' }, { type: 'miniprogram', name: '小程序', url: 'https://example.com', appid: 'wx1234567890abcdef', pagepath: 'pages/index' }, { type: 'media_id', name: '素材', media_id: 'MEDIA_X' }] },
    ] });
    const page = await openPage('/__wxmp/chat/', DESKTOP);
    await page.click('#menu button.top:has-text("扫码")');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(1);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(0);
    await page.click('#menu button.top:has-text("扫码")');
    await page.click('#log');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(0);

    await page.click('#menu button.top:has-text("点击")');
    await logged(/event CLICK K_CLICK/);
    await page.click('#menu button.top:has-text("扫码")');
    await page.click('#menu .sub button:has-text("扫一扫")');
    await page.fill('#ask input[name=scanResult]', 'QR-42');
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('event scancode_push K_SCAN');
    await page.click('#menu button.top:has-text("扫码")');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#menu .sub button:has-text("拍照")')]);
    await chooser.setFiles({ name: 'p.png', mimeType: 'image/png', buffer: png() });
    await logged(/event pic_photo_or_album K_PIC/);
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toMatch(/^picture http/);
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("位置")');
    await page.click('#ask-ok');
    await logged(/event location_select K_LOC/);
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe('at 广州市天河区');
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("小程序")');
    await logged(/event view_miniprogram pages\/index/);
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("素材")');
    await poll(() => page.locator('.note').last().textContent()).toContain('WeChat handles a “media_id” button itself');
    await page.close();
  }, 120_000);

  it('keeps the history across a reload, and clears it', async () => {
    const page = await openPage('/__wxmp/chat/', PHONE);
    const count = await page.locator('.row').count();
    expect(count).toBeGreaterThan(5);
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    await poll(() => page.locator('.row').count()).toBe(count);
    await page.click('#clear');
    expect(await page.locator('.row').count()).toBe(0);
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    expect(await page.locator('.row').count()).toBe(0);
    await page.close();
  }, 60_000);
});

describe('both pages across a dev-server restart', () => {
  it('show "reconnecting", come back by themselves, reload the list, keep the chat, and receive customer-service messages again', async () => {
    await post('before restart');
    const inspector = await openPage('/__wxmp');
    const chat = await openPage('/__wxmp/chat/', PHONE);
    await chat.fill('#input', 'hi before');
    await chat.click('#send');
    await poll(() => chat.locator('.row.bot .bubble').last().textContent()).toBe('echo:hi before');
    const port = dev.port;
    await dev.close();
    await poll(() => inspector.evaluate('document.body.dataset.conn'), { timeout: 15_000 }).toBe('reconnecting');
    await poll(() => chat.evaluate('document.body.dataset.conn'), { timeout: 15_000 }).toBe('reconnecting');
    expect(await inspector.locator('#conn').textContent()).toBe('Reconnecting to the dev server…');
    expect(await chat.locator('#conn').textContent()).toBe('Reconnecting to the dev server…');
    await screenshot(inspector, 'inspector-reconnecting');
    dev = await startDev({ cwd: project.dir, env: env(String(port)), logger, maxExchanges: MAX });
    expect(dev.port).toBe(port);
    await poll(() => inspector.evaluate('document.body.dataset.conn'), { timeout: 20_000 }).toBe('live');
    await poll(() => chat.evaluate('document.body.dataset.conn'), { timeout: 20_000 }).toBe('live');
    // The old rows are gone from the server: marked, no Replay, no "undefined" or "NaN".
    const old = row(inspector, 'before restart');
    await poll(() => old.getAttribute('class')).toContain('gone');
    await old.click();
    await poll(() => inspector.locator('#detail').innerText()).toContain('no longer has this request');
    expect(await inspector.getByRole('button', { name: 'Replay', exact: true }).count()).toBe(0);
    expect(await inspector.locator('body').innerText()).not.toMatch(/undefined|Invalid Date|NaN/);
    // New traffic shows up live again.
    await post('after restart');
    await poll(() => row(inspector, 'after restart').count()).toBe(1);
    // The chat kept its conversation and hears customer-service messages from the new server.
    expect(await chat.locator('.row.me .bubble', { hasText: 'hi before' }).count()).toBe(1);
    await chat.fill('#input', 'slow');
    await chat.click('#send');
    await poll(() => chat.locator('.row.bot .bubble').last().textContent(), { timeout: 15_000 }).toBe('Customer-service messagelate hello');
    await inspector.close();
    await chat.close();
  }, 120_000);

  it('reconnects after the feed answers 503 (a server still starting)', async () => {
    const page = await browser.context.newPage();
    let refused = 0;
    await page.route('**/__wxmp/api/events', (route) => (refused++ < 2 ? route.fulfill({ status: 503, body: 'starting' }) : route.continue()));
    await page.goto(`${dev.localUrl}/__wxmp`);
    await page.waitForSelector('body[data-ready]', { timeout: 20_000 });
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate('document.body.dataset.conn')).toBe('live');
    await page.close();
  }, 60_000);
});

describe('accessibility and language', () => {
  it('has no serious or critical axe violations on either page, in English and in Chinese, and switches language', async () => {
    await post('for the scan');
    for (const path of ['/__wxmp', '/__wxmp/chat/']) {
      const page = await openPage(path);
      if (path === '/__wxmp') {
        await page.locator('#list tr').first().click();
        await page.locator('#detail details').first().waitFor();
      }
      expect(await seriousViolations(page), `${path} in English`).toEqual([]);
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      await page.click('#lang');
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      expect(await page.locator('#lang').textContent()).toBe('English');
      expect(await seriousViolations(page), `${path} in Chinese`).toEqual([]);
      await screenshot(page, `${path === '/__wxmp' ? 'inspector' : 'chat'}-desktop-zh`);
      await page.click('#lang');
      await page.close();
    }
  }, 120_000);

  it('defaults to the browser\'s language', async () => {
    const zh = await launchBrowser({ locale: 'zh-CN' });
    try {
      for (const [path, word] of [['/__wxmp', '清空'], ['/__wxmp/chat/', '发送']] as const) {
        const page = await zh.context.newPage();
        await page.setViewportSize(PHONE);
        await page.goto(`${dev.localUrl}${path}`);
        await page.waitForSelector('body[data-ready]', { timeout: 15_000 });
        expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
        expect(await page.locator('body').innerText()).toContain(word);
        await screenshot(page, `${path === '/__wxmp' ? 'inspector' : 'chat'}-phone-zh`);
        await page.close();
      }
    } finally {
      await zh.close();
    }
  }, 90_000);

  it('answers /__wxmp/ with the page and an unknown dev path with a useful 404', async () => {
    const slash = await http(`${dev.localUrl}/__wxmp/`);
    expect(slash.status).toBe(200);
    expect(slash.body).toContain('wxmp inspector');
    const unknown = await http(`${dev.localUrl}/__wxmp/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('/__wxmp/chat/');
  });
});
