/**
 * Both tunnel keepers against a link that connects and drops at once (a server
 * restarting or evicting the client): they must back off, not reconnect in a
 * loop. The localtunnel server is a stand-in on 127.0.0.1; the ssh client is a
 * fake `ssh` on PATH that reports the forward up, then exits.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../src/deploy/config.js';
import { RetryTimer } from '../../src/dev/retry-timer.js';
import { SshTunnel } from '../../src/dev/ssh-tunnel.js';
import { TunnelKeeper } from '../../src/dev/tunnel.js';
import { memoryLogger } from './support/project.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const listen = <S extends Server | TcpServer>(server: S) => new Promise<S>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
const portOf = (server: Server | TcpServer) => (server.address() as AddressInfo).port;

describe('a tunnel that drops right after connecting', () => {
  it('localtunnel keeper: backs off instead of re-registering in a loop', { timeout: 15_000 }, async () => {
    let registrations = 0;
    // Registers the name, takes the client's socket, then drops it and stops listening.
    const lt = await listen(createServer((req, res) => {
      registrations++;
      const socket = createTcpServer((s) => setTimeout(() => { s.destroy(); socket.close(); }, 20));
      socket.listen(0, '127.0.0.1', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'wxmpflap', port: portOf(socket), max_conn_count: 1, url: `http://wxmpflap.localhost:${portOf(lt)}` }));
      });
    }));
    const local = await listen(createTcpServer((s) => s.on('error', () => {})));
    const logger = memoryLogger();
    const keeper = new TunnelKeeper({ localPort: portOf(local), host: `http://127.0.0.1:${portOf(lt)}`, subdomain: 'wxmpflap', logger, openTimeoutMs: 2000, probeIntervalMs: 60_000 });
    cleanup.push(() => { keeper.close(); lt.closeAllConnections(); lt.close(); local.close(); });
    await keeper.start();
    await new Promise((r) => setTimeout(r, 3000));
    // 500 ms doubling: attempts at about 0, 0.5, 1.5 and 3.5 s. Without backoff it was over 100.
    expect(registrations).toBeGreaterThanOrEqual(2);
    expect(registrations).toBeLessThanOrEqual(5);
    expect(logger.lines).toContainEqual(expect.stringMatching(/tunnel lost \(.*\); reconnecting as "wxmpflap"; it dropped soon after connecting, so the next try waits 0\.5 s/));
  });

  it('ssh tunnel: backs off instead of restarting ssh in a loop', { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-fake-ssh-'));
    const count = join(dir, 'forwards');
    writeFileSync(count, '');
    // The forward (-N) says it is up, then the link dies; the one-off marker commands just succeed.
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\ncase " $* " in *" -N "*) echo x >> '${count}'; echo 'debug1: remote forward success for: listen 127.0.0.1:8009, connect 127.0.0.1:1' >&2; sleep 0.05; exit 255;; esac\ncat >/dev/null\n`);
    chmodSync(join(dir, 'ssh'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    const config = parseDeployConfig({ DEPLOY_HOST: '127.0.0.1', DEPLOY_USER: 'dev', DEPLOY_PATH: '/srv/app', DEPLOY_DOMAIN: 'wx.example.com', DEPLOY_DEV_DOMAIN: 'dev.example.com', DEPLOY_DEV_PORT: '8009' });
    const logger = memoryLogger();
    const tunnel = new SshTunnel({ config, localPort: 1, publicUrl: 'https://dev.example.com', logger });
    cleanup.push(async () => { await tunnel.close(); process.env.PATH = path; rmSync(dir, { recursive: true, force: true }); });
    await tunnel.start();
    await new Promise((r) => setTimeout(r, 3000));
    const forwards = readFileSync(count, 'utf8').split('\n').filter(Boolean).length;
    // 250 ms doubling up to 3 s: about 0, 0.25, 0.75, 1.75 s. Without backoff it was dozens.
    expect(forwards).toBeGreaterThanOrEqual(2);
    expect(forwards).toBeLessThanOrEqual(6);
    expect(logger.lines).toContainEqual(expect.stringMatching(/ssh tunnel lost \(.*\); reconnecting, the URL stays https:\/\/dev\.example\.com; it dropped soon after connecting/));
  });

  it('the backoff starts over only after the link stayed up, or a probe got through', () => {
    const timer = new RetryTimer(500, 30_000, 60_000);
    timer.up();
    expect([timer.lostDelay(), (timer.up(), timer.lostDelay()), (timer.up(), timer.lostDelay())]).toEqual([500, 1000, 2000]);
    timer.up();
    timer.proven();
    expect(timer.lostDelay()).toBe(0);
    expect(timer.nextDelay()).toBe(500);
    const quick = new RetryTimer(500, 30_000, 0);
    quick.up();
    expect(quick.lostDelay()).toBe(0);
  });
});
