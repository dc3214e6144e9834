/**
 * Late replies in the inspector under each WECHAT_LATE_REPLY mode, in real
 * Chromium at phone and desktop sizes: each shown as its own entry linked to
 * the message it answers, with its content, delay and delivery result (kf:
 * sent as a customer-service message; retry: returned on WeChat's retry or on
 * "继续"; off: dropped). A bot's "gate NAME" handler answers once the test
 * opens the gate, so no timing is guessed. The retry server has a real
 * AppSecret (its API is the kf server's mock), so its chat has no mock to host
 * pictures: the page asks for a picture URL instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevHandle } from '../../src/dev/command.js';
import { APP_ID } from '../helpers/wechat-request.js';
import { SIZES, launchChromium, localPoll, openPage, release, postText, signedText, sizedContext, startPagesDev, type PagesDev, type Size } from './support/harness.js';
import { pagesBot, screenshot } from './support/pages.js';

const gates = mkdtempSync(join(tmpdir(), 'wxmp-gates-'));
const open = (name: string) => writeFileSync(join(gates, name), '');
const started: PagesDev[] = [];
const servers: Record<'kf' | 'retry' | 'off', DevHandle> = {} as never;
let browser: Browser;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(env: Record<string, string>): Promise<DevHandle> {
  const server = await startPagesDev({ bot: pagesBot('echo:', { gateDir: gates }), env });
  started.push(server);
  return server.dev;
}

beforeAll(async () => {
  [servers.kf, browser] = await Promise.all([serve({ WECHAT_LATE_REPLY: 'kf' }), launchChromium()]);
  [servers.retry, servers.off] = await Promise.all([
    serve({ WECHAT_LATE_REPLY: 'retry', WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: 'dev-mock-secret', WECHAT_API_BASE: `${servers.kf.localUrl}/__wxmp/mock-api` }),
    serve({ WECHAT_LATE_REPLY: 'off' }),
  ]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  for (const server of started) await server.close();
  rmSync(gates, { recursive: true, force: true });
});

// The sizes run side by side on the same servers: each sends its own texts as its own users, so neither sees the other's held replies.
describe.concurrent.each(SIZES)('late replies in the inspector at $name size ($width×$height)', (size: Size) => {
  const poll = localPoll();
  let context: BrowserContext;
  beforeAll(async () => { context = await sizedContext(browser, size); });
  afterAll(() => context?.close());

  /** Opens the late-reply row of `content` that carries `expected.reply`, checks its entry, then follows its link to the message. */
  async function lateEntry(page: Page, content: string, expected: { reply: string; delivery: RegExp }) {
    const late = page.locator('#list tr', { has: page.locator('td:nth-child(2)', { hasText: 'late reply' }) })
      .filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${content}$`) }) })
      .filter({ has: page.locator('td:nth-child(4)', { hasText: expected.reply }) });
    await poll(() => late.count()).toBe(1);
    expect(await late.getAttribute('class')).toContain('late');
    expect(await late.locator('td:nth-child(4)').innerText()).toContain(expected.reply);
    await late.click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^late reply · \d\d:\d\d:\d\d$/);
    const detail = await page.locator('#detail').innerText();
    expect(detail).toMatch(/Delay\s+\d+ ms/);
    expect(detail).toMatch(new RegExp(`Delivery\\s+${expected.delivery.source}`));
    expect(detail).toContain(expected.reply);
    expect(detail).toContain('Answers the message in');
    const delay = Number(/Delay\s+(\d+) ms/.exec(detail)![1]);
    await page.locator('#detail a', { hasText: /-/ }).first().click();
    return delay;
  }

  it.sequential('kf: sent as a customer-service message', async () => {
    const name = `kf_${size.name}`;
    expect((await postText(servers.kf, `gate ${name}`)).body).toBe('success');
    const page = await openPage(context, `${servers.kf.localUrl}/__wxmp`);
    await sleep(300);
    open(name);
    const delay = await lateEntry(page, `gate ${name}`, { reply: `gated ${name}`, delivery: /sent as a customer-service message/ });
    expect(delay).toBeGreaterThan(1000);
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · /);
    expect(await page.locator('#detail').innerText()).toContain('the reply follows as a customer-service message');
    await page.locator('#detail a', { hasText: 'open entry' }).click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^late reply/);
    release(page);
  }, 60_000);

  it.sequential('retry: returned on WeChat\'s retry, and on "继续" after the last retry', async () => {
    const page = await openPage(context, `${servers.retry.localUrl}/__wxmp`);
    // Two flows at once, by two users. On the second try: the first missed the deadline and is held; the reply is ready when the copy comes.
    // On "继续": not ready by the third try (which tells the user to send 继续), ready later.
    const name = `rt_${size.name}`;
    const parked = `ct_${size.name}`;
    const parkedUser = `oParked_${size.name}`;
    const send = signedText(servers.retry, `gate ${name}`, `oRetry_${size.name}`);
    const again = signedText(servers.retry, `gate ${parked}`, parkedUser);
    const first = send(10_000);
    const tries = [again(10_000)];
    await sleep(1300);
    open(name);
    tries.push(again(10_000));
    const second = await send(10_000);
    expect(second.status).toBe(200);
    expect(second.body).toContain('<Encrypt>');
    await sleep(1300);
    tries.push(again(10_000));
    await sleep(1300);
    open(parked);
    await sleep(200);
    expect((await postText(servers.retry, '继续', parkedUser)).body).toContain('<Encrypt>');
    expect((await first).body).toBe('success');
    const delay = await lateEntry(page, `gate ${name}`, { reply: `gated ${name}`, delivery: /returned on a WeChat retry/ });
    expect(delay).toBeGreaterThan(1000);
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · /);
    expect(await page.locator('#detail').innerText()).toContain('the reply goes back on a WeChat retry, or when the user sends 继续');
    // Held on purpose, not a reply WeChat rejects.
    expect(await page.locator('#detail .verdict').innerText()).toContain('Not answered in time on purpose');
    expect(await page.locator('#list tr.rejected').count()).toBe(0);
    expect(await page.locator('#detail').innerText()).toContain('Its late reply:');
    if (size.name === 'phone') await page.click('#back');
    await lateEntry(page, '继续', { reply: `gated ${parked}`, delivery: /returned when the user sent 继续/ });
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · /);
    expect(await page.locator('#detail').innerText()).toContain(`gate ${parked}`);
    await Promise.all(tries);
    if (size.name === 'phone') await page.click('#back');
    // The third try's answer: the hint, shown as the reply.
    await poll(() => page.locator('#list tr', { hasText: `gate ${parked}` }).filter({ has: page.locator('td:nth-child(4)', { hasText: '请稍后回复「继续」查看' }) }).count()).toBeGreaterThanOrEqual(1);
    await poll(() => page.locator('#list tr', { hasText: `gate ${parked}` }).count()).toBe(3);
    expect(await page.locator('#list tr.rejected').count()).toBe(0);
    await screenshot(page, `inspector-${size.name}-late-retry`);
    release(page);
  }, 90_000);

  it.sequential('off: shown as dropped', async () => {
    const name = `off_${size.name}`;
    expect((await postText(servers.off, `gate ${name}`)).body).toBe('success');
    const page = await openPage(context, `${servers.off.localUrl}/__wxmp`);
    open(name);
    await lateEntry(page, `gate ${name}`, { reply: `gated ${name}`, delivery: /dropped/ });
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · /);
    expect(await page.locator('#detail').innerText()).toContain('its reply is dropped (WECHAT_LATE_REPLY=off)');
    if (size.name === 'phone') await page.click('#back');
    expect(await page.locator('#list tr', { hasText: `gate ${name}` }).first().innerText()).toBeTruthy();
    release(page);
  }, 60_000);

  it.sequential('the chat with no mock API to host files asks for a picture URL, and offers no voice file', async () => {
    const page = await openPage(context, `${servers.retry.localUrl}/__wxmp/chat/`);
    await page.click('#plus');
    await page.click('#more .pick');
    await page.fill('#ask input[name=pictureUrl]', `https://example.com/${size.name}.jpg`);
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toBe(`picture https://example.com/${size.name}.jpg`);
    expect(await page.locator('.row.me img.pic').last().getAttribute('src')).toBe(`https://example.com/${size.name}.jpg`);
    await page.click('#plus');
    await page.click('[data-more=voice]');
    expect(await page.locator('#ask input[name=recognition]').count()).toBe(1);
    expect(await page.locator('#ask input[name=voiceFile]').count()).toBe(0);
    await page.fill('#ask input[name=recognition]', 'no file');
    await page.click('#ask-ok');
    await poll(() => page.locator('.row.bot .bubble').last().textContent()).toMatch(/^heard no file · /);
    release(page);
  }, 60_000);
});
