/**
 * What the browser tests of the dev pages share: one Chromium per file with a
 * context per screen size, a dev server per size (the sizes run side by side),
 * signed posts, files to upload, a poll with room for a loaded machine, and the
 * keyboard focus check.
 */
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { beforeEach, expect, type ExpectStatic } from 'vitest';
import { createWechatClient } from '../../../src/api/client.js';
import type { MenuButton } from '../../../src/api/menu-validate.js';
import { MemoryTokenStore } from '../../../src/api/token-store.js';
import { startDev, type DevHandle } from '../../../src/dev/command.js';
import { APP_ID, AES_KEY, TOKEN, wechatPost } from '../../helpers/wechat-request.js';
import { ARGS, CHROMIUM } from './browser.js';
import { DESKTOP, PHONE, pagesBot } from './pages.js';
import { http, makeProject, memoryLogger, type Project } from './project.js';

/** Every behaviour runs at both: describe.each(SIZES). */
export const SIZES = [{ name: 'phone', ...PHONE }, { name: 'desktop', ...DESKTOP }] as const;
export type Size = (typeof SIZES)[number];

export const CREDS = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY };
export const devEnv = (port = '0', extra: Record<string, string> = {}) => ({ ...CREDS, PORT: port, HOST: '127.0.0.1', TUNNEL: 'none', WECHAT_REPLY_DEADLINE_MS: '1000', ...extra });

export const textXml = (content: string, user = 'oInspect') => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

/** A signed, encrypted text message to the dev server, as WeChat sends it; `signed` sends the same try again. */
export function signedText(dev: DevHandle, content: string, user?: string) {
  const { url, body } = wechatPost(textXml(content, user), 'safe');
  return (timeoutMs = 5000) => http(`${dev.localUrl}${url}`, { method: 'POST', body, timeoutMs });
}
export const postText = (dev: DevHandle, content: string, user?: string) => signedText(dev, content, user)();

/** One headless Chromium for a whole file; each size gets its own context (storage, clipboard permission). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}

export async function sizedContext(browser: Browser, size: Size, options: { locale?: string; clipboardFor?: string } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: options.locale ?? 'en-US', acceptDownloads: true });
  if (options.clipboardFor) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.clipboardFor });
  return context;
}

let clipboardQueue: Promise<unknown> = Promise.resolve();
/** Runs `use` alone on the clipboard: the contexts of one Chromium share the system's, and the sizes run side by side. */
export function withClipboard<T>(use: () => Promise<T>): Promise<T> {
  const turn = clipboardQueue.then(use);
  clipboardQueue = turn.catch(() => undefined);
  return turn;
}

const idle = new WeakMap<BrowserContext, Page[]>();

/** Loads `url` in a tab of `context` (one a test released, else a new one) and waits until the page says it is ready. */
export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  // A URL with a #fragment would only scroll a tab already on its page: that one gets a new tab.
  const reused = url.includes('#') ? undefined : idle.get(context)?.pop();
  const page = reused ?? (await context.newPage());
  // A tab behind a newer one is hidden: Chromium throttles its timers and animation frames, which Playwright's clicks wait on.
  if (reused) await page.bringToFront();
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  return page;
}

/**
 * Done with a page from {@link openPage}: the next openPage in its context loads
 * its URL in this tab rather than a new one (a new tab costs a renderer process,
 * about 1 s on a loaded machine). Closed with the context.
 */
export function release(page: Page): void {
  if (page.isClosed()) return;
  const pages = idle.get(page.context()) ?? [];
  pages.push(page);
  idle.set(page.context(), pages);
}

/** expect.poll on `on` (a test's own expect), with room for a loaded machine; a short interval, as most waits are for one round trip. */
export const pollOn = (on: ExpectStatic) => <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => on.poll(fn, { timeout: 15_000, interval: 25, ...options });
export const poll = pollOn(expect);
export type Poll = typeof poll;

/**
 * The same poll on the running test's own expect, for a suite whose tests run
 * in order beside another suite's: the global expect.poll belongs to whichever
 * test started last, and throws once that one has ended. (Tests that run side
 * by side in one suite use pollOn with their context's expect.)
 */
