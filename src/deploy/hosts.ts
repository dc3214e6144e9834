/**
 * DEPLOY_HOST as a list of servers. Each entry is `[user@]host[:ssh port]`;
 * the rare host whose folder, app port or nginx differs says so after `?`,
 * URL-style (`b.example.com?path=/opt/wxmp&app_port=8001`). Every host's
 * settings are then checked exactly as a single host's are.
 */
import type { Env } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseDeployConfig, type DeployConfig } from './config.js';

/** One server of the list: a short name for messages and its full settings. */
export interface DeployHost {
  /** `host`, or `host:port` when two entries share a host. */
  name: string;
  config: DeployConfig;
}

/** Every host, and how many may be switched at once during a rolling deploy. */
export interface DeployHosts {
  hosts: DeployHost[];
  /** DEPLOY_ROLLING_LIMIT: hosts switched at the same time, 1 by default. */
  rollingLimit: number;
  /**
   * The host `npm run dev`'s ssh tunnel goes through and the only one whose
   * setup writes the DEPLOY_DEV_DOMAIN block: DEPLOY_DEV_HOST, else the first.
   */
  dev: DeployHost;
}

/** Per-host keys allowed after `?`: the DEPLOY_* name, lower case, without the prefix. */
export const PER_HOST = ['user', 'ssh_port', 'ssh_key', 'ssh_known_hosts', 'path', 'app_port', 'http_listen', 'service', 'nginx', 'nginx_conf_dir', 'systemd_dir'];

const ENTRY = /^(?:([^@?\s]+)@)?(\[[0-9A-Fa-f:]+\]|[^:?@\s[\]]+)(?::(\d+))?(?:\?(.*))?$/;

/**
 * Reads DEPLOY_HOST (one host or several, comma-separated) and
 * DEPLOY_ROLLING_LIMIT. Problems are reported at once, one line each, named
 * by host when they belong to one.
 *
 * @example
 * parseDeployHosts({ ...env, DEPLOY_HOST: 'a.example.com, ops@b.example.com:2222' }).hosts.map((h) => h.name)
 * // ['a.example.com', 'b.example.com']
 */
export function parseDeployHosts(env: Env, options: { checkFiles?: boolean } = {}): DeployHosts {
  const raw = env.DEPLOY_HOST?.trim() ?? '';
  const entries = raw.includes(',') ? raw.split(',').map((e) => e.trim()).filter(Boolean) : [raw];
  const problems: string[] = [];
  const parsed: { entry: string; config?: DeployConfig }[] = [];
  for (const entry of entries) {
    const m = entries.length > 1 || /[@?]|^[^:]+:\d+$/.test(entry) ? ENTRY.exec(entry) : null;
    const hostEnv: Env = { ...env, DEPLOY_HOST: m ? m[2]! : entry };
    if (m?.[1]) hostEnv.DEPLOY_USER = m[1];
    if (m?.[3]) hostEnv.DEPLOY_SSH_PORT = m[3];
    for (const [key, value] of new URLSearchParams(m?.[4] ?? '')) {
      if (PER_HOST.includes(key)) hostEnv[`DEPLOY_${key.toUpperCase()}`] = value;
      else problems.push(`DEPLOY_HOST: ${JSON.stringify(key)} in ${JSON.stringify(entry)} is not a per-host setting; expected one of ${PER_HOST.join(', ')}`);
    }
    try {
      parsed.push({ entry, config: parseDeployConfig(hostEnv, options) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const lines = error.message.split('\n').slice(1).map((l) => l.trim());
      // A shared setting's problem is the same line for every host: say it once.
      for (const line of lines) if (!problems.includes(line)) problems.push(line);
      parsed.push({ entry });
    }
  }
  const rollingRaw = env.DEPLOY_ROLLING_LIMIT?.trim();
  const rollingLimit = rollingRaw === undefined || rollingRaw === '' ? 1 : Number(rollingRaw);
  if (!Number.isInteger(rollingLimit) || rollingLimit < 1) problems.push(`DEPLOY_ROLLING_LIMIT: expected how many hosts may be switched at once, an integer from 1, got ${JSON.stringify(rollingRaw)}`);
  const configs = parsed.flatMap((p) => (p.config ? [p.config] : []));
  const seen = new Set<string>();
  for (const c of configs) {
    const key = `${c.host}:${c.sshPort}:${c.path}`;
    if (seen.has(key)) problems.push(`DEPLOY_HOST: ${c.host}:${c.sshPort} with DEPLOY_PATH ${c.path} is listed twice; expected each server once`);
    seen.add(key);
  }
  if (problems.length) throw new ConfigError(`deploy settings (.env):\n  ${problems.join('\n  ')}`);
  const hosts = configs.map((config) => ({
    name: configs.filter((c) => c.host === config.host).length > 1 ? `${config.host}:${config.sshPort}` : config.host,
    config,
  }));
  const dev = devHost(hosts, env.DEPLOY_DEV_HOST?.trim());
  // DNS sends DEPLOY_DEV_DOMAIN to one server: the others get no dev block.
  for (const h of hosts) if (h !== dev) h.config = { ...h.config, devDomain: undefined };
  return { hosts, rollingLimit, dev };
}

/** DEPLOY_DEV_HOST's host (by its name, address or address:ssh port), else the first. */
function devHost(hosts: DeployHost[], wanted: string | undefined): DeployHost {
  if (!wanted) return hosts[0]!;
  const found = hosts.find((h) => [h.name, h.config.host, `${h.config.host}:${h.config.sshPort}`].includes(wanted));
  if (!found) throw new ConfigError(`deploy settings (.env):\n  DEPLOY_DEV_HOST: expected one of the hosts in DEPLOY_HOST (${hosts.map((h) => h.name).join(', ')}), got ${JSON.stringify(wanted)}`);
  return found;
}
