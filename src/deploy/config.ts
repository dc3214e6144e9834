import { existsSync } from 'node:fs';
import { isAbsolute, posix } from 'node:path';
import type { Env } from '../config.js';
import { ConfigError } from '../errors.js';

/** Where and how to deploy, from `.env` (DEPLOY_*), validated. */
export interface DeployConfig {
  /** DEPLOY_HOST: the server's name or address. */
  host: string;
  /** DEPLOY_USER: the ssh user that owns DEPLOY_PATH and runs the app. */
  user: string;
  /** DEPLOY_SSH_PORT, 22 by default. */
  sshPort: number;
  /** DEPLOY_SSH_KEY: private key file; ssh's own defaults when unset. */
  sshKey?: string;
  /** DEPLOY_SSH_KNOWN_HOSTS: known_hosts file; ssh's default when unset. */
  knownHosts?: string;
  /** DEPLOY_PATH: absolute base folder on the server (releases/, shared/, current). */
  path: string;
  /** DEPLOY_DOMAIN: the nginx server_name, the domain WeChat calls. */
  domain: string;
  /** DEPLOY_APP_PORT: the app's port on the server, 8000 by default. */
  appPort: number;
  /** DEPLOY_HTTP_LISTEN: nginx's plain HTTP `listen`, `80` by default (WeChat accepts 80 or 443); `ip:port` also works. */
  httpListen: string;
  /** DEPLOY_SSL_CERT / DEPLOY_SSL_KEY: certificate paths on the server; both or neither. */
  sslCert?: string;
  sslKey?: string;
  /** DEPLOY_SERVICE: `systemd` (default) installs a unit; `none` starts the supervisor with setsid. */
  service: 'systemd' | 'none';
  /** DEPLOY_SERVICE_NAME: systemd unit and nginx file name, `wxmp` by default. */
  serviceName: string;
  /** DEPLOY_NGINX: how to run nginx on the server (`nginx` by default; tests add -p/-c). */
  nginx: string;
  /** DEPLOY_NGINX as checked argv words (nginx's path, then only -p/-c/-e with plain paths, or -q). */
  nginxArgs: string[];
  /** DEPLOY_NGINX_CONF_DIR: where the server block goes, /etc/nginx/conf.d by default. */
  nginxConfDir: string;
  /** DEPLOY_SYSTEMD_DIR: where the unit goes, /etc/systemd/system by default. */
  systemdDir: string;
  /** DEPLOY_KEEP: releases kept, 5 by default. */
  keep: number;
  /** DEPLOY_HEALTH_TIMEOUT_MS: how long a new release may take to become healthy. */
  healthTimeoutMs: number;
  /** DEPLOY_CONNECT_TIMEOUT_MS: how long a server may take to show its ssh greeting, 5000 by default. */
  connectTimeoutMs: number;
  /** DEPLOY_DEV_DOMAIN: the dev hostname nginx sends to `npm run dev`'s ssh tunnel; no dev block without it. */
  devDomain?: string;
  /** DEPLOY_DEV_PORT: the server's loopback port the dev tunnel binds, 8001 by default. */
  devPort: number;
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$/;
const USER = /^[a-z_][a-z0-9_-]*\$?$/i;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const NAME = /^[a-z][a-z0-9-]{0,40}$/;
// Paths go into remote shell commands (quoted) and nginx/systemd files: keep them plain.
const SAFE_PATH = /^\/[A-Za-z0-9._\/-]*$/;

// ssh expands %h-style tokens and ${VAR} in key and known_hosts paths and reads quotes in -o values: keep those out.
const LOCAL_PATH = /^[^\x00-\x1f\x7f%$"\\]+$/;
const NGINX_FLAGS_WITH_PATH = new Set(['-p', '-c', '-e']);

/**
 * DEPLOY_NGINX split into argv words, or undefined when it is more than nginx
 * with its own path options: it runs under sudo on the server, so `sh -c id`
 * or `nginx -g '...'` must not pass. A leading `sudo` is dropped (setup adds
 * `sudo -n` itself when DEPLOY_USER is not root).
 *
 * @example
 * nginxArgv('/usr/sbin/nginx -p /srv/ng -c /srv/ng/nginx.conf') // ['/usr/sbin/nginx', '-p', '/srv/ng', '-c', '/srv/ng/nginx.conf']
 * nginxArgv('sh -c id') // undefined
 */
export function nginxArgv(value: string): string[] | undefined {
  const words = value.trim().split(/ +/);
  if (words[0] === 'sudo') words.shift();
  const [binary, ...rest] = words;
  if (!binary || !(binary === 'nginx' || (SAFE_PATH.test(binary) && binary.endsWith('/nginx') && !binary.includes('..')))) return undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-q') continue;
    if (!NGINX_FLAGS_WITH_PATH.has(rest[i]!) || !SAFE_PATH.test(rest[i + 1] ?? '') || rest[i + 1]!.includes('..')) return undefined;
    i++;
  }
  return [binary, ...rest];
}

function listenValue(value: string, problems: string[]): string {
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) problems.push(`DEPLOY_HTTP_LISTEN: expected a port such as 80, or ip:port such as 127.0.0.1:8080, got ${shown(value)}`);
  return value;
}

function shown(value: string): string {
  return value.length > 60 ? JSON.stringify(`${value.slice(0, 57)}...`) : JSON.stringify(value);
}

/**
 * Validates the DEPLOY_* settings. Every problem is reported at once, one line
 * each, before anything on the server is touched.
 *
 * @example
 * const config = parseDeployConfig(loadEnv());
 * // ConfigError: "DEPLOY_HOST: expected the server's host name or IP address, got nothing"
 */
