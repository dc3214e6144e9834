import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuCommand } from '../../src/api/menu-command.js';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { APP_ID, AES_KEY, TOKEN } from '../helpers/wechat-request.js';
import { launchBrowser } from './support/browser.js';
import { echoBot, makeProject, memoryLogger } from './support/project.js';

const project = makeProject(echoBot('v1:'));
const logger = memoryLogger();
let dev: DevHandle;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

beforeAll(async () => {
  dev = await startDev({
    cwd: project.dir,
    env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: '0', HOST: '127.0.0.1', TUNNEL: 'none' },
    logger,
  });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  project.remove();
});

describe('the chat page in the dev server', () => {
  it('is announced at start and linked from the inspector', async () => {
    expect(logger.lines.join('\n')).toContain(`${dev.localUrl}/__wxmp/chat/`);
    const inspector = await dev.apps.main.request('/__wxmp', {}, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    expect(await inspector.text()).toContain('/__wxmp/chat');
  });

  it('talks to the running bot in safe mode (real Chromium): type a message, see the echo', async () => {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${dev.localUrl}/__wxmp/chat/`);
    await page.waitForSelector('body[data-ready]', { timeout: 10_000 });
    await page.fill('#input', '你好');
    await page.click('#send');
    await expect.poll(() => page.locator('.row.bot .bubble').last().textContent(), { timeout: 10_000 }).toBe('v1:你好');
    // One account: no account picker.
    expect(await page.locator('#account').isVisible()).toBe(false);
    expect(logger.lines.some((l) => l.includes('[safe]') && l.includes('"你好"'))).toBe(true);
  }, 60_000);

  it('shows a menu that `wxmp menu push` published, with no AppSecret, to the dev server\'s mock API', async () => {
    const file = join(project.dir, 'menu.json');
    writeFileSync(file, JSON.stringify({ button: [{ type: 'click', name: '今日', key: 'TODAY' }] }));
    const printed: string[] = [];
    expect(await menuCommand({ action: 'push', file, cwd: project.dir, env: {}, out: (t) => printed.push(t) })).toBe(0);
    expect(printed.join('')).toContain(`offline mock WeChat API at ${dev.localUrl}/__wxmp/mock-api`);
    expect(dev.mockApi?.menu).toEqual({ button: [{ type: 'click', name: '今日', key: 'TODAY' }] });
    const page = await browser!.context.newPage();
    await page.goto(`${dev.localUrl}/__wxmp/chat/`);
    await expect.poll(() => page.locator('#menu button').allTextContents(), { timeout: 10_000 }).toEqual(['今日']);
  }, 30_000);

  it('is not part of what the tunnel serves', async () => {
    const res = await dev.apps.tunnel.request('/__wxmp/chat/');
    expect(res.status).toBe(404);
  });
});

describe('dev panels', () => {
  it('refuses a panel path that is taken or not one segment, naming what is expected', async () => {
    const { createDevApps } = await import('../../src/dev/apps.js');
    const { Hono } = await import('hono');
    const { createRouter } = await import('../../src/wechat/router.js');
    const { parseServerConfig } = await import('../../src/config.js');
    const config = parseServerConfig({ WECHAT_TOKEN: TOKEN });
    const app = new Hono();
    const make = (paths: string[]) => () => createDevApps({ config, router: createRouter(), panels: paths.map((path) => ({ path, app })) });
    expect(make(['chat', 'chat'])).toThrow(/expected each path once, got "chat" twice/);
    expect(make(['a/b'])).toThrow(/expected one lowercase path segment/);
    expect(make(['mock-api'])).toThrow(/other than "api", "mock-api" and "mock-api-<account>"/);
    // Where a further account's own mock is mounted.
    expect(make(['mock-api-shop'])).toThrow(/other than "api", "mock-api" and "mock-api-<account>"/);
    expect(make(['notes'])).not.toThrow();
  });
});
