/**
 * The generated server files, checked by the tools that read them:
 * `systemd-analyze verify` for the unit (it exits 0 even on unknown keys, so
 * any output fails) and `nginx -t` for both server blocks (HTTP, and HTTPS with
 * a throwaway self-signed certificate).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../src/deploy/config.js';
import { devPublicOrigin, nginxDevBlock, nginxServerBlock, systemdUnit } from '../../src/deploy/templates.js';

const tmp = mkdtempSync(join(tmpdir(), 'wxmp-templates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const env = { DEPLOY_HOST: 'wx.example.com', DEPLOY_USER: 'www-data', DEPLOY_PATH: '/srv/wxmp', DEPLOY_DOMAIN: 'wx.example.com' };

function nginxTest(block: string, name: string): { status: number | null; output: string } {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'site.conf'), block);
  writeFileSync(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/site.conf;\n}\n`);
  const r = spawnSync('/usr/sbin/nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`nginx is missing (Debian package nginx): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('systemd unit', () => {
  it('has what production needs and passes systemd-analyze verify with no output at all', () => {
    const unit = systemdUnit(parseDeployConfig(env, { checkFiles: false }), { nodePath: process.execPath });
    for (const line of ['Restart=always', 'User=www-data', 'EnvironmentFile=-/srv/wxmp/shared/.env', 'KillMode=mixed', 'TimeoutStopSec=75', 'ExecReload=/bin/kill -HUP $MAINPID']) {
      expect(unit).toContain(line);
    }
    // V8 needs writable+executable memory.
    expect(unit).not.toContain('MemoryDenyWriteExecute');
    const file = join(tmp, 'wxmp.service');
    writeFileSync(file, unit);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 20_000 });
    if (r.error) throw new Error(`systemd-analyze is missing (Debian package systemd): ${r.error.message}`);
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it("the app's .env cannot move the port or the host: systemd lets an EnvironmentFile override Environment=, so env(1) sets them on the command line", () => {
    const unit = systemdUnit(parseDeployConfig({ ...env, DEPLOY_APP_PORT: '8002' }, { checkFiles: false }), { nodePath: process.execPath });
    expect(unit).not.toMatch(/^Environment=/m);
    const exec = /^ExecStart=(.+)$/m.exec(unit)![1]!.split(' ');
    expect(exec.at(-1)).toBe('/srv/wxmp/bin/supervisor.mjs');
    // Run the command as systemd would, with what an EnvironmentFile made of .env.example puts in the environment,
    // the supervisor swapped for a line that prints what it would see.
    const [command, ...args] = [...exec.slice(0, -1), '-p', 'JSON.stringify([process.env.PORT, process.env.HOST, process.env.NODE_ENV, process.env.WXMP_BASE])'];
    const r = spawnSync(command!, args, { encoding: 'utf8', env: { PATH: process.env.PATH, PORT: '8000', HOST: '0.0.0.0', NODE_ENV: 'development', WECHAT_TOKEN: 't' }, timeout: 10_000 });
    expect(JSON.parse(r.stdout)).toEqual(['8002', '127.0.0.1', 'production', '/srv/wxmp']);
  });

  it('the lint really catches mistakes: an unknown key produces output', () => {
    const file = join(tmp, 'bad.service');
    writeFileSync(file, systemdUnit(parseDeployConfig(env, { checkFiles: false }), { nodePath: process.execPath }).replace('KillMode=mixed', 'KillMod=mixed'));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 20_000 });
    expect(`${r.stdout}${r.stderr}`).toMatch(/Unknown key 'KillMod'/);
  });
});

describe('nginx server block', () => {
  it('proxies DEPLOY_DOMAIN to 127.0.0.1:8000 with WeChat-sized timeouts, and passes nginx -t', () => {
    const block = nginxServerBlock(parseDeployConfig(env, { checkFiles: false }));
    for (const line of ['listen 80;', 'server_name wx.example.com;', 'server 127.0.0.1:8000', 'keepalive 16;', 'proxy_connect_timeout 2s;', 'proxy_read_timeout 5s;', 'proxy_send_timeout 5s;', 'client_max_body_size 1m;', 'X-Forwarded-For $proxy_add_x_forwarded_for;', 'proxy_next_upstream error non_idempotent;']) {
      expect(block).toContain(line);
    }
    expect(block).not.toContain('443');
    const r = nginxTest(block, 'http');
    expect(r.output).toMatch(/test is successful/);
    expect(r.status).toBe(0);
  });

  it('adds an HTTPS server on 443 when certificate paths are set, and passes nginx -t', () => {
    const dir = join(tmp, 'cert');
    mkdirSync(dir, { recursive: true });
    const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=wx.example.com', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { timeout: 20_000 });
    expect(cert.status).toBe(0);
    const block = nginxServerBlock(parseDeployConfig({ ...env, DEPLOY_SSL_CERT: join(dir, 'c.pem'), DEPLOY_SSL_KEY: join(dir, 'k.pem'), DEPLOY_APP_PORT: '9000' }, { checkFiles: false }));
    expect(block).toMatch(/listen 443 ssl http2;\n\s+server_name wx\.example\.com;\n\s+ssl_certificate .*c\.pem;/);
    expect(block).toContain('server 127.0.0.1:9000');
    const r = nginxTest(block, 'https');
    expect(r.output).toMatch(/test is successful/);
    expect(r.status).toBe(0);
  });
});

describe('nginx dev tunnel block', () => {
  it('proxies DEPLOY_DEV_DOMAIN to the tunnel port, 404s the dev pages, logs no query, and passes nginx -t together with production\'s (HTTP and HTTPS)', () => {
    const dir = join(tmp, 'dev-cert');
    mkdirSync(dir, { recursive: true });
    const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=dev.example.com', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { timeout: 20_000 });
    expect(cert.status).toBe(0);
    const plain = parseDeployConfig({ ...env, DEPLOY_DEV_DOMAIN: 'dev.example.com' }, { checkFiles: false });
    const tls = parseDeployConfig({ ...env, DEPLOY_DEV_DOMAIN: 'dev.example.com', DEPLOY_DEV_PORT: '8101', DEPLOY_SSL_CERT: join(dir, 'c.pem'), DEPLOY_SSL_KEY: join(dir, 'k.pem') }, { checkFiles: false });
    expect(devPublicOrigin(plain)).toBe('http://dev.example.com');
    expect(devPublicOrigin({ ...plain, httpListen: '127.0.0.1:8080' })).toBe('http://dev.example.com:8080');
    expect(devPublicOrigin(tls)).toBe('https://dev.example.com');
    const block = nginxDevBlock(plain);
    for (const line of ['listen 80;', 'server_name dev.example.com;', 'server 127.0.0.1:8001 max_fails=0;', 'access_log off;', 'proxy_connect_timeout 2s;', 'proxy_read_timeout 5s;', 'error_page 502 = @wxmp_dev_down;', 'client_max_body_size 1m;']) {
      expect(block).toContain(line);
    }
    expect(block).toMatch(/location \^~ \/__wxmp {\n\s+return 404;/);
    expect(block).not.toContain('443');
    // Upstream names must not clash with production's in the same nginx.
    for (const [name, config] of [['dev-http', plain], ['dev-https', tls]] as const) {
      const both = `${nginxServerBlock(config)}\n${nginxDevBlock(config)}`;
      const r = nginxTest(both, name);
      expect(r.output).toMatch(/test is successful/);
      expect(r.status).toBe(0);
    }
    expect(nginxDevBlock(tls)).toMatch(/listen 443 ssl http2;\n\s+server_name dev\.example\.com;\n\s+ssl_certificate .*c\.pem;/);
    expect(nginxDevBlock(tls)).toContain('server 127.0.0.1:8101 max_fails=0;');
  });
});
