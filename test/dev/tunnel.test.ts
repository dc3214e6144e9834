import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect as connectTcp, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { TunnelKeeper, defaultSubdomain } from '../../src/dev/tunnel.js';
import { probeTarget } from '../../src/dev/tunnel-probe.js';
import { parseXml } from '../../src/wechat/xml.js';
import { APP_ID, AES_KEY, TOKEN, crypto, wechatPost } from '../helpers/wechat-request.js';
import { echoBot, makeProject, memoryLogger } from './support/project.js';
import { freePort, startLtServer, viaTunnel, type LtServer } from './support/lt-server.js';

const project = makeProject(echoBot('tunnel:'));
const logger = memoryLogger();
const sub = `wxmptest-${randomBytes(4).toString('hex')}`;
let lt: LtServer;
let dev: DevHandle;

const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser9]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms; log:\n${logger.lines.slice(-8).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  lt = await startLtServer();
  dev = await startDev({
    cwd: project.dir,
    env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: '0', TUNNEL_HOST: lt.host, TUNNEL_SUBDOMAIN: sub },
    logger,
    headersTimeoutMs: 1000,
    tunnel: { openTimeoutMs: 2000, probeIntervalMs: 300, probeTimeoutMs: 1000, maxBackoffMs: 1000 },
  });
});
afterAll(async () => {
  await dev?.close();
  await lt?.stop();
  project.remove();
});