export function localPoll(): Poll {
  let current: ExpectStatic = expect;
  beforeEach((context) => { current = context.expect; });
  return (fn, options = {}) => pollOn(current)(fn, options);
}

export interface PagesDev {
  dev: DevHandle;
  project: Project;
  logger: ReturnType<typeof memoryLogger>;
  /** Waits for a log line matching `pattern`. */
  logged(pattern: RegExp, wait?: Poll): Promise<void>;
  close(): Promise<void>;
}

/** A dev server of its own on a throwaway project (the pages bot by default), its log kept in memory. */
export async function startPagesDev(options: { bot?: string; env?: Record<string, string>; maxExchanges?: number } = {}): Promise<PagesDev> {
  const project = makeProject(options.bot ?? pagesBot());
  const logger = memoryLogger();
  const dev = await startDev({ cwd: project.dir, env: devEnv('0', options.env), logger, maxExchanges: options.maxExchanges }).catch((error: unknown) => {
    project.remove();
    throw error;
  });
  return {
    dev,
    project,
    logger,
    logged: async (pattern, wait = poll) => { await wait(() => logger.lines.some((l) => pattern.test(l))).toBe(true); },
    close: async () => {
      await dev.close();
      project.remove();
    },
  };
}

/** Publishes `button` as the menu of the dev server's mock WeChat API. */
export async function publishMenu(dev: DevHandle, button: MenuButton[]): Promise<void> {
  const client = createWechatClient({ appId: dev.mockApi!.appId, appSecret: dev.mockApi!.appSecret, apiBase: `${dev.localUrl}/__wxmp/mock-api`, tokenStore: new MemoryTokenStore(), timeoutMs: 5000 });
  await client.menu.create({ button });
}

/** The inspector's row whose content is exactly `content`. */
export const inspectorRow = (page: Page, content: string) => page.locator('#list tr', { has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${content}$`) }) });

/**
 * Tabs through the page from the top and describes every stop: what took focus,
 * whether it matches :focus-visible, and its ring (the computed outline, on the
 * visible label for a hidden file input). A stop without a ring is a finding.
 */
export async function keyboardStops(page: Page, max = 60): Promise<Array<{ what: string; ring: string; visible: boolean }>> {
  // Start from the top of the page: a throwaway button before everything else takes focus first.
  await page.evaluate(`(() => { const b = document.createElement('button'); b.id = 'wxmp-test-start'; document.body.prepend(b); b.focus(); })()`);
  const stops: Array<{ what: string; ring: string; visible: boolean }> = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = (await page.evaluate(`(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return null;
      const shown = a.closest('.pick') || a;
      const cs = getComputedStyle(shown);
      const width = parseFloat(cs.outlineWidth) || 0;
      const ring = cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor;
      const clear = /rgba\\(.*, 0\\)$|transparent/.test(cs.outlineColor);
      const what = a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + (a.dataset.id ? '[' + a.dataset.id + ']' : '') + (a.name ? '[name=' + a.name + ']' : '') + (/^(BUTTON|A|SUMMARY|TR)$/.test(a.tagName) ? ' "' + a.textContent.trim().slice(0, 20) + '"' : '');
      return { what, ring, visible: a.matches(':focus-visible') && cs.outlineStyle !== 'none' && width >= 2 && !clear };
    })()`)) as { what: string; ring: string; visible: boolean } | null;
    if (i === 0) await page.evaluate(`document.getElementById('wxmp-test-start').remove()`);
    if (!stop) break;
    if (stops.some((s) => s.what === stop.what)) break;
    stops.push({ what: stop.what, ring: stop.ring, visible: stop.visible });
  }
  return stops;
}

/** A real 40×40 PNG (solid green), for the picture upload. */
export function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(40, 0); ihdr.writeUInt32BE(40, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = Buffer.concat(Array.from({ length: 40 }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(120, Buffer.from([7, 193, 96]))])));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A short AMR-NB file (WeChat's voice format): the magic line and ten silent 12.2 kbit/s frames. */
export function amr(): Buffer {
  const frame = Buffer.alloc(32);
  frame[0] = 0x3c;
  return Buffer.concat([Buffer.from('#!AMR\n'), ...Array.from({ length: 10 }, () => frame)]);
}
