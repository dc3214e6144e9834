/**
 * Which tunnel `npm run dev` opens: through the user's own deploy server over
 * ssh when DEPLOY_DEV_DOMAIN is set (or TUNNEL=ssh), localtunnel otherwise
 * (or TUNNEL=localtunnel), none with TUNNEL=none. Settings are checked here,
 * before anything is opened.
 */
import type { Env } from '../config.js';
import type { DeployConfig } from '../deploy/config.js';
import { parseDeployHosts } from '../deploy/hosts.js';
import { devPublicOrigin } from '../deploy/templates.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../server/logger.js';
import { SshTunnel, type SshTunnelOptions } from './ssh-tunnel.js';
import { checkTunnelSettings, defaultSubdomain, TunnelKeeper, type TunnelOptions } from './tunnel.js';

/** The chosen route and its checked settings. */
export type TunnelRoute =
  | { kind: 'none' }
  | { kind: 'localtunnel'; host?: string; subdomain: string }
  | { kind: 'ssh'; deploy: DeployConfig; publicUrl: string };

/** What both keepers offer the dev server. */
export type PublicTunnel = TunnelKeeper | SshTunnel;

/**
 * @example
 * chooseTunnel({ DEPLOY_HOST: 'example.com', DEPLOY_DEV_DOMAIN: 'dev.example.com', ... }, cwd) // { kind: 'ssh', publicUrl: 'http://dev.example.com', ... }
 * chooseTunnel({ TUNNEL: 'none' }, cwd) // { kind: 'none' }
 */
export function chooseTunnel(env: Env, cwd: string, packageName?: string): TunnelRoute {
  const asked = env.TUNNEL?.trim().toLowerCase() || undefined;
  if (asked !== undefined && !['none', 'ssh', 'localtunnel'].includes(asked)) {
    throw new ConfigError(`TUNNEL: expected "ssh" (through your deploy server), "localtunnel" or "none", got ${JSON.stringify(env.TUNNEL)}`);
  }
  if (asked === 'none') return { kind: 'none' };
  const devDomain = env.DEPLOY_DEV_DOMAIN?.trim();
  if (asked === 'ssh' || (asked === undefined && devDomain)) {
    if (!devDomain) {
      throw new ConfigError('TUNNEL=ssh: expected DEPLOY_DEV_DOMAIN (the dev host name on your deploy server, e.g. dev.example.com, pointing at it in DNS) beside the DEPLOY_* settings, got nothing; set it in .env and run `wxmp deploy setup` once');
    }
    let deploy: DeployConfig;
    try {
      // With several servers in DEPLOY_HOST: DEPLOY_DEV_HOST, else the first.
      deploy = parseDeployHosts(env).dev.config;
    } catch (error) {
      throw new ConfigError(`the ssh tunnel uses the deploy settings, and they are not complete (or set TUNNEL=localtunnel):\n${(error as Error).message}`, { cause: error });
    }
    return { kind: 'ssh', deploy, publicUrl: devPublicOrigin(deploy) };
  }
  const lt = { host: env.TUNNEL_HOST?.trim() || undefined, subdomain: env.TUNNEL_SUBDOMAIN?.trim() || defaultSubdomain(cwd, packageName) };
  checkTunnelSettings(lt);
  return { kind: 'localtunnel', ...lt };
}

/** Tunnel timings (tests make them short). */
export type TunnelTimings = Pick<TunnelOptions, 'openTimeoutMs' | 'probeIntervalMs' | 'probeTimeoutMs' | 'maxBackoffMs'> & Pick<SshTunnelOptions, 'aliveIntervalS' | 'aliveCountMax'>;

/**
 * The keeper for `route`, not started yet.
 *
 * @example
 * const tunnel = openTunnel(route, { localPort: 4001, cwd, logger, onUrl: console.log });
 * await tunnel?.start();
 */
export function openTunnel(route: TunnelRoute, options: { localPort: number; cwd: string; logger: Logger; onUrl: (url: string) => void; timings?: TunnelTimings }): PublicTunnel | undefined {
  const { aliveIntervalS, aliveCountMax, ...lt } = options.timings ?? {};
  if (route.kind === 'ssh') {
    return new SshTunnel({ config: route.deploy, publicUrl: route.publicUrl, localPort: options.localPort, cwd: options.cwd, logger: options.logger, onUrl: options.onUrl, aliveIntervalS, aliveCountMax, maxBackoffMs: lt.maxBackoffMs });
  }
  if (route.kind === 'localtunnel') {
    return new TunnelKeeper({ ...lt, host: route.host, subdomain: route.subdomain, localPort: options.localPort, logger: options.logger, onUrl: options.onUrl });
  }
  return undefined;
}