export function parseDeployConfig(env: Env, options: { checkFiles?: boolean } = {}): DeployConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => env[name]?.trim() || undefined;
  const required = (name: string, what: string, pattern: RegExp): string => {
    const value = get(name);
    if (!value) problems.push(`${name}: expected ${what}, got nothing. Set it in .env.`);
    else if (!pattern.test(value)) problems.push(`${name}: expected ${what}, got ${shown(value)}`);
    return value ?? '';
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name}: expected an integer from ${min} to ${max}, got ${shown(raw)}`);
    return n;
  };
  const remotePath = (name: string, fallback?: string): string | undefined => {
    const value = get(name) ?? fallback;
    if (value !== undefined && (!SAFE_PATH.test(value) || value.includes('..'))) {
      problems.push(`${name}: expected an absolute path on the server of letters, digits, ".", "_", "-" and "/", got ${shown(value)}`);
    }
    return value;
  };
  const localFile = (name: string): string | undefined => {
    const value = get(name);
    if (value && !LOCAL_PATH.test(value)) problems.push(`${name}: expected a file path on this machine without control characters, %, $, " or \\ (ssh reads those specially), got ${shown(value)}`);
    else if (value && options.checkFiles !== false && !existsSync(value)) problems.push(`${name}: expected a readable file on this machine, got ${shown(value)} (not found)`);
    return value;
  };

  const host = required('DEPLOY_HOST', "the server's host name or IP address", HOST);
  const user = required('DEPLOY_USER', 'the ssh user on the server (not root is best)', USER);
  const rawPath = get('DEPLOY_PATH') ?? '';
  // Compared as the server will resolve it: `//`, `/.` and `/srv/..` are the root folder too,
  // where releases, the lock and a failed release's `rm -rf` would land.
  const path = rawPath ? posix.normalize(rawPath).replace(/\/+$/, '') : '';
  if (!rawPath) problems.push('DEPLOY_PATH: expected the base folder on the server, e.g. /srv/wxmp, got nothing. Set it in .env.');
  else if (!isAbsolute(rawPath) || path === '') problems.push(`DEPLOY_PATH: expected an absolute folder other than "/", got ${shown(rawPath)}${rawPath !== '/' && path === '' ? ' (that is "/")' : ''}`);
  else remotePath('DEPLOY_PATH');
  const domain = required('DEPLOY_DOMAIN', 'the domain WeChat calls, e.g. wx.example.com', DOMAIN);
  const sslCert = remotePath('DEPLOY_SSL_CERT');
  const sslKey = remotePath('DEPLOY_SSL_KEY');
  if (Boolean(sslCert) !== Boolean(sslKey)) problems.push('DEPLOY_SSL_CERT and DEPLOY_SSL_KEY: expected both (HTTPS on 443) or neither (HTTP only), got only one');
  const service = get('DEPLOY_SERVICE') ?? 'systemd';
  if (service !== 'systemd' && service !== 'none') problems.push(`DEPLOY_SERVICE: expected "systemd" or "none", got ${shown(service)}`);
  const serviceName = get('DEPLOY_SERVICE_NAME') ?? 'wxmp';
  if (!NAME.test(serviceName)) problems.push(`DEPLOY_SERVICE_NAME: expected lower-case letters, digits and "-", got ${shown(serviceName)}`);
  const nginx = get('DEPLOY_NGINX') ?? 'nginx';
  const nginxArgs = nginxArgv(nginx);
  if (!nginxArgs) problems.push(`DEPLOY_NGINX: expected nginx or its absolute path, optionally with -p/-c/-e and plain absolute paths (e.g. /usr/sbin/nginx -c /etc/nginx/nginx.conf), got ${shown(nginx)}`);

  const config: DeployConfig = {
    host,
    user,
    sshPort: int('DEPLOY_SSH_PORT', 22, 1, 65535),
    sshKey: localFile('DEPLOY_SSH_KEY'),
    knownHosts: localFile('DEPLOY_SSH_KNOWN_HOSTS'),
    path,
    domain,
    appPort: int('DEPLOY_APP_PORT', 8000, 1, 65535),
    httpListen: listenValue(get('DEPLOY_HTTP_LISTEN') ?? '80', problems),
    sslCert,
    sslKey,
    service: service as DeployConfig['service'],
    serviceName,
    nginx,
    nginxArgs: nginxArgs ?? [],
    nginxConfDir: remotePath('DEPLOY_NGINX_CONF_DIR', '/etc/nginx/conf.d')!,
    systemdDir: remotePath('DEPLOY_SYSTEMD_DIR', '/etc/systemd/system')!,
    keep: int('DEPLOY_KEEP', 5, 2, 100),
    healthTimeoutMs: int('DEPLOY_HEALTH_TIMEOUT_MS', 15_000, 1000, 120_000),
    connectTimeoutMs: int('DEPLOY_CONNECT_TIMEOUT_MS', 5000, 500, 60_000),
    devDomain: get('DEPLOY_DEV_DOMAIN'),
    devPort: int('DEPLOY_DEV_PORT', 8001, 1024, 65535),
  };
  if (config.devDomain && !DOMAIN.test(config.devDomain)) problems.push(`DEPLOY_DEV_DOMAIN: expected a host name for the dev tunnel, e.g. dev.example.com, got ${shown(config.devDomain)}`);
  else if (config.devDomain && config.devDomain.toLowerCase() === domain.toLowerCase()) problems.push(`DEPLOY_DEV_DOMAIN: expected a host name other than DEPLOY_DOMAIN (production keeps ${domain}), got the same`);
  if (config.devPort === config.appPort) problems.push(`DEPLOY_DEV_PORT: expected a port other than DEPLOY_APP_PORT (${config.appPort}, production's), got the same`);
  if (problems.length) {
    throw new ConfigError(`deploy settings (.env):\n  ${problems.join('\n  ')}`);
  }
  return config;
}
