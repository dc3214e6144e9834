import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindFailure, listenDev } from '../../src/dev/listen.js';
import { http } from './support/project.js';

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
      expect(lines[0]).toContain('PORT=8080');
      expect(lines[0]).toContain(`using port ${dev.port} instead`);
      expect((await http(`${dev.url}/`)).body).toBe('hello');
    } finally {
      await dev.close();
      blocker.close();
    }
  });

  it('explains EACCES (port 80 without root) with the setcap fix', () => {
    const line = bindFailure(80, 'EACCES', 34567);
    expect(line).toContain('port 80 needs privileges');
    expect(line).toContain('sudo setcap cap_net_bind_service=+ep $(which node)');
    expect(line).toContain('using port 34567 instead');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('a short header timeout answers an idle socket with 408 (what the tunnel suffered); with 0 the socket stays quiet', async () => {
    const idle = async (headersTimeoutMs: number) => {
      const dev = await listenDev(hello, { port: 0, host: '127.0.0.1', headersTimeoutMs });
      const socket = connect(dev.port, '127.0.0.1');
      let data = '';
      socket.on('data', (d) => { data += d; });
      socket.on('error', () => {});
      await new Promise((r) => setTimeout(r, 1500));
      socket.destroy();
      await dev.close();
      return data;
    };
    expect(await idle(500)).toMatch(/^HTTP\/1\.1 408/);
    expect(await idle(0)).toBe('');
  }, 10_000);

  it('fails instead of falling back when told to', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    await expect(listenDev(hello, { port: taken, host: '127.0.0.1', fallback: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });
});
