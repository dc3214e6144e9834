/**
 * The dev tunnel through the user's own deploy server: the system `ssh`
 * binds DEPLOY_DEV_PORT on the server's loopback (`-R`) and forwards it to
 * the dev server's tunnel listener; nginx there serves DEPLOY_DEV_DOMAIN from
 * that port. Nothing new to install or open on the server, and it works where
 * loca.lt does not (mainland China). This keeper restarts ssh with a short
 * backoff when the link drops, so the URL never changes, and names whoever
 * holds the port when it is taken instead of stealing it. The ssh command
 * lines are in ssh-forward.ts, the holder marker in ssh-tunnel-holder.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DeployConfig } from '../deploy/config.js';
import { run, sshFailure } from '../deploy/ssh.js';
import type { Logger } from '../server/logger.js';
import { forwardArgs, readForward, sshBaseArgs, sshTarget, type ForwardReport } from './ssh-forward.js';
import { explainHolder, holderScript, markerPath, markerScript } from './ssh-tunnel-holder.js';
import { RetryTimer } from './retry-timer.js';
import type { TunnelState } from './tunnel.js';

/** Options of {@link SshTunnel}. */
export interface SshTunnelOptions {
  /** The DEPLOY_* settings; devPort and path are used here. */
  config: DeployConfig;
  /** The port of the local listener the forward connects to. */
  localPort: number;
  /** What nginx serves, e.g. https://dev.example.com (see devPublicOrigin). */
  publicUrl: string;
  logger: Logger;
  /** Named in the holder marker, so a second dev server can say who has the port. */
  cwd?: string;
  /** ssh's ServerAliveInterval in seconds (a dead link is seen after about interval × countMax). Default 2. */
  aliveIntervalS?: number;
  /** ssh's ServerAliveCountMax. Default 2. */
  aliveCountMax?: number;
  /** Longest wait between attempts. Default 3 s, so a server back up is used within seconds. */
  maxBackoffMs?: number;
  onUrl?: (url: string) => void;
}

/**
 * @example
 * const tunnel = new SshTunnel({ config: parseDeployConfig(env), localPort: 4001, publicUrl: 'https://dev.example.com', logger });
 * await tunnel.start(); // resolves on the first success or failure; keeps retrying after a failure
 * tunnel.url            // https://dev.example.com
 */
export class SshTunnel {
  state: TunnelState = 'connecting';
  url: string | undefined;
  /** The running ssh client's pid (tests kill it). */
  pid: number | undefined;
  private child: ChildProcess | undefined;
  private readonly timer: RetryTimer;
  private lostAt = 0;
  private settle: (() => void) | undefined;
  /** The marker write in flight: close() waits for it, so no write from a closed tunnel lands afterwards. */
  private marking: Promise<unknown> = Promise.resolve();
  /** Marks this dev server in the holder file: a port still held by its own dead connection may be taken back. */
  private readonly id = randomBytes(6).toString('hex');

  constructor(private readonly options: SshTunnelOptions) {
    this.timer = new RetryTimer(250, options.maxBackoffMs ?? 3000);
  }

  /** Resolves after the first attempt, connected or not. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.settle = resolve;
      this.connect();
    });
  }

  private get target(): string {
    return sshTarget(this.options.config);
  }

  private log(line: string): void {
    this.options.logger.info(`wxmp dev: ssh tunnel ${line}`);
  }

  private connect(): void {
    if (this.state === 'closed') return;
    const { config, localPort } = this.options;
    const args = forwardArgs(config, localPort, { intervalS: this.options.aliveIntervalS ?? 2, countMax: this.options.aliveCountMax ?? 2 });
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.pid = child.pid;
    const report = readForward(child.stderr!, () => this.up());
    let failed: Error | undefined;
    child.on('error', (error) => { failed = error; });
    child.on('close', (code) => {
      if (this.child === child) this.child = undefined;
      if (this.state === 'closed') return;
      if (failed) return this.retryLater(`cannot run ssh (${failed.message}): install the OpenSSH client on this machine`);
      void this.ended(report, code);
    });
  }

  private up(): void {
    const first = this.url === undefined;
    this.url = this.options.publicUrl;
    this.state = 'connected';
    this.timer.up();
    if (first) this.log(`connected: ${this.url} (${this.target} port ${this.options.config.devPort} → this machine)`);
    else this.log(`back after ${((Date.now() - this.lostAt) / 1000).toFixed(1)} s: ${this.url}`);
    if (first) this.options.onUrl?.(this.url);
    this.done();
    this.marking = this.remote(markerScript(markerPath(this.options.config.path), this.id, this.options.cwd ?? process.cwd())).catch(() => undefined);
  }

  private async ended({ up, taken, said }: ForwardReport, code: number | null): Promise<void> {
    let reason: string;
    if (taken) {
      reason = await this.holder();
      if (reason === 'freed') {
        this.log(`port ${this.options.config.devPort} was still held by this dev server's dropped connection; freed it, reconnecting`);
        this.timer.schedule(0, () => this.connect());
        return;
      }
    } else if (said.length) {
      reason = sshFailure(this.options.config, said.join('\n')).message;
    } else {
      reason = `ssh exited with code ${code}`;
    }
    if (this.state === 'closed') return;
    if (up) {
      this.state = 'lost';
      this.lostAt = Date.now();
      const delay = this.timer.lostDelay();
      this.log(`lost (${reason}); reconnecting, the URL stays ${this.url}${delay ? `; it dropped soon after connecting, so the next try waits ${(delay / 1000).toFixed(1)} s` : ''}`);
      this.timer.schedule(delay, () => this.connect());
    } else {
      this.retryLater(reason);
    }
  }

  private retryLater(reason: string): void {
    const delay = this.timer.nextDelay();
    if (this.timer.isNewReason(reason)) this.log(`${this.url ? 'still down' : 'not connected'}: ${reason}; retrying every ${(this.timer.maxMs / 1000).toFixed(0)} s at most`);
    this.done();
    this.timer.schedule(delay, () => this.connect());
  }

  private done(): void {
    this.settle?.();
    this.settle = undefined;
  }

  /**
   * Who holds the port, in words; or 'freed' when it was this dev server's own
   * dropped connection, whose session on the server is then ended.
   */
  private async holder(): Promise<string> {
    const { config } = this.options;
    const result = await this.remote(holderScript(markerPath(config.path), config.devPort, this.id)).catch(() => undefined);
    return explainHolder(result?.stdout ?? '', { id: this.id, port: config.devPort, host: config.host });
  }

  private remote(script: string) {
    return run('ssh', [...sshBaseArgs(this.options.config), '-o', 'LogLevel=ERROR', this.target, 'bash -s'], script, undefined, AbortSignal.timeout(10_000));
  }

  /**
   * Stops the forward; resolves once ssh has exited (the server frees the port
   * with it) and the holder marker is no longer being written.
   */
  async close(): Promise<void> {
    this.state = 'closed';
    this.timer.cancel();
    this.done();
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 1000);
        child.once('close', () => { clearTimeout(kill); resolve(); });
        child.kill('SIGTERM');
      });
    }
    await this.marking;
  }
}
