import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindFailure, listenDev } from '../../src/dev/listen.js';
import { http, repoRoot } from './support/project.js';

const hello = () => new Response('hello');

describe('dev listener', () => {
  it('falls back to a free port when the asked one is taken, and says why and how to fix it in one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const lines: string[] = [];
    const dev = await listenDev(hello, { port: taken, host: '127.0.0.1', onFallback: (l) => lines.push(l) });
    try {
      expect(dev.port).not.toBe(taken);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${taken} is taken`);
      // The hint names a port that is free now, not a fixed 8080 that may be the taken one.
      expect(lines[0]).toContain(`PORT=${dev.port} npm run dev`);
      expect(lines[0]).toContain(`using port ${dev.port} instead`);
      expect((await http(`${dev.url}/`)).body).toBe('hello');
    } finally {
      await dev.close();
      blocker.close();
    }
  });

  it('port 80 as an unprivileged user: EACCES explained in one line, and a free port instead', async () => {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    expect(start, 'needs ports below 1024 to be privileged (net.ipv4.ip_unprivileged_port_start)').toBeGreaterThan(80);
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-eacces-'));
    chmodSync(dir, 0o755);
    const script = join(dir, 'listen.mts');
    writeFileSync(script, `import { listenDev } from ${JSON.stringify(join(repoRoot, 'src/dev/listen.ts'))};
const dev = await listenDev(() => new Response('x'), { port: 80, host: '127.0.0.1', onFallback: (line) => console.log(line) });
console.log('BOUND ' + dev.port);
await dev.close();
`, { mode: 0o644 });
    // As root, drop to nobody: root may bind port 80, which is the point of the fix the line suggests.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json') }, ...asUser });
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.stderr.on('data', (d) => { text += d; });
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout: ${text}`)); }, 15_000);
      child.on('exit', () => { clearTimeout(timer); resolve(text); });
    });
    rmSync(dir, { recursive: true, force: true });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^wxmp dev: port 80 needs privileges .* sudo setcap cap_net_bind_service=\+ep \$\(which node\), or PORT=(\d+) npm run dev; using port \1 instead/);
    const fallback = /using port (\d+) instead/.exec(lines[0]!)![1];
    expect(lines[1]).toBe(`BOUND ${fallback}`);
  }, 20_000);

  it('explains EACCES (port 80 without root) with the setcap fix', () => {
    const line = bindFailure(80, 'EACCES', 34567);
    expect(line).toContain('port 80 needs privileges');
    expect(line).toContain('sudo setcap cap_net_bind_service=+ep $(which node)');
    expect(line).toContain('using port 34567 instead');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('a short header timeout answers an idle socket with 408 (what the tunnel suffered); with idleSockets the socket stays quiet and is served later', async () => {
    const idle = async (options: { idleSockets?: boolean }) => {
      const dev = await listenDev(hello, { port: 0, host: '127.0.0.1', headersTimeoutMs: 500, ...options });
      const socket = connect(dev.port, '127.0.0.1');
      let data = '';
      socket.on('data', (d) => { data += d; });
      socket.on('error', () => {});
      await new Promise((r) => setTimeout(r, 1500));
      const before = data;
      // The tunnel hands the socket to a visitor long after it was opened.
      if (!socket.destroyed) socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 300));
      socket.destroy();
      await dev.close();
      return { before, after: data.slice(before.length) };
    };
    expect((await idle({})).before).toMatch(/^HTTP\/1\.1 408/);
    const guarded = await idle({ idleSockets: true });
    expect(guarded.before).toBe('');
    expect(guarded.after).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello$/);
  }, 10_000);

  it('with idleSockets, an incomplete request is still cut: headers by the header timeout, a body by the request timeout, also on a used socket', async () => {
    const dev = await listenDev(async (req) => new Response(`hello${await req.text()}`), { port: 0, host: '127.0.0.1', headersTimeoutMs: 500, requestTimeoutMs: 1000, idleSockets: true });
    const send = (chunks: string[]) => new Promise<{ data: string; ms: number }>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(dev.port, '127.0.0.1', () => { for (const c of chunks) socket.write(c); });
      let data = '';
      socket.on('data', (d) => { data += d; });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ data, ms: Date.now() - started }));
      setTimeout(() => { socket.destroy(); reject(new Error(`still open after 5 s: ${JSON.stringify(data)}`)); }, 5000);
    });
    try {
      const headers = await send(['GET / HTTP/1.1\r\nHost: x\r\n']);
      expect(headers.data).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      const body = await send(['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial']);
      expect(body.data).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      expect(body.ms).toBeGreaterThanOrEqual(900);
      // A kept-alive socket that served one request, then starts another and stalls.
      const reused = await send(['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n']);
      expect(reused.data).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello[\s\S]*HTTP\/1\.1 408 Request Timeout/);
    } finally {
      await dev.close();
    }
  }, 20_000);

  it('fails instead of falling back when told to', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    await expect(listenDev(hello, { port: taken, host: '127.0.0.1', fallback: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });
});
