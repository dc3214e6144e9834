import { networkInterfaces } from 'node:os';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { isLoopback, isLoopbackHost } from '../../src/dev/loopback.js';
import { APP_ID, AES_KEY, TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { launchBrowser } from './support/browser.js';
import { echoBot, http, makeProject, memoryLogger } from './support/project.js';

const project = makeProject(echoBot('v1:'));
const logger = memoryLogger();
let dev: DevHandle;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oInspect]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

beforeAll(async () => {
  const panel = new Hono().get('/', (c) => c.text('notes panel'));
  dev = await startDev({
    cwd: project.dir,
    env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: '0', HOST: '0.0.0.0', TUNNEL: 'none' },
    logger,
    panels: [(ctx) => ({ path: 'notes', title: 'Notes', app: panel.get('/where', (c) => c.json({ localUrl: ctx.localUrl, path: ctx.config.path, mock: ctx.mockApi !== undefined })) })],
  });
});
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  project.remove();
});

describe('inspector page (real Chromium)', () => {
  it('lists a request live, shows its decrypted XML and reply, and replays it against the new code', async () => {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    const local = dev.localUrl;
    expect(local).toBe(`http://127.0.0.1:${dev.port}`);
    await page.goto(`${local}/__wxmp`);
    await page.getByText('No requests yet').waitFor({ timeout: 10_000 });

    const { url, body } = wechatPost(text('inspect me'), 'safe');
    expect((await http(`${local}${url}`, { method: 'POST', body })).status).toBe(200);
    const row = page.locator('#list tr', { hasText: 'inspect me' }).filter({ hasText: 'v1:inspect me' });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByText('Decrypted XML').waitFor({ timeout: 10_000 });
    // Raw and encrypted parts are folded below the message and the reply: unfold them all.
    for (const summary of await page.locator('#detail details summary').all()) await summary.click();
    const detail = await page.locator('#detail').innerText();
    expect(detail.indexOf('inspect me')).toBeLessThan(detail.indexOf('Raw body (as received)'));
    expect(detail).toContain('<Content><![CDATA[inspect me]]></Content>');
    expect(detail).toContain('Raw body (as received)');
    expect(detail).toContain('<Encrypt>');
    expect(detail).toContain('<![CDATA[v1:inspect me]]>');
    expect(detail).toMatch(/Mode\s+safe/);

    project.writeApp(echoBot('v2:'));
    const deadline = Date.now() + 10_000;
    while (!logger.lines.some((l) => l.includes('reloaded src/app.ts'))) {
      if (Date.now() > deadline) throw new Error('no reload');
      await new Promise((r) => setTimeout(r, 50));
    }
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByText('Replayed with the current code: status 200').waitFor({ timeout: 10_000 });
    await page.locator('#list tr', { hasText: '↻' }).filter({ hasText: 'v2:inspect me' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#detail').innerText()).toContain('<![CDATA[v2:inspect me]]>');
    expect(await page.locator('header a', { hasText: 'Notes' }).getAttribute('href')).toBe('/__wxmp/notes');
    expect(await page.locator('header a', { hasText: 'Chat' }).getAttribute('href')).toBe('/__wxmp/chat');
  }, 60_000);
});

describe('dev pages answer this machine only', () => {
  const paths = ['/__wxmp', '/__wxmp/api/exchanges', '/__wxmp/mock-api/cgi-bin/get_api_domain_ip', '/__wxmp/notes', '/__wxmp/chat/'];

  it('mounts a panel built from the running server\'s details', async () => {
    const res = await http(`http://127.0.0.1:${dev.port}/__wxmp/notes/where`);
    expect(JSON.parse(res.body)).toEqual({ localUrl: dev.localUrl, path: '/', mock: true });
  });

  it('refuses a non-loopback peer (unit: the guard reads the socket address)', async () => {
    for (const path of paths) {
      const refused = await dev.apps.main.request(path, {}, { incoming: { socket: { remoteAddress: '192.168.1.20' } } });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('answer this machine only');
      const allowed = await dev.apps.main.request(`http://127.0.0.1${path}`, {}, { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1' } } });
      expect(allowed.status).not.toBe(403);
    }
    const local = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    // DNS rebinding: a foreign name that resolves to 127.0.0.1.
    expect((await dev.apps.main.request('http://evil.example:80/__wxmp/api/exchanges', {}, local)).status).toBe(403);
    // A page on another site posting to the replay button.
    const crossSite = await dev.apps.main.request('http://127.0.0.1/__wxmp/api/exchanges/x/replay', { method: 'POST', headers: { origin: 'https://evil.example' } }, local);
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('a page from https://evil.example may not use');
    // A sandboxed frame or file: page (Origin: null) may not act either, though it may read.
    expect((await dev.apps.main.request('http://127.0.0.1/__wxmp/api/exchanges/x/replay', { method: 'POST', headers: { origin: 'null' } }, local)).status).toBe(403);
    expect((await dev.apps.main.request('http://127.0.0.1/__wxmp/api/exchanges', { headers: { origin: 'null' } }, local)).status).toBe(200);
    expect((await dev.apps.main.request('http://localhost:8080/__wxmp/api/exchanges', { headers: { origin: 'http://localhost:8080' } }, local)).status).toBe(200);
    // The bot itself is for anyone.
    expect((await dev.apps.main.request('http://evil.example/healthz', {}, local)).status).toBe(200);
    expect(isLoopbackHost('[::1]:80')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
    expect(isLoopback('127.0.0.2')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('1127.0.0.1')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });

  it('lets only the dev server\'s own origin (scheme, host and port) press the replay button', async () => {
    const replay = (origin: string) => http(`http://127.0.0.1:${dev.port}/__wxmp/api/exchanges/none/replay`, { method: 'POST', headers: { origin }, timeoutMs: 5000 });
    for (const foreign of ['http://127.0.0.1:1', 'http://evil.localhost', `http://evil.localhost:${dev.port}`, `http://localhost:${dev.port}`, `https://127.0.0.1:${dev.port}`]) {
      const res = await replay(foreign);
      expect(res.status, foreign).toBe(403);
      expect(res.body).toContain(`a page from ${foreign} may not use`);
    }
    // Its own origin gets past the guard (to the inspector, which has no such exchange).
    expect((await replay(`http://127.0.0.1:${dev.port}`)).status).toBe(404);
  });

  it('refuses a real connection from another address of this machine, while the bot still answers it', async () => {
    const address = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(address, 'this test needs a non-loopback IPv4 address on the machine').toBeTruthy();
    for (const path of paths) {
      expect((await http(`http://${address}:${dev.port}${path}`)).status).toBe(403);
      expect((await http(`http://127.0.0.1:${dev.port}${path}`)).status).toBe(200);
    }
    expect((await http(`http://${address}:${dev.port}/healthz`)).status).toBe(200);
  });
});
