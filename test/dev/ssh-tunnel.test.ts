/**
 * The dev tunnel through the user's own server, end to end on this machine:
 * real sshd and nginx on 127.0.0.1 (the deploy tests' fixtures), `wxmp deploy
 * setup` writing the dev block, `npm run dev`'s ssh forward, and WeChat's
 * requests sent to nginx with the dev host name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname, tmpdir, userInfo } from 'node:os';
import { createServer as createNetServer, connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config.js';
import { parseDeployConfig, type DeployConfig } from '../../src/deploy/config.js';
import { setup } from '../../src/deploy/setup.js';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { SshTunnel } from '../../src/dev/ssh-tunnel.js';
import { chooseTunnel } from '../../src/dev/tunnel-route.js';
import { verifyCallback } from '../../src/dev/verify.js';
import { parseXml } from '../../src/wechat/xml.js';
import { freePort, startNginx, startSshd, type Nginx, type Sshd } from '../deploy/support/servers.js';
import { AES_KEY, APP_ID, TOKEN, crypto, wechatPost } from '../helpers/wechat-request.js';
import { echoBot, http, makeProject, memoryLogger, type Project } from './support/project.js';

const tmp = mkdtempSync(join(tmpdir(), 'wxmp-ssh-tunnel-'));
const DEV_DOMAIN = 'localhost'; // resolves here, so `wxmp verify` can reach it by name as WeChat would
let sshd: Sshd;
let nginx: Nginx;
let production: Server;
let httpPort: number;
let deployEnv: Env;
let config: DeployConfig;
let project: Project;
let dev: DevHandle;
const logger = memoryLogger();

const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser9]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

/** A request to nginx for `host`, as WeChat's servers send it. */
const viaNginx = (host: string, path: string, options: { method?: string; body?: string; timeoutMs?: number } = {}) =>
  http(`http://127.0.0.1:${httpPort}${path}`, { timeoutMs: 5000, ...options, headers: { host: `${host}:${httpPort}` } });

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, lines = logger.lines): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms; log:\n${lines.slice(-8).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tunnelOptions = { maxBackoffMs: 1000 };

beforeAll(async () => {
  sshd = await startSshd(join(tmp, 'ssh'), { good: '' });
  nginx = await startNginx(join(tmp, 'nginx'));
  httpPort = await freePort();
  const appPort = await freePort();
  production = createServer((req, res) => res.end(`production app: ${req.url}`));
  await new Promise<void>((resolve) => production.listen(appPort, '127.0.0.1', resolve));
  deployEnv = {
    DEPLOY_HOST: '127.0.0.1',
    DEPLOY_USER: userInfo().username,
    DEPLOY_SSH_PORT: String(sshd.port),
    DEPLOY_SSH_KEY: sshd.keys.good!,
    DEPLOY_SSH_KNOWN_HOSTS: sshd.knownHosts,
    DEPLOY_PATH: join(tmp, 'server', 'app'),
    DEPLOY_DOMAIN: 'wx.test.local',
    DEPLOY_DEV_DOMAIN: DEV_DOMAIN,
    DEPLOY_DEV_PORT: String(await freePort()),
    DEPLOY_APP_PORT: String(appPort),
    DEPLOY_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    DEPLOY_SERVICE: 'none',
    DEPLOY_NGINX: nginx.command,
    DEPLOY_NGINX_CONF_DIR: nginx.confDir,
  };
  config = parseDeployConfig(deployEnv);
  project = makeProject(echoBot('dev:'));
}, 60_000);

afterAll(async () => {
  await dev?.close();
  await Promise.all([nginx?.stop(), sshd?.stop()]);
  production?.close();
  project?.remove();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the dev tunnel through your own server (real sshd + nginx)', { timeout: 90_000 }, () => {
  // ssh round trips are slow on a loaded 2-core machine (seconds each): setup gets room.
  it('wxmp deploy setup writes the dev block beside production\'s, and nginx -t accepts it', { timeout: 300_000 }, async () => {
    let out = '';
    await setup({ config, out: { write: (t: string) => { out += t; } } });
    expect(out).toMatch(/✓ nginx .*wxmp-dev\.conf written; nginx -t ok, reloaded .*dev tunnel localhost → 127\.0\.0\.1:\d+/);
    const block = readFileSync(join(nginx.confDir, 'wxmp-dev.conf'), 'utf8');
    expect(block).toContain(`server_name ${DEV_DOMAIN};`);
    expect(block).toContain(`server 127.0.0.1:${config.devPort} max_fails=0;`);
    expect(block).toMatch(/location \^~ \/__wxmp {\n\s+return 404;/);
    expect(block).toContain('access_log off;');
    expect(readFileSync(join(nginx.confDir, 'wxmp.conf'), 'utf8')).not.toContain(DEV_DOMAIN);
    expect(execFileSync('/bin/sh', ['-c', `${nginx.command} -t 2>&1`]).toString()).toMatch(/test is successful/);
  });

  it('with no dev server connected, the dev host name answers 503 at once with a line saying why; production is untouched', async () => {
    const down = await viaNginx(DEV_DOMAIN, '/?signature=x');
    expect(down.status).toBe(503);
    expect(down.body).toBe(`wxmp dev tunnel: no dev server is connected to ${DEV_DOMAIN}; start it with \`npm run dev\` (TUNNEL=ssh) on your machine\n`);
    expect((await viaNginx('wx.test.local', '/x')).body).toBe('production app: /x');
  });

  it('npm run dev picks the ssh route from DEPLOY_DEV_DOMAIN and prints the public URL', async () => {
    dev = await startDev({ cwd: project.dir, env: { ...deployEnv, WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: '0' }, logger, tunnel: tunnelOptions, tunnelWaitMs: 60_000 });
    const url = `http://${DEV_DOMAIN}:${httpPort}`;
    expect(dev.publicUrl).toBe(url);
    expect(logger.lines).toContainEqual(expect.stringMatching(new RegExp(`ssh tunnel connected: ${url} \\(.*@127\\.0\\.0\\.1 port ${config.devPort} → this machine\\)`)));
    expect(logger.lines.join('\n')).toContain(`Public:     ${url}/`);
    // The holder marker names this checkout, for a second dev server to show.
    await until(async () => readFileSync(join(config.path, 'run', 'dev-tunnel.json'), 'utf8').includes(project.dir), 60_000, 'the holder marker');
  });

  it('a signed safe-mode message sent to nginx for the dev host reaches the dev server and gets the bot\'s reply', async () => {
    const { url, body } = wechatPost(text('over ssh'), 'safe');
    const res = await viaNginx(DEV_DOMAIN, url, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(crypto.decrypt(parseXml(res.body).Encrypt as string)).toContain('<![CDATA[dev:over ssh]]>');
    // Production's host still reaches production, with the tunnel up.
    expect((await viaNginx('wx.test.local', '/')).body).toBe('production app: /');
  });

  it('wxmp verify with no argument checks the public URL end to end through the server', async () => {
    const result = await verifyCallback({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN } });
    expect(result.message).toMatch(new RegExp(`^OK: WeChat would accept http://${DEV_DOMAIN}:${httpPort}/ with this Token`));
    expect(result.ok).toBe(true);
  });

  it('the dev pages are never reachable through the tunnel: nginx answers 404 and so would the tunnel listener', async () => {
    for (const path of ['/__wxmp', '/__wxmp/', '/__wxmp/api/exchanges', '/__wxmp/mock-api/cgi-bin/stable_token', '/__wxmp/chat/']) {
      expect((await viaNginx(DEV_DOMAIN, path)).status, path).toBe(404);
      expect((await http(`http://127.0.0.1:${dev.tunnelPort}${path}`)).status, path).toBe(404);
    }
  });

  it('a second dev server on the same port refuses in one line naming the holder, and never takes the URL', async () => {
    const other = makeProject(echoBot('other:'));
    const log = memoryLogger();
    const second = await startDev({ cwd: other.dir, env: { ...deployEnv, WECHAT_TOKEN: TOKEN, PORT: '0' }, logger: log, tunnel: tunnelOptions, tunnelWaitMs: 60_000 });
    try {
      await until(async () => log.lines.some((l) => l.includes('ssh tunnel not connected')), 60_000, 'the refusal', log.lines);
      const refusal = log.lines.filter((l) => l.includes('ssh tunnel not connected'));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]!.split('\n')).toHaveLength(1);
      expect(refusal[0]).toContain(`port ${config.devPort} on 127.0.0.1 is taken by another dev server: ${userInfo().username}@${hostname()} in ${project.dir} (pid ${process.pid}, since `);
      expect(refusal[0]).toContain('give this checkout its own DEPLOY_DEV_PORT and DEPLOY_DEV_DOMAIN');
      expect(second.publicUrl).toBeUndefined();
      const { url, body } = wechatPost(text('still mine?'), 'plaintext');
      expect((await viaNginx(DEV_DOMAIN, url, { method: 'POST', body })).body).toContain('dev:still mine?');
    } finally {
      await second.close();
      other.remove();
    }
  });

  it('heals after sshd is killed with its sessions and restarted: the same URL answers again', async () => {
    const before = logger.lines.length;
    await sshd.crash();
    await until(async () => (await viaNginx(DEV_DOMAIN, '/healthz')).status === 503, 5000, 'the tunnel down');
    // sshd comes back only after the tunnel has tried and failed against the dead server.
    await until(async () => logger.lines.slice(before).some((l) => l.includes('ssh tunnel still down')), 10_000, 'a failed reconnect');
    await sshd.start();
    await until(async () => (await viaNginx(DEV_DOMAIN, '/healthz', { timeoutMs: 2000 })).status === 200, 60_000, 'the same URL answering again');
    expect(logger.lines).toContainEqual(expect.stringMatching(/ssh tunnel lost \(.*\); reconnecting, the URL stays http:\/\/localhost:\d+/));
    expect(logger.lines).toContainEqual(expect.stringMatching(/ssh tunnel back after \d+\.\d s: http:\/\/localhost:\d+/));
    expect(dev.publicUrl).toBe(`http://${DEV_DOMAIN}:${httpPort}`);
    const { url, body } = wechatPost(text('healed'), 'plaintext');
    expect((await viaNginx(DEV_DOMAIN, url, { method: 'POST', body })).body).toContain('dev:healed');
  });

  it('after the dev server stops, the dev host name is back to a fast 503', async () => {
    await dev.close();
    const down = await viaNginx(DEV_DOMAIN, '/healthz');
    expect(down.status).toBe(503);
    expect(down.body).toContain('no dev server is connected');
  });
});

