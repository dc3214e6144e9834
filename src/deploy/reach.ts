/**
 * Before a deploy to several servers does any work: is sshd answering on each
 * of them? Every host is tried at once, each given DEPLOY_CONNECT_TIMEOUT_MS to
 * accept the TCP connection and send its `SSH-` greeting, so a host that is
 * down, firewalled (packets dropped) or hung costs that long once, not ssh's
 * full timeout after the bundle was built, and every such host is named.
 */
import { connect } from 'node:net';
import { DeployError } from '../errors.js';
import type { DeployHost } from './hosts.js';
import { run } from './ssh.js';

/** Where ssh really connects for `host` (its ~/.ssh/config applied); undefined when it goes through a proxy. */
async function sshEndpoint(host: DeployHost): Promise<{ host: string; port: number } | undefined> {
  const c = host.config;
  const r = await run('ssh', ['-G', '-p', String(c.sshPort), `${c.user}@${c.host}`]).catch(() => undefined);
  if (!r || r.code !== 0) return { host: c.host.replace(/^\[|\]$/g, ''), port: c.sshPort };
  const opt = (name: string) => new RegExp(`^${name} (.*)$`, 'm').exec(r.stdout)?.[1]?.trim();
  // A jump host or proxy command: only ssh itself can tell whether the server answers.
  if ([opt('proxyjump'), opt('proxycommand')].some((v) => v && v !== 'none')) return undefined;
  return { host: (opt('hostname') ?? c.host).replace(/^\[|\]$/g, ''), port: Number(opt('port')) || c.sshPort };
}

/** Resolves to why `host:port` did not greet like sshd within `timeoutMs`, or undefined when it did. */
export function sshGreeting(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let got = '';
    let connected = false;
    const done = (why?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(connected
      ? `the TCP connection opened but no ssh greeting came within ${timeoutMs} ms (sshd hung or overloaded, or not sshd on that port)`
      : `no answer within ${timeoutMs} ms (host down, or a firewall drops the packets)`), timeoutMs);
    socket.once('connect', () => { connected = true; });
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      // RFC 4253 lets a server send other lines before its `SSH-` version line.
      if (/^SSH-/m.test(got)) done();
      else if (got.length > 4096) done(`port ${port} answered, but not as sshd: ${JSON.stringify(got.trim().slice(0, 60))}`);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'Connection refused' : e.code === 'ENOTFOUND' ? `Could not resolve ${host}` : e.message));
    socket.once('close', () => done(connected ? 'Connection closed before the ssh greeting' : 'Connection closed'));
  });
}

/**
 * Tries every host at once; throws one DEPLOY_SSH error naming each host that
 * did not answer, and why.
 *
 * @example
 * await checkReachable(hosts); // host b.example.com: cannot reach deploy@b.example.com:22 (no answer within 5000 ms ...)
 */
export async function checkReachable(hosts: DeployHost[]): Promise<void> {
  const why = await Promise.all(hosts.map(async (h) => {
    const end = await sshEndpoint(h);
    return end ? sshGreeting(end.host, end.port, h.config.connectTimeoutMs) : undefined;
  }));
  const down = hosts.flatMap((h, i) => (why[i] ? [`host ${h.name}: cannot reach ${h.config.user}@${h.config.host}:${h.config.sshPort} (${why[i]})`] : []));
  if (!down.length) return;
  const fix = 'Check DEPLOY_HOST and DEPLOY_SSH_PORT, that sshd runs there and the firewall lets you in (DEPLOY_CONNECT_TIMEOUT_MS sets the wait); nothing was changed';
  throw new DeployError('ssh', `${down.join('\n')}\n${fix}`);
}
