import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiUnreachableError } from '../../src/api/errors.js';
import { callWechat } from '../../src/api/http.js';

/** A server that hangs up on every request after reading it, or answers HTML like a broken proxy. */
let server: Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url?.startsWith('/html')) {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
      return;
    }
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ApiUnreachableError);

describe('unreachable API', () => {
  it('a send cut off mid-request is not retried and may have been delivered', async () => {
    hits = 0;
    const e = await failure(callWechat({ apiBase: base, fetch, timeoutMs: 5000 }, { method: 'POST', path: '/cgi-bin/message/custom/send', json: { touser: 'o' }, idempotent: false }));
    expect(e).toBeInstanceOf(ApiUnreachableError);
    expect(e?.maybeDelivered).toBe(true);
    expect(e?.message).toMatch(/may or may not have been delivered/);
    expect(hits).toBe(1);
  });

  it('a read cut off mid-request is tried once more', async () => {
    hits = 0;
    const e = await failure(callWechat({ apiBase: base, fetch, timeoutMs: 5000 }, { method: 'GET', path: '/cgi-bin/menu/get', query: { access_token: 'SECRET_TOKEN' }, idempotent: true }));
    expect(e?.maybeDelivered).toBe(false);
    expect(hits).toBe(2);
    expect(e?.message).not.toContain('SECRET_TOKEN');
  });

  it('a refused connection sent nothing, and says where it tried', async () => {
    const origin = await closedPort();
    const e = await failure(callWechat({ apiBase: origin, fetch, timeoutMs: 5000 }, { method: 'POST', path: '/cgi-bin/message/template/send', json: {}, idempotent: false }));
    expect(e?.maybeDelivered).toBe(false);
    expect(e?.message).toContain(`could not reach ${origin}`);
    expect(e?.message).toMatch(/ECONNREFUSED/);
  });

  it('an answer that is not JSON names the HTTP status', async () => {
    const e = await failure(callWechat({ apiBase: `${base}/html`, fetch, timeoutMs: 5000 }, { method: 'GET', path: '/cgi-bin/menu/get', idempotent: true }));
    expect(e?.message).toBe('/cgi-bin/menu/get: expected JSON from ' + `${base}/html` + ', got HTTP 502: <html>Bad Gateway</html>');
  });
});
