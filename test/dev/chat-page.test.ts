/**
 * The chat page as a user drives it, in real Chromium at phone (390×844) and
 * desktop (1280×800) sizes, every behaviour at both: text in every mode and as
 * several users, refused sends, a handler error linked to the inspector,
 * pictures and voice files hosted by the mock API, location and link, every
 * menu event, history across reloads, a second account picked, the feed coming back after a 503,
 * keyboard focus, and axe scans of the page with its forms, + panel and
 * sub-menus open, in both languages. Screenshots go to reports/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE_ERROR } from '../../src/emulator/judge.js';
import { SIZES, amr, keyboardStops, launchChromium, localPoll, openPage, release, png, publishMenu, sizedContext, startPagesDev, type PagesDev, type Size } from './support/harness.js';
import { screenshot, seriousViolations } from './support/pages.js';
import { http } from './support/project.js';

let browser: Browser;
// A second account with its own Token, key and AppSecret (its API unreachable here: the bot never calls it).
const SHOP = { WECHAT_TOKEN_SHOP: 'shoptoken456', WECHAT_APP_ID_SHOP: 'wxshop0000000001', WECHAT_ENCODING_AES_KEY_SHOP: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', WECHAT_APP_SECRET_SHOP: 'shopsecret0123456789abcdefXYZ', WECHAT_PATH_SHOP: '/shop', WECHAT_API_BASE: 'http://127.0.0.1:9' };
const lastBot = (page: Page) => page.locator('.row.bot .bubble').last();

beforeAll(async () => { browser = await launchChromium(); }, 60_000);
afterAll(() => browser?.close());

// The sizes run side by side, each with a dev server of its own; the tests of a size run in order.
describe.concurrent.each(SIZES)('chat page at $name size ($width×$height)', (size: Size) => {
  const poll = localPoll();
  let server: PagesDev;
  let dev: PagesDev['dev'];
  let context: BrowserContext;
  const logged = (pattern: RegExp) => server.logged(pattern, poll);
  const open = () => openPage(context, `${dev.localUrl}/__wxmp/chat/`);
  beforeAll(async () => {
    [server, context] = await Promise.all([startPagesDev({ env: SHOP }), sizedContext(browser, size)]);
    dev = server.dev;
    await publishMenu(dev, [
      { type: 'click', name: '点击', key: 'K_CLICK' },
      { name: '扫码', sub_button: [{ type: 'scancode_push', name: '扫一扫', key: 'K_SCAN' }, { type: 'scancode_waitmsg', name: '扫码等待', key: 'K_WAIT' }, { type: 'pic_photo_or_album', name: '拍照', key: 'K_PIC' }] },
      { name: '更多', sub_button: [{ type: 'location_select', name: '位置', key: 'K_LOC' }, { type: 'miniprogram', name: '小程序', url: 'https://example.com', appid: 'wx1234567890abcdef', pagepath: 'pages/index' }, { type: 'media_id', name: '素材', media_id: 'MEDIA_X' }, { type: 'view', name: '网页', url: 'https://example.com/page' }] },
    ]);
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it.sequential('sends text in every mode and as several users, marks refused sends, links a handler error to the inspector', async () => {
    const page = await open();
    expect(await page.evaluate('document.activeElement?.id')).toBe('input');
    for (const mode of ['plaintext', 'compatible', 'safe']) {
      await page.selectOption('#mode', mode);
      await page.fill('#input', `in ${mode} on ${size.name}`);
      await page.press('#input', 'Enter');
      await logged(new RegExp(`\\[${mode}\\] oWxmpEmulatorUser00000000001: text "in ${mode} on ${size.name}"`));
      await poll(() => lastBot(page).textContent()).toBe(`echo:in ${mode} on ${size.name}`);
    }
    await page.selectOption('#user', 'oWxmpEmulatorUser00000000002');
    await page.fill('#input', `from the second on ${size.name}`);
    await page.click('#send');
    await logged(new RegExp(`oWxmpEmulatorUser00000000002: text "from the second on ${size.name}"`));
    await poll(() => lastBot(page).textContent()).toBe(`echo:from the second on ${size.name}`);
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
    await screenshot(page, `chat-${size.name}`);
    const inspector = await openPage(context, `${dev.localUrl}${href}`);
    await poll(() => inspector.locator('#detail').innerText()).toContain('kaboom in the handler');
    release(inspector);
    release(page);
  }, 120_000);

  it.sequential('sends a picture and a voice file (hosted by the mock API), a location and a link', async () => {
    const page = await open();
    await page.click('#plus');
    await page.setInputFiles('#image-file', { name: 'green.png', mimeType: 'image/png', buffer: png() });
    await poll(() => lastBot(page).textContent()).toMatch(/^picture http:\/\/127\.0\.0\.1:\d+\/__wxmp\/mock-api\/mmbiz\/MEDIA_/);
    const picUrl = (await lastBot(page).textContent())!.replace('picture ', '');
    const hosted = await http(picUrl);
    expect(hosted.status).toBe(200);
    expect(hosted.headers['content-type']).toBe('image/png');
    expect(await page.locator('.row.me img.pic').last().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(40);

    // Voice: the recognised text, and the file itself, which the bot can fetch by its MediaId.
    await page.click('#plus');
    await page.click('[data-more=voice]');
    await page.fill('#ask input[name=recognition]', '你好');
    await page.setInputFiles('#ask input[name=voiceFile]', { name: 'hello.amr', mimeType: 'audio/amr', buffer: amr() });
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toMatch(/^heard 你好 · MEDIA_/);
    const mediaId = (await lastBot(page).textContent())!.split(' · ')[1]!;
    const voice = await http(`${dev.localUrl}/__wxmp/mock-api/mmbiz/${mediaId}`);
    expect(voice.status).toBe(200);
    expect(voice.headers['content-type']).toBe('audio/amr');
    expect(voice.body.startsWith('#!AMR\n')).toBe(true);
    // Without a file the bot still gets a voice message (with a made-up MediaId, as the emulator's CLI sends).
    await page.click('#plus');
    await page.click('[data-more=voice]');
    await page.fill('#ask input[name=recognition]', '再见');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toMatch(/^heard 再见 · /);

    await page.click('#plus');
    await page.click('[data-more=location]');
    await page.fill('#ask input[name=label]', '天河区');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toBe('at 天河区');
    await page.click('#plus');
    await page.click('[data-more=link]');
    await page.fill('#ask input[name=url]', 'https://example.com/post');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toBe('link https://example.com/post');
    await screenshot(page, `chat-${size.name}-inputs`);
    release(page);
  }, 120_000);

  it.sequential('sends every menu event WeChat sends; Escape and an outside click close the sub-menu', async () => {
    const page = await open();
    await page.click('#menu button.top:has-text("扫码")');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(1);
    expect(await page.locator('#menu .sub.open button').first().isVisible()).toBe(true);
    await screenshot(page, `chat-${size.name}-menu`);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(0);
    // Focus goes back to the button that opened it.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('≡ 扫码');
    await page.click('#menu button.top:has-text("扫码")');
    await page.click('#log');
    await poll(() => page.locator('#menu .sub.open').count()).toBe(0);

    await page.click('#menu button.top:has-text("点击")');
    await logged(/event CLICK K_CLICK/);
    await page.click('#menu button.top:has-text("扫码")');
    await page.click('#menu .sub button:has-text("扫一扫")');
    await page.fill('#ask input[name=scanResult]', 'QR-42');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toBe('event scancode_push K_SCAN');
    await page.click('#menu button.top:has-text("扫码")');
    await page.click('#menu .sub button:has-text("扫码等待")');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toBe('event scancode_waitmsg K_WAIT');
    await page.click('#menu button.top:has-text("扫码")');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#menu .sub button:has-text("拍照")')]);
    await chooser.setFiles({ name: 'p.png', mimeType: 'image/png', buffer: png() });
    await logged(/event pic_photo_or_album K_PIC/);
    await poll(() => lastBot(page).textContent()).toMatch(/^picture http/);
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("位置")');
    await page.click('#ask-ok');
    await logged(/event location_select K_LOC/);
    await poll(() => lastBot(page).textContent()).toBe('at 广州市天河区');
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("小程序")');
    await logged(/event view_miniprogram pages\/index/);
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("网页")');
    await logged(/event VIEW https:\/\/example\.com\/page/);
    await poll(() => page.locator('.note').last().textContent()).toContain('https://example.com/page');
    await page.click('#menu button.top:has-text("更多")');
    await page.click('#menu .sub button:has-text("素材")');
    await poll(() => page.locator('.note').last().textContent()).toContain('WeChat handles a “media_id” button itself');
    // The follow, unfollow and scan buttons below the menu.
    await page.click('[data-action=subscribe]');
    await poll(() => lastBot(page).textContent()).toBe('event subscribe');
    await page.click('[data-action=scan]');
    await page.fill('#ask input[name=scene]', '42');
    await page.click('#ask-ok');
    await poll(() => lastBot(page).textContent()).toBe('event SCAN 42');
    release(page);
  }, 120_000);

  it.sequential('keeps the history across a reload, and clears it', async () => {
    const page = await open();
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
    release(page);
  }, 60_000);

  it.sequential('talks to the account picked (its path, Token and key; its own history and menu), and keeps the choice across a reload', async () => {
    const page = await open();
    await page.fill('#input', `to the first on ${size.name}`);
    await page.press('#input', 'Enter');
    await poll(() => lastBot(page).textContent()).toBe(`echo:to the first on ${size.name}`);
    const firstRows = await page.locator('.row').count();
    expect(await page.locator('#menu button').count()).toBeGreaterThan(0);
    expect(await page.locator('#account option').allTextContents()).toEqual(['default · /', 'shop · /shop']);
    await page.getByLabel('Account').selectOption('shop');
    await poll(() => page.locator('#target').textContent()).toBe(`${dev.localUrl}/shop`);
    // Its own conversation, and not the mock's menu: shop has an API of its own.
    expect(await page.locator('.row').count()).toBe(0);
    expect(await page.locator('#menu button').count()).toBe(0);
    expect(await page.inputValue('#mode')).toBe('safe');
    await page.fill('#input', `to the shop on ${size.name}`);
    await page.press('#input', 'Enter');
    await logged(new RegExp(`POST /shop \\(shop\\) 200 \\d+ms \\[safe\\] oWxmpEmulatorUser00000000001: text "to the shop on ${size.name}"`));
    await poll(() => lastBot(page).textContent()).toBe(`shop:to the shop on ${size.name}`);
    await page.click('[data-action=subscribe]');
    await poll(() => lastBot(page).textContent()).toBe('shop:event subscribe');
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    expect(page.url()).toMatch(/\?account=shop$/);
    await poll(() => page.locator('.row.bot').count()).toBe(2);
    expect(await page.inputValue('#account')).toBe('shop');
    // Back to the first account: its conversation and menu as they were.
    await page.selectOption('#account', 'default');
    await poll(() => page.locator('.row').count()).toBe(firstRows);
    expect(await page.locator('#menu button').count()).toBeGreaterThan(0);
    expect(page.url()).not.toContain('account=');
    release(page);
  }, 60_000);

  it.sequential('says "reconnecting" while its feed answers 503 (a server still starting), and comes back by itself', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    let starting = true;
    let refused = 0;
    await page.route('**/__wxmp/chat/events*', (route) => (starting ? (refused++, route.fulfill({ status: 503, body: 'starting' })) : route.continue()));
    await page.goto(`${dev.localUrl}/__wxmp/chat/`);
    await poll(() => refused).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate('document.body.dataset.conn')).toBe('reconnecting');
    expect(await page.locator('#conn').textContent()).toBe('Reconnecting to the dev server…');
    expect(await page.locator('#conn').isVisible()).toBe(true);
    starting = false;
    await poll(() => page.evaluate('document.body.dataset.conn'), { timeout: 20_000 }).toBe('live');
    expect(await page.locator('#conn').isVisible()).toBe(false);
    // Live again: the chat works.
    await page.fill('#input', 'after the 503');
    await page.click('#send');
    await poll(() => lastBot(page).textContent()).toBe('echo:after the 503');
    await page.close();
  }, 60_000);

  it.sequential('shows a focus ring on every control reached by keyboard, including the + panel, a form and an open sub-menu', async () => {
    const page = await open();
    const stops = await keyboardStops(page);
    expect(stops.map((s) => s.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^button#lang/), 'select#account', 'select#user', 'select#mode', expect.stringMatching(/^button#clear/), 'main#log', expect.stringMatching(/^button "点击"/), expect.stringMatching(/^button "Follow/), expect.stringMatching(/^button#plus/), 'input#input', expect.stringMatching(/^button#send/)]));
    expect(stops.filter((s) => !s.visible), JSON.stringify(stops)).toEqual([]);
    // The + panel (the picture picker is a label around a file input: the label shows the ring), then a form.
    await page.focus('#plus');
    await page.keyboard.press('Enter');
    const panel = (await keyboardStops(page)).filter((s) => /^input#image-file|data-more|"Voice|"Location|"Link/.test(s.what) || s.what.startsWith('input#image-file'));
    expect(panel.length).toBeGreaterThanOrEqual(4);
    expect(panel.filter((s) => !s.visible), JSON.stringify(panel)).toEqual([]);
    await page.focus('[data-more=link]');
    await page.keyboard.press('Enter');
    await page.locator('#ask input[name=url]').waitFor();
    const form = (await keyboardStops(page)).filter((s) => /^input\[name=|#ask-/.test(s.what));
    expect(form.map((s) => s.what)).toEqual(expect.arrayContaining(['input[name=url]', 'input[name=linkTitle]', 'input[name=description]', expect.stringMatching(/^button#ask-cancel/), expect.stringMatching(/^button#ask-ok/)]));
    expect(form.filter((s) => !s.visible), JSON.stringify(form)).toEqual([]);
    await page.keyboard.press('Escape');
    // A sub-menu opened from the keyboard: focus moves into it, with a ring.
    await page.focus('#menu button.top:has-text("更多")');
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate('document.activeElement?.textContent')).toBe('位置');
    const ring = await page.evaluate('(() => { const a = document.activeElement; const cs = getComputedStyle(a); return a.matches(":focus-visible") && cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2; })()');
    expect(ring).toBe(true);
    await page.keyboard.press('Escape');
    release(page);
  }, 90_000);

  it.sequential('has no serious or critical axe violations, with a form, the + panel and a sub-menu open, in English and in Chinese', async () => {
    const page = await open();
    const scan = async (what: string) => expect(await seriousViolations(page), `${what} at ${size.name} size`).toEqual([]);
    for (const lang of ['en', 'zh-CN']) {
      if (lang === 'zh-CN') {
        await page.click('#lang');
        expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
        expect(await page.locator('#send').textContent()).toBe('发送');
      }
      // Two scans cover every state: each sees the whole page, plus what is open.
      // A form (voice: text and file fields) with the + panel open beside it.
      await page.click('#plus');
      await page.click('[data-more=voice]');
      await page.click('#plus');
      expect(await page.locator('#more').isVisible()).toBe(true);
      expect(await page.locator('#ask').isVisible()).toBe(true);
      await scan(`the voice form and the + panel in ${lang}`);
      await page.click('#ask-cancel');
      // Another form (location: numbers) with a sub-menu open.
      await page.click('#menu button.top:has-text("更多")');
      await page.click('#menu .sub button:has-text("位置")');
      await page.click('#menu button.top:has-text("扫码")');
      expect(await page.locator('#menu .sub.open').isVisible()).toBe(true);
      expect(await page.locator('#ask').isVisible()).toBe(true);
      await scan(`the location form and a sub-menu in ${lang}`);
      if (lang === 'zh-CN') await screenshot(page, `chat-${size.name}-zh`);
      await page.keyboard.press('Escape');
      await page.click('#ask-cancel');
    }
    await page.click('#lang');
    release(page);
  }, 150_000);

  it.sequential('defaults to the browser\'s language', async () => {
    const zh = await sizedContext(browser, size, { locale: 'zh-CN' });
    try {
      const page = await openPage(zh, `${dev.localUrl}/__wxmp/chat/`);
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      expect(await page.locator('body').innerText()).toContain('发送');
    } finally {
      await zh.close();
    }
  }, 60_000);
});
