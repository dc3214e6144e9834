/**
 * The chat page with WECHAT_LATE_REPLY=retry, in real Chromium, at WeChat's
 * timing (5 s a try, the 4 s deadline): what a phone shows for a 7 s handler
 * (the reply, on WeChat's second try) and a 20 s handler (the third try's
 * "回复「继续」" hint, then the reply on the user's "继续"). The two
 * conversations run side by side, as two followers, so the file takes about
 * as long as the slower one.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { APP_ID, AES_KEY, TOKEN } from '../helpers/wechat-request.js';
import { launchBrowser } from './support/browser.js';
import { PHONE, screenshot } from './support/pages.js';
import { makeProject, memoryLogger, repoRoot } from './support/project.js';

// "wait N": a handler that takes N seconds (an AI call, a slow database); anything else is echoed.
const project = makeProject(`import { createRouter } from ${JSON.stringify(join(repoRoot, 'src/index.ts'))};
export default createRouter().on('text', async (m) => {
  const wait = /^wait (\\d+)$/.exec(m.content);
  if (!wait) return 'echo:' + m.content;
  await new Promise((r) => setTimeout(r, Number(wait[1]) * 1000));
  return 'done after ' + wait[1] + ' s';
});
`);
const logger = memoryLogger();
let dev: DevHandle;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  // No WECHAT_REPLY_DEADLINE_MS: the default 4 s, as shipped.
  dev = await startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_LATE_REPLY: 'retry', PORT: '0', HOST: '127.0.0.1', TUNNEL: 'none' }, logger });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  project.remove();
});

async function chatAs(user: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  await page.setViewportSize(PHONE);
  await page.goto(`${dev.localUrl}/__wxmp/chat/`);
  await page.waitForSelector('body[data-ready]');
  await page.selectOption('#user', user);
  return page;
}

async function say(page: Page, content: string): Promise<void> {
  await page.fill('#input', content);
  await page.click('#send');
}

const lastBubble = (page: Page) => page.locator('.row.bot .bubble').last().textContent();
const lastTries = (page: Page) => page.locator('.tries').last().textContent();
const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 200 });

describe('the chat page, WECHAT_LATE_REPLY=retry, real Chromium at WeChat timing', () => {
  it('7 s handler: the reply on the second try; 20 s handler: the hint on the third, and the reply on "继续"', async () => {
    const [seven, twenty] = await Promise.all([chatAs('oWxmpEmulatorUser00000000002'), chatAs('oWxmpEmulatorUser00000000003')]);

    const sevenFlow = (async () => {
      await say(seven, 'wait 7');
      // The first try gets no answer; the phone shows nothing until WeChat's copy ≈5 s later is answered with the reply.
      await poll(() => lastBubble(seven)).toBe('done after 7 s');
      expect(await lastTries(seven)).toBe('try 1: timeout · try 2: 200 (joined)');
    })();

    const twentyFlow = (async () => {
      const sent = Date.now();
      await say(twenty, 'wait 20');
      // Three tries (0, ≈5, ≈10 s): the third is answered in time with the hint, so the phone shows no error.
      await poll(() => lastBubble(twenty)).toBe('正在处理，请稍后回复「继续」查看');
      expect(await lastTries(twenty)).toBe('try 1: timeout · try 2: timeout · try 3: 200 (joined)');
      // The user asks at once: still working, a valid answer.
      await say(twenty, '继续');
      await poll(() => lastBubble(twenty)).toBe('还在处理中，请稍后再回复「继续」');
      // Once the handler is done, "继续" gets its reply.
      await new Promise((r) => setTimeout(r, Math.max(0, sent + 20_500 - Date.now())));
      await say(twenty, '继续');
      await poll(() => lastBubble(twenty)).toBe('done after 20 s');
      // Fetched once: the next "继续" is an ordinary message for the bot.
      await say(twenty, '继续');
      await poll(() => lastBubble(twenty)).toBe('echo:继续');
    })();

    await Promise.all([sevenFlow, twentyFlow]);
    // Never "该公众号提供的服务出现故障" on either phone, and the handler ran once per message.
    for (const page of [seven, twenty]) expect(await page.locator('.error').count()).toBe(0);
    const exchanges = (await (await fetch(`${dev.localUrl}/__wxmp/api/exchanges`)).json()) as Array<{ content: string; user: string; dedup?: string }>;
    const tries = (content: string) => exchanges.filter((s) => s.content === content).map((s) => s.dedup).reverse();
    expect(tries('wait 7')).toEqual(['first', 'joined']);
    expect(tries('wait 20')).toEqual(['first', 'joined', 'joined']);
    await screenshot(twenty, 'chat-late-retry-phone');
  }, 60_000);
});