describe('tunnel (real localtunnel server)', () => {
  it('carries a signed safe-mode message to the bot and the encrypted reply back', async () => {
    expect(dev.publicUrl).toBe(`http://${sub}.localhost`);
    const { url, body } = wechatPost(text('through'), 'safe');
    const res = await viaTunnel(lt, sub, url, { method: 'POST', body });
    expect(res.status).toBe(200);
    const encrypt = parseXml(res.body).Encrypt as string;
    expect(crypto.decrypt(encrypt)).toContain('<![CDATA[tunnel:through]]>');
  });

  it('answers after the sockets sat idle past a header timeout (no 408), where a plain Node listener with that timeout fails', async () => {
    // As shipped, with the tunnel listener's header timeout set to 1 s, against a control: a plain
    // Node server with the same 1 s timeout (any Node server has one: 60 s) behind the same keeper.
    const project = makeProject(echoBot('shipped:'));
    const shippedDev = await startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL_HOST: lt.host, TUNNEL_SUBDOMAIN: `${sub}-shipped` }, logger: memoryLogger(), tunnelHeadersTimeoutMs: 1000, tunnelRequestTimeoutMs: 1000 });
    const plain = createHttpServer({ connectionsCheckingInterval: 250 }, (req, res) => res.end('{"status":"ok"}'));
    plain.headersTimeout = 1000;
    plain.requestTimeout = 1000;
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const naive = new TunnelKeeper({ localPort: (plain.address() as { port: number }).port, host: lt.host, subdomain: `${sub}-naive`, logger: memoryLogger(), openTimeoutMs: 2000, probeIntervalMs: 60_000 });
    try {
      await naive.start();
      for (const name of [`${sub}-shipped`, `${sub}-naive`]) expect((await viaTunnel(lt, name, '/healthz')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2500));
      const statuses = async (name: string) => {
        const out: number[] = [];
        for (let i = 0; i < 5; i++) out.push((await viaTunnel(lt, name, '/healthz')).status);
        return out;
      };
      expect(await statuses(`${sub}-naive`)).toContain(408);
      expect(await statuses(`${sub}-shipped`)).toEqual([200, 200, 200, 200, 200]);
      // The same listener still cuts a request that never completes.
      const partial = await new Promise<string>((resolve, reject) => {
        const socket = connectTcp(shippedDev.tunnelPort, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: x\r\n'));
        let data = '';
        socket.on('data', (d) => { data += d; });
        socket.on('error', () => {});
        socket.on('close', () => resolve(data));
        setTimeout(() => { socket.destroy(); reject(new Error('an incomplete request was still open after 5 s')); }, 5000);
      });
      expect(partial).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      naive.close();
      plain.close();
      plain.closeAllConnections();
      await shippedDev.close();
      project.remove();
    }
  }, 20_000);

  it('localtunnel\'s own client registers through its overridden axios (npm overrides lift the pinned 0.21.4) and carries requests', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const axiosVersion = (require('axios/package.json') as { version: string }).version;
    expect(Number(axiosVersion.split('.')[0])).toBeGreaterThanOrEqual(1);
    const localtunnel = require('localtunnel') as (options: object) => Promise<{ url: string; close(): void }>;
    const tunnel = await Promise.race([
      localtunnel({ port: dev.tunnelPort, host: lt.host, subdomain: `${sub}-axios`, local_host: '127.0.0.1' }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('localtunnel() did not register within 5 s')), 5000)),
    ]);
    try {
      expect(tunnel.url).toBe(`http://${sub}-axios.localhost`);
      expect((await viaTunnel(lt, `${sub}-axios`, '/healthz')).status).toBe(200);
    } finally {
      tunnel.close();
    }
  });

  it('never exposes the inspector or the mock API through the tunnel', async () => {
    for (const path of ['/__wxmp', '/__wxmp/api/exchanges', '/__wxmp/mock-api/cgi-bin/stable_token']) {
      const res = await viaTunnel(lt, sub, path);
      expect(res.status).toBe(404);
    }
  });

  it('answers 502 at once, not after WeChat\'s 5 s, while the bot has no good version loaded', async () => {
    const broken = makeProject('export default 42;\n');
    const brokenSub = `${sub}-broken`;
    const log = memoryLogger();
    const other = await startDev({ cwd: broken.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL_HOST: lt.host, TUNNEL_SUBDOMAIN: brokenSub }, logger: log, tunnel: { openTimeoutMs: 2000 } });
    try {
      expect(log.lines.join('\n')).toMatch(/the new code failed; fix it and save: WeChat gets 502 until then\n.*expected `export default` of a Router/);
      const { url, body } = wechatPost(text('anyone?'), 'plaintext');
      const res = await viaTunnel(lt, brokenSub, url, { method: 'POST', body, timeoutMs: 2000 });
      expect(res.status).toBe(502);
      expect(res.body).toContain('bot not loaded');
    } finally {
      await other.close();
      broken.remove();
    }
  }, 20_000);

  it('heals after the tunnel server is killed and restarted: the same URL answers again within seconds', async () => {
    await lt.stop();
    lt = await startLtServer(lt.port);
    const started = Date.now();
    await until(async () => (await viaTunnel(lt, sub, '/healthz', { timeoutMs: 1000 })).status === 200, 10_000, 'the same URL answering again');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(dev.publicUrl).toBe(`http://${sub}.localhost`);
    expect(logger.lines.some((l) => l.includes('tunnel lost'))).toBe(true);
    expect(logger.lines.some((l) => l.includes(`tunnel back: http://${sub}.localhost`))).toBe(true);
  }, 30_000);
});

