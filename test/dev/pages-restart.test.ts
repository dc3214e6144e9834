/**
 * Both dev pages open at phone and desktop sizes across a dev-server restart,
 * in real Chromium: "reconnecting" shown, back by themselves, the list
 * reloaded, old rows marked, the chat's conversation kept, its menu read
 * again from the new server, customer-service messages heard again; and the
 * inspector's feed answering 503 while a server starts.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { SIZES, devEnv, inspectorRow as row, launchChromium, openPage, poll, pollOn, postText, publishMenu, sizedContext } from './support/harness.js';
import { pagesBot, screenshot } from './support/pages.js';
import { makeProject, memoryLogger } from './support/project.js';

const project = makeProject(pagesBot());
const logger = memoryLogger();
let dev: DevHandle;
let browser: Browser;
// Per size, a context for each page: each is the front tab of its own (Chromium throttles the timers and frames of a tab behind another).
const contexts: Array<{ inspector: BrowserContext; chat: BrowserContext }> = [];
const menu = (name: string) => publishMenu(dev, [{ type: 'click', name, key: `K_${name}` }]);

beforeAll(async () => {
  [dev, browser] = await Promise.all([startDev({ cwd: project.dir, env: devEnv(), logger }), launchChromium()]);
  for (const size of SIZES) contexts.push({ inspector: await sizedContext(browser, size), chat: await sizedContext(browser, size) });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  project.remove();
});

describe('both pages across a dev-server restart, at phone and desktop sizes', () => {
  it('show "reconnecting", come back by themselves, reload the list, keep the chat, read the menu again, and receive customer-service messages again', async () => {
    await menu('旧菜单');
    await postText(dev, 'before restart');
    const pages = await Promise.all(SIZES.map(async (size, i) => {
      const [inspector, chat] = await Promise.all([openPage(contexts[i]!.inspector, `${dev.localUrl}/__wxmp`), openPage(contexts[i]!.chat, `${dev.localUrl}/__wxmp/chat/`)]);
      // Each size's chat is another follower, so a customer-service message reaches the one page it is for.
      return { size, user: `oWxmpEmulatorUser0000000000${i + 1}`, inspector, chat };
    }));
    for (const { size, user, chat } of pages) {
      await chat.selectOption('#user', user);
      await chat.fill('#input', `hi before on ${size.name}`);
      await chat.click('#send');
      await poll(() => chat.locator('.row.bot .bubble').last().textContent()).toBe(`echo:hi before on ${size.name}`);
      expect(await chat.locator('#menu button.top').allTextContents()).toEqual(['旧菜单']);
    }
    // The chats' feeds stay down after the restart until the new menu is published: they must read it again when back.
    let holdChatFeeds = true;
    for (const { chat } of pages) await chat.route('**/__wxmp/chat/events*', (route) => (holdChatFeeds ? route.fulfill({ status: 503, body: 'starting' }) : route.continue()));
    const port = dev.port;
    await dev.close();
    for (const { size, inspector, chat } of pages) {
      for (const page of [inspector, chat]) {
        await poll(() => page.evaluate('document.body.dataset.conn')).toBe('reconnecting');
        expect(await page.locator('#conn').textContent()).toBe('Reconnecting to the dev server…');
        expect(await page.locator('#conn').isVisible()).toBe(true);
      }
      await screenshot(inspector, `inspector-${size.name}-reconnecting`);
      await screenshot(chat, `chat-${size.name}-reconnecting`);
    }
    dev = await startDev({ cwd: project.dir, env: devEnv(String(port)), logger });
    expect(dev.port).toBe(port);
    await menu('新菜单');
    holdChatFeeds = false;
    for (const { inspector, chat } of pages) {
      await poll(() => inspector.evaluate('document.body.dataset.conn'), { timeout: 20_000 }).toBe('live');
      await poll(() => chat.evaluate('document.body.dataset.conn'), { timeout: 20_000 }).toBe('live');
      await poll(() => chat.locator('#menu button.top').allTextContents()).toEqual(['新菜单']);
      expect(await inspector.locator('#conn').textContent()).toBe('● Live');
      expect(await chat.locator('#conn').isVisible()).toBe(false);
    }
    for (const { size, inspector, chat } of pages) {
      // The old rows are gone from the server: marked, no Replay, no "undefined" or "NaN".
      const old = row(inspector, 'before restart');
      await poll(() => old.getAttribute('class')).toContain('gone');
      await old.click();
      await poll(() => inspector.locator('#detail').innerText()).toContain('no longer has this request');
      expect(await inspector.getByRole('button', { name: 'Replay', exact: true }).count()).toBe(0);
      expect(await inspector.locator('body').innerText()).not.toMatch(/undefined|Invalid Date|NaN/);
      if (size.name === 'phone') await inspector.click('#back');
      // New traffic shows up live again.
      await postText(dev, `after restart ${size.name}`);
      await poll(() => row(inspector, `after restart ${size.name}`).count()).toBe(1);
      // The chat kept its conversation, presses the new menu, and hears customer-service messages from the new server.
      expect(await chat.locator('.row.me .bubble', { hasText: `hi before on ${size.name}` }).count()).toBe(1);
      await chat.click('#menu button.top:has-text("新菜单")');
      await poll(() => chat.locator('.row.bot .bubble').last().textContent()).toBe('event CLICK K_新菜单');
    }
    // Both at once: the handler takes 2 s.
    for (const { chat } of pages) {
      await chat.fill('#input', 'slow');
      await chat.click('#send');
    }
    for (const { chat } of pages) {
      await poll(() => chat.locator('.row.bot .bubble').last().textContent(), { timeout: 15_000 }).toBe('Customer-service messagelate hello');
      expect(await chat.locator('.row.bot .bubble', { hasText: 'late hello' }).count()).toBe(1);
    }
    for (const { inspector, chat } of pages) {
      await inspector.close();
      await chat.close();
    }
  }, 150_000);
});

// The sizes side by side: most of this is the page's reconnect delays.
describe.concurrent('the inspector with a feed that answers 503', () => {
  it.for(SIZES)('says "reconnecting" while its feed answers 503 (a server still starting), and comes back by itself ($name size)', { timeout: 60_000 }, async (size, { expect }) => {
    const poll = pollOn(expect);
    const page = await contexts[SIZES.indexOf(size)]!.inspector.newPage();
    page.setDefaultTimeout(15_000);
    let starting = true;
    let refused = 0;
    await page.route('**/__wxmp/api/events', (route) => (starting ? (refused++, route.fulfill({ status: 503, body: 'starting' })) : route.continue()));
    await page.goto(`${dev.localUrl}/__wxmp`);
    await poll(() => refused).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate('document.body.dataset.conn')).toBe('reconnecting');
    expect(await page.locator('#conn').textContent()).toBe('Reconnecting to the dev server…');
    expect(await page.locator('#conn').isVisible()).toBe(true);
    starting = false;
    await page.waitForSelector('body[data-ready]', { timeout: 20_000 });
    expect(await page.evaluate('document.body.dataset.conn')).toBe('live');
    expect(await page.locator('#conn').textContent()).toBe('● Live');
    // Live: new traffic appears.
    await postText(dev, `after 503 ${size.name}`);
    await poll(() => row(page, `after 503 ${size.name}`).count()).toBe(1);
    await page.close();
  });
});
