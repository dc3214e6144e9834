import { describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../src/deploy/config.js';
import { parseDeployHosts } from '../../src/deploy/hosts.js';
import { deployCommand } from '../../src/deploy/command.js';
import { releaseId } from '../../src/deploy/release.js';
import { rsyncFailure, rsyncRemoteShell } from '../../src/deploy/upload.js';
import { Remote } from '../../src/deploy/ssh.js';
import { chooseTunnel } from '../../src/dev/tunnel-route.js';

const good = { DEPLOY_HOST: 'wx.example.com', DEPLOY_USER: 'deploy', DEPLOY_PATH: '/srv/wxmp', DEPLOY_DOMAIN: 'wx.example.com' };

function problems(env: Record<string, string>): string[] {
  try {
    parseDeployConfig(env, { checkFiles: true });
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  return [];
}

describe('deploy settings', () => {
  it('defaults: ssh port 22, app port 8000, nginx on 80, systemd, keep 5', () => {
    expect(parseDeployConfig(good)).toMatchObject({ sshPort: 22, appPort: 8000, httpListen: '80', service: 'systemd', serviceName: 'wxmp', keep: 5, path: '/srv/wxmp' });
  });

  it('reports every missing value at once, one line each, saying what is expected', () => {
    expect(problems({})).toEqual([
      "DEPLOY_HOST: expected the server's host name or IP address, got nothing. Set it in .env.",
      'DEPLOY_USER: expected the ssh user on the server (not root is best), got nothing. Set it in .env.',
      'DEPLOY_PATH: expected the base folder on the server, e.g. /srv/wxmp, got nothing. Set it in .env.',
      'DEPLOY_DOMAIN: expected the domain WeChat calls, e.g. wx.example.com, got nothing. Set it in .env.',
    ]);
  });

  it('rejects malformed values with "expected X, got Y"', () => {
    const lines = problems({
      ...good,
      DEPLOY_HOST: 'bad host',
      DEPLOY_SSH_PORT: '70000',
      DEPLOY_PATH: 'srv/wxmp',
      DEPLOY_DOMAIN: 'https://wx.example.com/',
      DEPLOY_APP_PORT: 'eight',
      DEPLOY_SSH_KEY: '/nonexistent/id_ed25519',
      DEPLOY_SSL_CERT: '/etc/ssl/a.pem',
      DEPLOY_SERVICE: 'pm2',
      DEPLOY_HTTP_LISTEN: 'eighty',
    });
    expect(lines).toEqual([
      'DEPLOY_HOST: expected the server\'s host name or IP address, got "bad host"',
      'DEPLOY_PATH: expected an absolute folder other than "/", got "srv/wxmp"',
      'DEPLOY_DOMAIN: expected the domain WeChat calls, e.g. wx.example.com, got "https://wx.example.com/"',
      'DEPLOY_SSL_CERT and DEPLOY_SSL_KEY: expected both (HTTPS on 443) or neither (HTTP only), got only one',
      'DEPLOY_SERVICE: expected "systemd" or "none", got "pm2"',
      'DEPLOY_SSH_PORT: expected an integer from 1 to 65535, got "70000"',
      'DEPLOY_SSH_KEY: expected a readable file on this machine, got "/nonexistent/id_ed25519" (not found)',
      'DEPLOY_APP_PORT: expected an integer from 1 to 65535, got "eight"',
      'DEPLOY_HTTP_LISTEN: expected a port such as 80, or ip:port such as 127.0.0.1:8080, got "eighty"',
    ]);
  });

  it('keeps shell metacharacters out of paths that reach remote commands', () => {
    expect(problems({ ...good, DEPLOY_PATH: '/srv/$(reboot)' })[0]).toMatch(/^DEPLOY_PATH: expected an absolute path/);
    expect(problems({ ...good, DEPLOY_PATH: '/srv/../etc' })[0]).toMatch(/^DEPLOY_PATH: expected an absolute path/);
  });

  it('refuses every spelling of the root folder, where releases and a failed release\'s rm -rf would land', () => {
    for (const path of ['/', '//', '///', '/.', '/./', '/srv/..']) {
      expect(problems({ ...good, DEPLOY_PATH: path })[0], path).toMatch(/^DEPLOY_PATH: expected an absolute folder other than "\/"/);
    }
    expect(problems({ ...good, DEPLOY_PATH: '//' })[0]).toBe('DEPLOY_PATH: expected an absolute folder other than "/", got "//" (that is "/")');
    expect(parseDeployConfig({ ...good, DEPLOY_PATH: '/srv//wxmp/./' }, { checkFiles: false }).path).toBe('/srv/wxmp');
  });
});

describe('deploy settings that reach ssh, rsync or sudo', () => {
  it('a known_hosts value carrying an ssh option is one line, not a command run on this machine', () => {
    expect(problems({ ...good, DEPLOY_SSH_KNOWN_HOSTS: '/dev/null "-oProxyCommand=touch /tmp/x"' })).toEqual([
      'DEPLOY_SSH_KNOWN_HOSTS: expected a file path on this machine without control characters, %, $, " or \\ (ssh reads those specially), got "/dev/null \\"-oProxyCommand=touch /tmp/x\\""',
    ]);
    // A plain path is still checked for existence, like DEPLOY_SSH_KEY.
    expect(problems({ ...good, DEPLOY_SSH_KNOWN_HOSTS: '/nonexistent/known hosts' })).toEqual(['DEPLOY_SSH_KNOWN_HOSTS: expected a readable file on this machine, got "/nonexistent/known hosts" (not found)']);
    expect(problems({ ...good, DEPLOY_SSH_KEY: '/keys/%h' })[0]).toMatch(/^DEPLOY_SSH_KEY: expected a file path on this machine without/);
    expect(problems({ ...good, DEPLOY_SSH_KEY: '/keys/${HOME}' })[0]).toMatch(/^DEPLOY_SSH_KEY: expected a file path on this machine without/);
  });

  it('DEPLOY_NGINX is nginx and its own path options, nothing else: `sh -c id` is refused', () => {
    const rule = 'DEPLOY_NGINX: expected nginx or its absolute path, optionally with -p/-c/-e and plain absolute paths (e.g. /usr/sbin/nginx -c /etc/nginx/nginx.conf), got';
    for (const bad of ['sh -c id', 'sudo sh -c id', 'nginx; id', 'nginx -g daemon', '/usr/bin/env nginx', 'nginx -c /etc/../tmp/x.conf', 'nginx -c relative.conf', '/opt/nginx-evil']) {
      expect(problems({ ...good, DEPLOY_NGINX: bad }), bad).toEqual([`${rule} ${JSON.stringify(bad)}`]);
    }
    expect(parseDeployConfig({ ...good, DEPLOY_NGINX: 'sudo nginx' }).nginxArgs).toEqual(['nginx']);
    expect(parseDeployConfig({ ...good, DEPLOY_NGINX: '/usr/sbin/nginx -p /srv/ng -c /srv/ng/nginx.conf -q' }).nginxArgs).toEqual(['/usr/sbin/nginx', '-p', '/srv/ng', '-c', '/srv/ng/nginx.conf', '-q']);
  });

  it('refuses a bad DEPLOY_NGINX before connecting (the host does not even resolve)', async () => {
    await expect(deployCommand(['setup'], { env: { ...good, DEPLOY_HOST: 'host.invalid', DEPLOY_NGINX: 'sh -c id' }, out: { write() {} } })).rejects.toThrow(/^deploy settings \(\.env\):\n {2}DEPLOY_NGINX: expected nginx .*got "sh -c id"$/);
  });

  it("rsync's -e string keeps every word whole, as rsync splits it", () => {
    expect(rsyncRemoteShell(['ssh', '-i', '/keys/my key', "it's"])).toBe("'ssh' '-i' '/keys/my key' 'it''s'");
  });
});

describe('wxmp deploy (command)', () => {
  it('checks the settings before touching anything', async () => {
    await expect(deployCommand([], { env: {}, out: { write() {} } })).rejects.toThrow(/deploy settings \(\.env\):\n {2}DEPLOY_HOST: expected/);
  });

  it('rejects an unknown action with the usage', async () => {
    await expect(deployCommand(['publish'], { env: good, out: { write() {} } })).rejects.toThrow(/expected one of setup, rollback, status, logs, build, balancer .*got "publish"\nUsage: wxmp deploy/);
  });

  it('refuses an option the action does not take before touching anything: rollback --dry-run would roll back for real', async () => {
    // host.invalid: were the option ignored, the action would try to reach it and fail differently.
    const env = { ...good, DEPLOY_HOST: 'host.invalid' };
    await expect(deployCommand(['rollback', '--dry-run'], { env, out: { write() {} } })).rejects.toThrow(/^deploy rollback: --dry-run does not apply here \(it takes no options\); nothing was done\nUsage/);
    await expect(deployCommand(['setup', '--dry-run'], { env, out: { write() {} } })).rejects.toThrow(/^deploy setup: --dry-run does not apply here \(it takes --env, --yes, --check-redis\)/);
    await expect(deployCommand(['status', '-f', '--yes'], { env, out: { write() {} } })).rejects.toThrow(/^deploy status: --follow, --yes do not apply here \(it takes no options\)/);
  });

  it('--dry-run prints the plan without connecting (the host does not even resolve)', async () => {
    let text = '';
    const code = await deployCommand(['--dry-run'], { env: { ...good, DEPLOY_HOST: 'host.invalid' }, out: { write: (t) => { text += t; } } });
    expect(code).toBe(0);
    expect(text).toMatch(/plan \(dry run, nothing is changed\):\n {2}1\. bundle/);
    expect(text).toContain('rsync -az --delete --link-dest=<current release> into /srv/wxmp/releases/');
  });
});

describe('helpers', () => {
  it('release ids sort by time', () => {
    expect(releaseId(new Date('2026-01-02T03:04:05.006Z'))).toBe('20260102-030405-006');
    expect(releaseId(new Date('2026-01-02T03:04:05.006Z')) < releaseId(new Date('2026-01-02T03:04:05.010Z'))).toBe(true);
  });

  it('maps rsync failures to a step and an action', () => {
    expect(rsyncFailure(11, 'rsync: [receiver] write failed on "/srv/x": No space left on device (28)\nrsync error: error in file IO (code 11)', '/srv/x').code).toBe('DEPLOY_DISK');
    expect(rsyncFailure(127, 'bash: line 1: rsync: command not found', '/srv/x').message).toMatch(/rsync is missing on the server/);
    expect(rsyncFailure(23, 'some files vanished', '/srv/x').code).toBe('DEPLOY_UPLOAD');
  });
});

describe('several hosts (DEPLOY_HOST as a list)', () => {
  const hostsOf = (extra: Record<string, string>) => parseDeployHosts({ ...good, ...extra });

  it('reads [user@]host[:port] entries; shared settings apply to every host', () => {
    const { hosts, rollingLimit } = hostsOf({ DEPLOY_HOST: 'a.example.com, ops@b.example.com:2222 ,[2001:db8::1]:2200' });
    expect(rollingLimit).toBe(1);
    expect(hosts.map((h) => [h.name, h.config.host, h.config.user, h.config.sshPort, h.config.path])).toEqual([
      ['a.example.com', 'a.example.com', 'deploy', 22, '/srv/wxmp'],
      ['b.example.com', 'b.example.com', 'ops', 2222, '/srv/wxmp'],
      ['[2001:db8::1]', '[2001:db8::1]', 'deploy', 2200, '/srv/wxmp'],
    ]);
  });

  it('a host that differs says so after ?, checked like the shared setting; two entries on one host are named by port', () => {
    const { hosts } = hostsOf({ DEPLOY_HOST: '10.0.0.1:2201,10.0.0.1:2202?path=/opt/wxmp&app_port=8002', DEPLOY_ROLLING_LIMIT: '2' });
    expect(hosts.map((h) => [h.name, h.config.path, h.config.appPort])).toEqual([['10.0.0.1:2201', '/srv/wxmp', 8000], ['10.0.0.1:2202', '/opt/wxmp', 8002]]);
    expect(hostsOf({ DEPLOY_HOST: 'a,b', DEPLOY_ROLLING_LIMIT: '2' }).rollingLimit).toBe(2);
  });

  it('every problem at once, one line each', () => {
    let message = '';
    try {
      hostsOf({ DEPLOY_HOST: 'a.example.com?colour=red,b.example.com?app_port=eight,a.example.com,bad host', DEPLOY_ROLLING_LIMIT: '0' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1).map((l) => l.trim())).toEqual([
      'DEPLOY_HOST: "colour" in "a.example.com?colour=red" is not a per-host setting; expected one of user, ssh_port, ssh_key, ssh_known_hosts, path, app_port, http_listen, service, nginx, nginx_conf_dir, systemd_dir',
      'DEPLOY_APP_PORT: expected an integer from 1 to 65535, got "eight"',
      'DEPLOY_HOST: expected the server\'s host name or IP address, got "bad host"',
      'DEPLOY_ROLLING_LIMIT: expected how many hosts may be switched at once, an integer from 1, got "0"',
      'DEPLOY_HOST: a.example.com:22 with DEPLOY_PATH /srv/wxmp is listed twice; expected each server once',
    ]);
  });

  it('the dev tunnel goes through the first host, or the one DEPLOY_DEV_HOST names; only that host gets the dev block', () => {
    const dev = { DEPLOY_HOST: 'a.example.com,ops@b.example.com:2222', DEPLOY_DEV_DOMAIN: 'dev.example.com' };
    const first = hostsOf(dev);
    expect(first.dev.name).toBe('a.example.com');
    expect(first.hosts.map((h) => h.config.devDomain)).toEqual(['dev.example.com', undefined]);
    for (const name of ['b.example.com', 'b.example.com:2222']) {
      const named = hostsOf({ ...dev, DEPLOY_DEV_HOST: name });
      expect([named.dev.name, named.dev.config.user, named.dev.config.sshPort]).toEqual(['b.example.com', 'ops', 2222]);
      expect(named.hosts.map((h) => h.config.devDomain)).toEqual([undefined, 'dev.example.com']);
    }
    expect(() => hostsOf({ ...dev, DEPLOY_DEV_HOST: 'c.example.com' })).toThrow('DEPLOY_DEV_HOST: expected one of the hosts in DEPLOY_HOST (a.example.com, b.example.com), got "c.example.com"');
    // `npm run dev` with TUNNEL=ssh uses that host's settings.
    expect(chooseTunnel({ ...good, ...dev, TUNNEL: 'ssh' }, '/p')).toMatchObject({ kind: 'ssh', deploy: { host: 'a.example.com', sshPort: 22 }, publicUrl: 'http://dev.example.com' });
    expect(chooseTunnel({ ...good, ...dev, DEPLOY_DEV_HOST: 'b.example.com' }, '/p')).toMatchObject({ kind: 'ssh', deploy: { host: 'b.example.com', user: 'ops', sshPort: 2222 } });
    expect(() => chooseTunnel({ ...good, ...dev, DEPLOY_DEV_HOST: 'c' }, '/p')).toThrow(/the ssh tunnel uses the deploy settings[\s\S]*DEPLOY_DEV_HOST: expected one of/);
  });

  it('DEPLOY_CONNECT_TIMEOUT_MS: 5 s by default, ssh gets it in whole seconds', () => {
    expect(parseDeployConfig(good).connectTimeoutMs).toBe(5000);
    const remote = new Remote(parseDeployConfig({ ...good, DEPLOY_CONNECT_TIMEOUT_MS: '1500' }));
    expect(remote.sshArgs()).toContain('ConnectTimeout=2');
    void remote.close();
    expect(problems({ ...good, DEPLOY_CONNECT_TIMEOUT_MS: '50' })).toEqual(['DEPLOY_CONNECT_TIMEOUT_MS: expected an integer from 500 to 60000, got "50"']);
  });

  it('--dry-run with two hosts prints the rolling plan without connecting', async () => {
    let text = '';
    expect(await deployCommand(['--dry-run'], { env: { ...good, DEPLOY_HOST: 'a.invalid,b.invalid' }, out: { write: (t) => { text += t; } } })).toBe(0);
    expect(text).toMatch(/→ 2 hosts: a\.invalid, b\.invalid\n/);
    expect(text).toContain('switch one host at a time, each only after its new release passed /healthz');
  });

  it('the balancer config lists every host\'s nginx', async () => {
    let text = '';
    await deployCommand(['balancer'], { env: { ...good, DEPLOY_HOST: 'a.example.com,b.example.com?http_listen=10.0.0.2:8080' }, out: { write: (t) => { text += t; } } });
    expect(text).toContain('    server a.example.com:80 max_fails=2 fail_timeout=5s;\n    server 10.0.0.2:8080 max_fails=2 fail_timeout=5s;\n');
    expect(text).toContain('server_name wx.example.com;');
    expect(text).toContain('proxy_next_upstream error http_502 http_503 non_idempotent;');
  });
});
