/**
 * Real servers for the deploy tests, each on 127.0.0.1 and a free port picked
 * at run time: sshd with throwaway keys, and nginx with its own prefix. Under
 * CI=true a missing binary fails the test (the helpers throw); nothing skips.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../helpers/free-port.js';

export { freePort };

function need(binary: string, pkg: string): void {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: install the Debian package ${pkg} (.ci/run does)`);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface Sshd {
  port: number;
  /** Private key files by name; see startSshd's `keys`. */
  keys: Record<string, string>;
  knownHosts: string;
  /** Stops sshd and the sessions it still serves. */
  stop(): Promise<void>;
  /** Kills sshd and all its sessions at once (SIGKILL), as a crash or reboot does. */
  crash(): Promise<void>;
  /** Starts sshd again on the same port with the same keys. */
  start(): Promise<void>;
}

/**
 * Starts sshd (StrictModes off for keys in a temp folder, own host key, no PAM).
 * `keys` maps a key name to the PATH its sessions get ('' = the default), which
 * is how a test takes rsync or node away "on the server". The key `refused` is
 * generated but never authorized. Sessions run with an empty HOME under `dir`.
 */
export async function startSshd(dir: string, keys: Record<string, string>): Promise<Sshd> {
  need('/usr/sbin/sshd', 'openssh-server');
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(dir, { recursive: true });
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  keygen(join(dir, 'host_key'));
  const files: Record<string, string> = {};
  const authorized: string[] = [];
  for (const [name, path] of Object.entries({ ...keys, refused: '' })) {
    files[name] = join(dir, `key_${name}`);
    keygen(files[name]!);
    if (name === 'refused') continue;
    const pub = execFileSync('cat', [`${files[name]}.pub`]).toString().trim();
    authorized.push(path ? `environment="PATH=${path}" ${pub}` : pub);
  }
  writeFileSync(join(dir, 'authorized_keys'), `${authorized.join('\n')}\n`);
  const port = await freePort();
  // Sessions get a HOME of their own, as a server's deploy user has: bash sources ~/.bashrc for every
  // ssh command, and this machine's (pyenv init) cost seconds per command under load.
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'PermitUserEnvironment PATH', 'MaxSessions 50', 'MaxStartups 50',
    'LogLevel ERROR', `SetEnv HOME=${home}`, '',
  ].join('\n'));
  const launch = async () => {
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    await waitFor(() => child.exitCode === null ? portOpen(port) : Promise.reject(new Error(`sshd exited: ${err}`)), 'sshd');
    return child;
  };
  let child = await launch();
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${execFileSync('cat', [join(dir, 'host_key.pub')]).toString()}`);
  return {
    port,
    keys: files,
    knownHosts,
    stop: async () => {
      for (const p of descendants(child.pid!)) {
        try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
      }
      await stopChild(child);
    },
    crash: async () => {
      // As a server reboot would: the listener and every session it forked (they call setsid, so by parentage).
      killTree(child.pid!);
      await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
    start: async () => { child = await launch(); },
  };
}

/** The descendants of `pid` (from /proc), deepest first. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { walk(c); out.push(c); } };
  walk(pid);
  return out;
}

/** SIGKILL to `pid` and all it started (by pid, never by name). */
function killTree(pid: number): void {
  for (const p of [...descendants(pid), pid]) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** A PATH of everything in /usr/bin and /bin except `without`. */
export function pathWithout(dir: string, without: string[]): string {
  const bin = join(dir, `bin-without-${without.join('-')}`);
  mkdirSync(bin, { recursive: true });
  for (const from of ['/usr/local/bin', '/usr/bin', '/bin']) {
    if (!existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      if (without.includes(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(from, name), join(bin, name));
    }
  }
  return bin;
}

export interface Nginx {
  /** The argument list for DEPLOY_NGINX (nginx with this prefix and config). */
  command: string;
  confDir: string;
  /** error.log, and access.log with each upstream try's address, status and time. */
  logDir: string;
  stop(): Promise<void>;
}

/** nginx with its own prefix, pid and temp paths, including confDir/*.conf. */
export async function startNginx(dir: string, options: { include?: string } = {}): Promise<Nginx> {
  need('/usr/sbin/nginx', 'nginx');
  const confDir = join(dir, 'conf.d');
  mkdirSync(confDir, { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 512; }
http {
    # Which upstream answered and how long each try took: what a failed request under load needs explained.
    log_format timing '$time_iso8601 $status $request_time upstream=$upstream_addr status=$upstream_status time=$upstream_response_time connect=$upstream_connect_time';
    access_log ${join(dir, 'logs', 'access.log')} timing;
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    include ${confDir}/${options.include ?? '*.conf'};
}
`);
  const command = `/usr/sbin/nginx -p ${dir} -c ${conf} -e ${join(dir, 'logs', 'error.log')}`;
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'logs', 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  await waitFor(() => (child.exitCode === null ? existsSync(join(dir, 'nginx.pid')) : Promise.reject(new Error(`nginx exited: ${err}`))), 'nginx');
  return { command, confDir, logDir: join(dir, 'logs'), stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone, so its folder can be removed. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