describe('tunnel keeper', () => {
  it('gives up a start-up attempt on a server that never answers within the timeout, and keeps retrying', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const log = memoryLogger();
    const keeper = new TunnelKeeper({ localPort: 1, host: `http://127.0.0.1:${port}`, subdomain: 'wxmp-silent', logger: log, openTimeoutMs: 300, maxBackoffMs: 300 });
    try {
      const t = Date.now();
      await keeper.start();
      expect(Date.now() - t).toBeLessThan(2000);
      expect(keeper.state).toBe('connecting');
      expect(log.lines[0]).toMatch(/not connected: cannot reach http:\/\/127\.0\.0\.1:\d+: .*; retrying in 0\.\d s/);
      // What to do when loca.lt cannot be reached (mainland China): the ssh tunnel, TUNNEL_HOST, or none.
      expect(log.lines[0]).toMatch(/Instead: tunnel through your own server \(DEPLOY_DEV_DOMAIN .*\), set TUNNEL_HOST .*, or TUNNEL=none/);
    } finally {
      keeper.close();
      silent.close();
    }
  });

  it('connects once an unreachable server comes up', async () => {
    const port = await freePort();
    const log = memoryLogger();
    const keeper = new TunnelKeeper({ localPort: dev.tunnelPort, host: `http://127.0.0.1:${port}`, subdomain: 'wxmp-late', logger: log, openTimeoutMs: 1000, maxBackoffMs: 300 });
    let late: LtServer | undefined;
    try {
      await keeper.start();
      expect(keeper.state).toBe('connecting');
      late = await startLtServer(port);
      await until(async () => keeper.state === 'connected', 10_000, 'connected');
      expect((await viaTunnel(late, 'wxmp-late', '/healthz')).status).toBe(200);
    } finally {
      keeper.close();
      await late?.stop();
    }
  }, 30_000);

  it('says loudly, with the new URL, when its name is taken and the server hands out another', async () => {
    const holder = new TunnelKeeper({ localPort: dev.tunnelPort, host: lt.host, subdomain: 'wxmp-taken', logger: memoryLogger(), openTimeoutMs: 2000 });
    const log = memoryLogger();
    const urls: string[] = [];
    const keeper = new TunnelKeeper({ localPort: dev.tunnelPort, host: lt.host, subdomain: 'wxmp-taken', logger: log, openTimeoutMs: 2000, maxBackoffMs: 200, onUrl: (u) => urls.push(u) });
    try {
      await holder.start();
      await keeper.start();
      await until(async () => keeper.state === 'connected', 5000, 'connected under another name');
      expect(keeper.url).not.toBe(`http://wxmp-taken.localhost`);
      const warning = log.lines.find((l) => l.includes('the tunnel URL CHANGED'));
      expect(warning).toContain(`New URL: ${keeper.url}`);
      expect(urls).toEqual([keeper.url]);
    } finally {
      keeper.close();
      holder.close();
    }
  }, 15_000);

  it('startDev refuses a bad TUNNEL_SUBDOMAIN before opening anything', async () => {
    const other = makeProject(echoBot('x'));
    try {
      await expect(startDev({ cwd: other.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL_SUBDOMAIN: 'Bad Name' }, logger: memoryLogger() }))
        .rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('TUNNEL_SUBDOMAIN: expected 4-63 lowercase letters') });
    } finally {
      other.remove();
    }
  });

  it('probes a public loca.lt URL directly, and a *.localhost URL through the tunnel server by Host', () => {
    expect(probeTarget('https://wxmp-1a2b3c4d.loca.lt', 'https://localtunnel.me')).toMatchObject({ connectHost: 'wxmp-1a2b3c4d.loca.lt', connectPort: 443 });
    const local = probeTarget('http://mybot.localhost', 'http://localhost:4567');
    expect(local).toMatchObject({ connectHost: '127.0.0.1', connectPort: 4567 });
    expect(local.url.href).toBe('http://mybot.localhost/healthz');
  });

  it('checks names up front and derives a stable default from the project', () => {
    expect(() => new TunnelKeeper({ localPort: 1, subdomain: 'No_Good', logger: memoryLogger() })).toThrow(/TUNNEL_SUBDOMAIN: expected 4-63 lowercase letters.*got "No_Good"/);
    expect(() => new TunnelKeeper({ localPort: 1, subdomain: 'wxmp-ok', host: 'ftp://x', logger: memoryLogger() })).toThrow(/TUNNEL_HOST: expected an http\(s\) origin/);
    const a = defaultSubdomain('/home/me/bot', '@me/My Bot');
    expect(a).toMatch(/^my-bot-[0-9a-f]{8}$/);
    expect(defaultSubdomain('/home/me/bot', '@me/My Bot')).toBe(a);
    expect(defaultSubdomain('/home/me/other', '@me/My Bot')).not.toBe(a);
    expect(defaultSubdomain('/home/me/bot', '@me/My Bot', 'another-laptop')).not.toBe(a);
  });
});