describe('a link that dies without the server noticing (laptop sleep, network change)', { timeout: 120_000 }, () => {
  it('reconnects, finds the port still held by its own dead session, ends that session, and the URL answers again', async () => {
    // A TCP relay to sshd that can go silent in both directions, as a dropped Wi-Fi does: neither side gets a FIN.
    const links: Array<{ freeze(): void }> = [];
    const relay = createNetServer((client) => {
      const upstream = connectTcp(sshd.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      links.push({ freeze: () => { client.unpipe(upstream); upstream.unpipe(client); client.pause(); upstream.pause(); } });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const target = createServer((req, res) => res.end('behind the relay'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const log = memoryLogger();
    const tunnel = new SshTunnel({
      config: { ...config, sshPort: (relay.address() as { port: number }).port },
      localPort: (target.address() as { port: number }).port,
      publicUrl: 'http://dev.example',
      logger: log,
      // Named in the marker, so the wait below sees this tunnel's marker, not the dev server's from above.
      cwd: join(tmp, 'relay-checkout'),
      ...tunnelOptions,
    });
    rmSync(join(config.path, 'run', 'dev-tunnel.json'), { force: true });
    try {
      await tunnel.start();
      expect(tunnel.state).toBe('connected');
      expect((await viaNginx(DEV_DOMAIN, '/')).body).toBe('behind the relay');
      await until(async () => readFileSync(join(config.path, 'run', 'dev-tunnel.json'), 'utf8').includes(JSON.stringify(join(tmp, 'relay-checkout'))), 60_000, 'the holder marker');
      for (const link of links.splice(0)) link.freeze();
      await until(async () => log.lines.some((l) => l.includes('was still held by this dev server\'s dropped connection; freed it')), 60_000, 'the stale session freed', log.lines);
      await until(async () => (await viaNginx(DEV_DOMAIN, '/', { timeoutMs: 2000 })).body === 'behind the relay', 20_000, 'the URL answering again', log.lines);
      expect(log.lines).toContainEqual(expect.stringMatching(/ssh tunnel lost \(.*\); reconnecting/));
      expect(log.lines).toContainEqual(expect.stringMatching(/ssh tunnel back after \d+\.\d s: http:\/\/dev\.example/));
    } finally {
      await tunnel.close();
      relay.close();
      target.close();
    }
  });
});

describe('choosing the tunnel', () => {
  const base = { DEPLOY_HOST: 'example.com', DEPLOY_USER: 'deploy', DEPLOY_PATH: '/srv/wxmp', DEPLOY_DOMAIN: 'wx.example.com' };
  it('ssh when DEPLOY_DEV_DOMAIN is set, https with a certificate; TUNNEL overrides; bad settings are one clear error', () => {
    expect(chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'dev.example.com' }, '/p')).toMatchObject({ kind: 'ssh', publicUrl: 'http://dev.example.com' });
    expect(chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'dev.example.com', DEPLOY_SSL_CERT: '/etc/c.pem', DEPLOY_SSL_KEY: '/etc/k.pem' }, '/p')).toMatchObject({ kind: 'ssh', publicUrl: 'https://dev.example.com' });
    expect(chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'dev.example.com', TUNNEL: 'localtunnel' }, '/p')).toMatchObject({ kind: 'localtunnel' });
    expect(chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'dev.example.com', TUNNEL: 'none' }, '/p')).toEqual({ kind: 'none' });
    expect(chooseTunnel(base, '/p')).toMatchObject({ kind: 'localtunnel' });
    expect(() => chooseTunnel({ ...base, TUNNEL: 'ssh' }, '/p')).toThrow(/TUNNEL=ssh: expected DEPLOY_DEV_DOMAIN .*wxmp deploy setup/);
    expect(() => chooseTunnel({ DEPLOY_DEV_DOMAIN: 'dev.example.com' }, '/p')).toThrow(/the ssh tunnel uses the deploy settings[\s\S]*\n  DEPLOY_HOST: expected/);
    expect(() => chooseTunnel({ TUNNEL: 'frp' }, '/p')).toThrow(/TUNNEL: expected "ssh" .*, "localtunnel" or "none", got "frp"/);
    expect(() => chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'wx.example.com' }, '/p')).toThrow(/DEPLOY_DEV_DOMAIN: expected a host name other than DEPLOY_DOMAIN/);
    expect(() => chooseTunnel({ ...base, DEPLOY_DEV_DOMAIN: 'dev.example.com', DEPLOY_DEV_PORT: '8000' }, '/p')).toThrow(/DEPLOY_DEV_PORT: expected a port other than DEPLOY_APP_PORT/);
  });

  it('an ssh tunnel whose server refuses the key says so and how to fix it, and keeps trying', async () => {
    const log = memoryLogger();
    const tunnel = new SshTunnel({ config: { ...config, sshKey: sshd.keys.refused }, localPort: 1, publicUrl: 'http://x', logger: log, maxBackoffMs: 500 });
    try {
      await tunnel.start();
      expect(tunnel.state).toBe('connecting');
      expect(log.lines[0]).toMatch(/ssh tunnel not connected: ssh to .*@127\.0\.0\.1:\d+ was refused \(.*Permission denied.*\)\. Check DEPLOY_USER and DEPLOY_SSH_KEY/);
    } finally {
      await tunnel.close();
    }
  });
});
