/**
 * The inspector as a user drives it, in real Chromium at phone (390×844) and
 * desktop (1280×800) sizes, every behaviour at both: WeChat's verdict (also in
 * the JSON log), the list's tools, the detail, replay with edits, "copy as
 * wxmp send" through the clipboard, keyboard use with a visible focus ring,
 * and an accessibility scan in both languages. The chat page is in
 * chat-page.test.ts, a restart with both open in pages-restart.test.ts, the
 * late-reply modes in pages-late.test.ts. Page-side code is passed as
 * strings, so the test compiles without the DOM typings. Screenshots go to
 * reports/screenshots/ (git-ignored) for a reviewer.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand } from '../../src/emulator/send-command.js';
import { PHONE_ERROR } from '../../src/emulator/judge.js';
import { CREDS, SIZES, inspectorRow as row, keyboardStops, launchChromium, localPoll, openPage, release, postText, sizedContext, startPagesDev, withClipboard, type PagesDev, type Size } from './support/harness.js';
import { screenshot, seriousViolations } from './support/pages.js';
import { http } from './support/project.js';

const MAX = 12;
let browser: Browser;

beforeAll(async () => { browser = await launchChromium(); }, 60_000);
afterAll(() => browser?.close());

// The sizes run side by side, each with a dev server of its own (so each starts from an empty inspector); the tests of a size run in order.
describe.concurrent.each(SIZES)('inspector at $name size ($width×$height)', (size: Size) => {
  const phone = size.name === 'phone';
  const poll = localPoll();
  let server: PagesDev;
  let dev: PagesDev['dev'];
  let context: BrowserContext;
  const post = (content: string) => postText(dev, content);
  const logged = (pattern: RegExp) => server.logged(pattern, poll);
  const open = (path = '/__wxmp') => openPage(context, `${dev.localUrl}${path}`);
  /** On a phone the detail replaces the list: back to it (on a desktop both are shown). */
  const back = async (page: Page) => {
    if (phone) await page.click('#back');
    await page.locator('#list').waitFor();
  };
  beforeAll(async () => {
    server = await startPagesDev({ maxExchanges: MAX });
    dev = server.dev;
    context = await sizedContext(browser, size, { clipboardFor: dev.localUrl });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it.sequential('judges every exchange as WeChat would: rejected replies red with the phone\'s text and the reason (in the JSON log too); a late reply linked to its message', async () => {
    for (const content of ['hello', 'news2', 'long', 'boom', 'slow']) expect((await post(content)).status).toBe(200);
    const page = await open('/__wxmp/');
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
    expect(await page.locator('#list').isVisible()).toBe(!phone);
    await back(page);
    expect(await row(page, 'boom').getAttribute('class')).toContain('error');
    // The late reply has its own row, linked both ways.
    const late = page.locator('#list tr', { hasText: 'late reply' });
    await late.click();
    await poll(() => page.locator('#detail').innerText()).toContain('sent as a customer-service message');
    expect(await page.locator('#detail').innerText()).toContain('late hello');
    await page.locator('#detail a', { hasText: /-/ }).first().click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^text · \d\d:\d\d:\d\d$/);
    expect(await page.locator('#detail').innerText()).toContain('success: the handler missed the deadline');
    await page.locator('#detail a', { hasText: 'open entry' }).click();
    await poll(() => page.locator('#detail h2').textContent()).toMatch(/^late reply/);
    expect(await page.locator('#detail').innerText()).toMatch(/Delay\s+\d+ ms/);
    // The request log's JSON line carries the same verdict.
    const lines = () => readFileSync(join(server.project.dir, '.wxmp', 'logs', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { message?: { content?: string }; verdict?: unknown; time: number });
    await poll(() => lines().filter((l) => l.message?.content === 'news2').length).toBeGreaterThan(0);
    const news2 = lines().filter((l) => l.message?.content === 'news2').at(-1)!;
    expect(news2.verdict).toMatchObject({ ok: false, kind: 'invalid', phone: PHONE_ERROR, reason: expect.stringContaining('1 article') });
    expect(lines().filter((l) => l.message?.content === 'hello').at(-1)!.verdict).toEqual({ ok: true, kind: 'reply' });
    release(page);
  }, 90_000);

  it.sequential('shows columns, the message and reply first, folded raw parts with pretty XML, headers and the source address; searches, filters, exports', async () => {
    const page = await open();
    expect(await page.locator('thead th').allTextContents()).toEqual(['Time', 'Type', 'Content', 'Reply', 'Duration', 'Mode']);
    // A phone keeps time, type, content and reply in view.
    expect(await page.locator('thead th:visible').count()).toBe(phone ? 4 : 6);
    const hello = row(page, 'hello');
    expect(await hello.locator('td').allTextContents()).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d$/), 'text', 'hello', 'echo:hello', expect.stringMatching(/ ms$/), 'safe']);
    // Times are never cut off, at either size.
    expect(await page.evaluate(`[...document.querySelectorAll('#list td:first-child')].filter((c) => {
      const text = document.createRange();
      text.selectNodeContents(c);
      const cs = getComputedStyle(c);
      return text.getBoundingClientRect().width > c.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) + 0.5;
    }).length`)).toBe(0);
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
    await screenshot(page, `inspector-${size.name}-detail`);
    await back(page);

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
    await screenshot(page, `inspector-${size.name}`);
    release(page);
  }, 90_000);

  it.sequential('works by keyboard alone with a visible focus ring; replays with edits and as recorded; copies a working `wxmp send` command', async () => {
    const page = await open();
    // Every stop Tab reaches shows a ring: links, the language switch, search, filters, buttons, the list's row.
    const stops = await keyboardStops(page);
    expect(stops.map((s) => s.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^button#lang/), 'input#q', 'select#ftype', 'select#fstatus', expect.stringMatching(/^button#clear/), expect.stringMatching(/^button#export/), expect.stringMatching(/^tr\[/)]));
    expect(stops.filter((s) => !s.visible), JSON.stringify(stops)).toEqual([]);
    const first = page.locator('#list tr[tabindex="0"]');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    expect(await page.evaluate('document.activeElement?.closest("tr")?.rowIndex')).toBe(1);
    await page.keyboard.press('End');
    expect(await page.evaluate('document.activeElement?.innerText')).toContain('hello');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#detail [data-command]').count()).toBe(1);
    expect(await page.locator('#side').isVisible()).toBe(!phone);
    // The detail's controls show the ring too: Replay, Copy, the folded parts, the edit fields.
    const detailStops = (await keyboardStops(page, 80)).filter((s) => !/#(lang|q|ftype|fstatus|clear|export)\b|^a |^tr\[/.test(s.what));
    expect(detailStops.map((s) => s.what)).toEqual(expect.arrayContaining([expect.stringMatching(/"Replay"$/), expect.stringMatching(/"Copy as wxmp send"$/), expect.stringMatching(/^summary/), 'input#edit-text']));
    expect(detailStops.filter((s) => !s.visible), JSON.stringify(detailStops)).toEqual([]);

    // Copy as `wxmp send ...`: the clipboard holds a command a shell splits into a working send.
    const copied = await withClipboard(async () => {
      await page.locator('#detail [data-command]').click();
      await poll(() => page.locator('#detail p[role=status]').textContent()).toMatch(/^Copied to the clipboard/);
      return (await page.evaluate('navigator.clipboard.readText()')) as string;
    });
    expect(copied).toMatch(new RegExp(`^npx wxmp send text hello --mode safe --user oInspect --port ${dev.port}$`));
    const words = spawnSync('sh', ['-c', `set -- ${copied.replace(/^npx wxmp send /, '')}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
    expect(words).toEqual(['text', 'hello', '--mode', 'safe', '--user', 'oInspect', '--port', String(dev.port)]);
    const out: string[] = [];
    expect(await sendCommand(words, { cwd: server.project.dir, env: CREDS, stdout: (t) => out.push(t) })).toBe(0);
    expect(out.join('')).toContain('echo:hello');

    if (phone) await screenshot(page, 'inspector-phone-open');
    await page.locator('#detail summary', { hasText: 'Edit and replay' }).click();
    const area = page.locator('#edit-xml');
    await area.fill((await area.inputValue()).replace('<![CDATA[hello]]>', `<![CDATA[edited by hand on ${size.name}]]>`));
    await page.locator('form:has(#edit-xml) button[type=submit]').click();
    await poll(() => page.locator('#detail').innerText()).toContain('Replayed with the current code: status 200');
    expect(await page.locator('#detail').innerText()).toContain(`echo:edited by hand on ${size.name}`);
    await logged(new RegExp(`\\[safe\\] oInspect: text "edited by hand on ${size.name}" → text "echo:edited by hand on ${size.name}"`));
    // The quick edit: the text alone; a quote in it survives the copied command's quoting.
    await page.fill('#edit-text', `it's ${size.name}`);
    await page.locator('form:has(#edit-text) button[type=submit]').click();
    await logged(new RegExp(`\\[safe\\] oInspect: text "it's ${size.name}" → text "echo:it's ${size.name}"`));
    await poll(() => page.locator('#detail').innerText()).toContain(`echo:it's ${size.name}`);
    const quoted = await withClipboard(async () => {
      await page.locator('#detail [data-command]').click();
      await poll(async () => page.evaluate('navigator.clipboard.readText()')).toContain(`'it'\\''s ${size.name}'`);
      return (await page.evaluate('navigator.clipboard.readText()')) as string;
    });
    const split = spawnSync('sh', ['-c', `set -- ${quoted.replace(/^npx wxmp send /, '')}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' }).stdout.split('\0');
    expect(split[1]).toBe(`it's ${size.name}`);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#side').isVisible()).toBe(true);
    // Escape hands focus back to the row it came from.
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('TR');
    expect(await page.locator('#list tr.replayed').count()).toBe(2);
    release(page);
  }, 120_000);

  it.sequential('keeps as many rows as the server, and clears both', async () => {
    const page = await open();
    for (let i = 0; i < MAX; i++) await post(`bulk ${i}`);
    await poll(() => page.locator('#list td:nth-child(3)').first().textContent()).toBe(`bulk ${MAX - 1}`);
    expect(await page.locator('#list tr').count()).toBe(MAX);
    await page.click('#clear');
    await poll(() => page.locator('#list tr').count()).toBe(0);
    expect(JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body)).toEqual([]);
    release(page);
  }, 90_000);

  it.sequential('has no serious or critical axe violations, list and detail, in English and in Chinese, and switches language', async () => {
    await post('for the scan');
    await post('news2');
    const page = await open();
    for (const lang of ['en', 'zh-CN']) {
      if (lang === 'zh-CN') {
        await page.click('#lang');
        expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
        expect(await page.locator('#lang').textContent()).toBe('English');
        expect(await page.locator('#clear').textContent()).toBe('清空');
      } else expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      // On a phone the list and the detail are two screens: both are scanned (the list's words in one language suffice).
      if (phone && lang === 'en') expect(await seriousViolations(page), `list in ${lang}`).toEqual([]);
      await row(page, 'news2').click();
      await page.locator('#detail details').first().waitFor();
      expect(await seriousViolations(page), `${phone ? 'detail' : 'list and detail'} in ${lang}`).toEqual([]);
      if (lang === 'zh-CN') {
        expect(await page.locator('#detail .verdict.bad').innerText()).toContain('微信拒绝这个回复');
        await screenshot(page, `inspector-${size.name}-zh`);
      }
      await back(page);
    }
    await page.click('#lang');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    release(page);
  }, 120_000);

  it.sequential('defaults to the browser\'s language', async () => {
    const zh = await sizedContext(browser, size, { locale: 'zh-CN' });
    try {
      const page = await openPage(zh, `${dev.localUrl}/__wxmp`);
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      expect(await page.locator('body').innerText()).toContain('清空');
    } finally {
      await zh.close();
    }
  }, 60_000);

  it.sequential('answers /__wxmp/ with the page and an unknown dev path with a useful 404', async () => {
    const slash = await http(`${dev.localUrl}/__wxmp/`);
    expect(slash.status).toBe(200);
    expect(slash.body).toContain('wxmp inspector');
    const unknown = await http(`${dev.localUrl}/__wxmp/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('/__wxmp/chat/');
  });
});

it('the accessibility scan finds serious and critical problems where there are some', async () => {
  // The scans above pass only if they can fail: a page with an unnamed button, an image without alt and grey on white.
  const page = await browser.newPage();
  try {
    await page.setContent('<html lang="en"><head><title>bad</title></head><body><main><img src="data:,"><button></button><p style="color:#ccc;background:#fff">low contrast</p></main></body></html>');
    expect((await seriousViolations(page)).map((v) => v.split(' ')[0])).toEqual(['button-name', 'color-contrast', 'image-alt']);
  } finally {
    await page.close();
  }
}, 30_000);
