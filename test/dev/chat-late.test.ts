/**
 * The chat page with WECHAT_LATE_REPLY=retry, in real Chromium: what a phone
 * shows for a 7 s handler (the reply, on WeChat's second try), at WeChat's
 * real timing and the shipped defaults (5 s a try, the 4 s deadline, the
 * 5.5 s hold); and for a "20 s" handler (the third try's "回复「继续」" hint,
 * then the reply on the user's "继续"), on a dev server with shorter timings.
 * The two conversations run side by side, so the file takes about as long as
 * the 7 s one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { APP_ID, AES_KEY, TOKEN } from '../helpers/wechat-request.js';
import { SIZES, launchChromium, openPage, pollOn, sizedContext } from './support/harness.js';
import { screenshot } from './support/pages.js';
import { makeProject, memoryLogger, repoRoot, type Project } from './support/project.js';

// Shorter, with the defaults' margins kept: a try gets its answer 1 s before the chat gives up on it, a held try stays open 0.5 s past that.
const SHORT = { timeoutMs: 1500, deadlineMs: 500, retryHoldMs: 2000, secondMs: 250 };
const projects: Project[] = [];
const done = mkdtempSync(join(tmpdir(), 'wxmp-chat-late-'));
let real: DevHandle;
let short: DevHandle;
let browser: Browser;

/**
 * "wait N": a handler that takes N "seconds" of `secondMs` each (an AI call, a slow database), and leaves a
 * file named "done-N" in `done` as it returns, so the test knows when to ask again; anything else is echoed.
 */
function serve(secondMs: number, extra: { env?: Record<string, string>; wechatTimings?: { timeoutMs: number; retryHoldMs: number } } = {}): Promise<DevHandle> {
  const project = makeProject(`import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRouter } from ${JSON.stringify(join(repoRoot, 'src/index.ts'))};
export default createRouter().on('text', async (m) => {
  const wait = /^wait (\\d+)$/.exec(m.content);
  if (!wait) return 'echo:' + m.content;
  await new Promise((r) => setTimeout(r, Number(wait[1]) * ${secondMs}));
  writeFileSync(join(${JSON.stringify(done)}, 'done-' + wait[1]), '');
  return 'done after ' + wait[1] + ' s';
});
`);
  projects.push(project);
  const env = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_LATE_REPLY: 'retry', PORT: '0', HOST: '127.0.0.1', TUNNEL: 'none', ...extra.env };
  return startDev({ cwd: project.dir, env, logger: memoryLogger(), wechatTimings: extra.wechatTimings });
}

beforeAll(async () => {
  [real, short, browser] = await Promise.all([
    // No WECHAT_REPLY_DEADLINE_MS, no timings: the defaults, as shipped.
    serve(1000),
    // Tries at 0, 1.5 and 3 s; the third answered at 3.5 s; "20 s" of work done at 5 s.
    serve(SHORT.secondMs, { env: { WECHAT_REPLY_DEADLINE_MS: String(SHORT.deadlineMs) }, wechatTimings: { timeoutMs: SHORT.timeoutMs, retryHoldMs: SHORT.retryHoldMs } }),
    launchChromium(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await real?.close();
  await short?.close();
  for (const p of projects) p.remove();
  rmSync(done, { recursive: true, force: true });
});

/** A phone of its own (a context each: a tab behind another would be throttled), as `user`. */
async function chatAs(dev: DevHandle, user: string): Promise<Page> {
  const page = await openPage(await sizedContext(browser, SIZES[0]), `${dev.localUrl}/__wxmp/chat/`);
  page.setDefaultTimeout(30_000);
  await page.selectOption('#user', user);
  return page;
}

async function say(page: Page, content: string): Promise<void> {
  await page.fill('#input', content);
  await page.click('#send');
}

// A short wait for the element, so a poll retries (and reports what it saw) rather than hanging on a bubble that never comes.
const lastBubble = (page: Page) => page.locator('.row.bot .bubble').last().textContent({ timeout: 1000 }).catch(() => null);
const lastTries = (page: Page) => page.locator('.tries').last().textContent();

async function tries(dev: DevHandle, content: string): Promise<Array<string | undefined>> {
  const exchanges = (await (await fetch(`${dev.localUrl}/__wxmp/api/exchanges`, { signal: AbortSignal.timeout(5000) })).json()) as Array<{ content: string; dedup?: string }>;
  return exchanges.filter((s) => s.content === content).map((s) => s.dedup).reverse();
}

describe.concurrent('the chat page, WECHAT_LATE_REPLY=retry, real Chromium', () => {
  it("7 s handler at WeChat's timing: the reply on the second try", async ({ expect }) => {
    const wait = <T>(fn: () => T | Promise<T>) => pollOn(expect)(fn, { timeout: 30_000 });
    const seven = await chatAs(real, 'oWxmpEmulatorUser00000000002');
    await say(seven, 'wait 7');
    // The first try gets no answer; the phone shows nothing until WeChat's copy ≈5 s later is answered with the reply.
    await wait(() => lastBubble(seven)).toBe('done after 7 s');
    expect(await lastTries(seven)).toBe('try 1: timeout · try 2: 200 (joined)');
    // Never "该公众号提供的服务出现故障", and the handler ran once.
    expect(await seven.locator('.error').count()).toBe(0);
    expect(await tries(real, 'wait 7')).toEqual(['first', 'joined']);
  }, 60_000);

  it('"20 s" handler (shorter timings): the hint on the third try, and the reply on "继续"', async ({ expect }) => {
    const wait = <T>(fn: () => T | Promise<T>) => pollOn(expect)(fn, { timeout: 30_000 });
    const twenty = await chatAs(short, 'oWxmpEmulatorUser00000000003');
    await say(twenty, 'wait 20');
    // Three tries (0, ≈1.5, ≈3 s): the third is answered in time with the hint, so the phone shows no error.
    await wait(() => lastBubble(twenty)).toBe('正在处理，请稍后回复「继续」查看');
    expect(await lastTries(twenty)).toBe('try 1: timeout · try 2: timeout · try 3: 200 (joined)');
    // The user asks at once: still working, a valid answer.
    await say(twenty, '继续');
    await wait(() => lastBubble(twenty)).toBe('还在处理中，请稍后再回复「继续」');
    // Once the handler is done, "继续" gets its reply.
    await wait(() => existsSync(join(done, 'done-20'))).toBe(true);
    await say(twenty, '继续');
    await wait(() => lastBubble(twenty)).toBe('done after 20 s');
    // Fetched once: the next "继续" is an ordinary message for the bot.
    await say(twenty, '继续');
    await wait(() => lastBubble(twenty)).toBe('echo:继续');
    expect(await twenty.locator('.error').count()).toBe(0);
    expect(await tries(short, 'wait 20')).toEqual(['first', 'joined', 'joined']);
    await screenshot(twenty, 'chat-late-retry-phone');
  }, 60_000);
});
