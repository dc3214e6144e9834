/**
 * The dev server's listeners: port 80 by default with a one-line explanation
 * and a fallback when it cannot be bound, and a tunnel-only listener whose
 * timeouts bound every request but never cut a tunnel client's idle sockets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';

type Fetch = (req: Request, env: unknown) => Response | Promise<Response>;

/** A bound listener. */
export interface DevListener {
  server: Server;
  port: number;
  host: string;
  /** `http://host:port`, with IPv6 hosts in brackets, and 127.0.0.1 for a wildcard host. */
  url: string;
  close(): Promise<void>;
}

/** Options of {@link listenDev}. */
export interface ListenOptions {
  port: number;
  host: string;
  /** Node's header timeout; 0 turns it off. Default Node's 60 s. */
  headersTimeoutMs?: number;
  /** Node's whole-request timeout; default headersTimeoutMs (at least 1 s), or Node's when that is unset. */
  requestTimeoutMs?: number;
  /**
   * Leave connections that have not sent a byte yet open past the timeouts.
   * A tunnel client (localtunnel) opens its sockets ahead of any visitor, and
   * Node counts the header timeout from the connection: its 408 lands on a
   * socket the tunnel later hands to WeChat. Node reports such a socket once
   * and then times each request from its first byte, so requests stay bounded.
   */
  idleSockets?: boolean;
  /** When the port cannot be bound, say why and take a free one. Default true. */
  fallback?: boolean;
  /** Receives the one-line explanation of a fallback. */
  onFallback?: (line: string) => void;
}

/** Why `port` could not be bound and how to fix it, in one line. */
export function bindFailure(port: number, code: string | undefined, fallbackPort: number): string {
  const then = `using port ${fallbackPort} instead (the tunnel URL does not depend on it)`;
  if (code === 'EACCES') {
    return `wxmp dev: port ${port} needs privileges (ports below 1024 are reserved for root on Linux); fix: sudo setcap cap_net_bind_service=+ep $(which node), or PORT=${fallbackPort} npm run dev; ${then}`;
  }
  if (code === 'EADDRINUSE') {
    return `wxmp dev: port ${port} is taken by another program (find it: sudo lsof -i :${port}); fix: stop it, or PORT=${fallbackPort} npm run dev; ${then}`;
  }
  return `wxmp dev: cannot listen on port ${port} (${code ?? 'unknown error'}); ${then}`;
}

function bind(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => { server.off('listening', onListening); reject(error); };
    const onListening = () => { server.off('error', onError); resolve(); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Serves `fetch` (a Hono app's) on `port`, falling back to a free port when
 * it cannot be bound.
 *
 * @example
 * const main = await listenDev(app.fetch, { port: 80, host: '127.0.0.1', onFallback: console.warn });
 * const tunnel = await listenDev(tunnelApp.fetch, { port: 0, host: '127.0.0.1', headersTimeoutMs: 0 });
 */
export async function listenDev(fetch: Fetch, options: ListenOptions): Promise<DevListener> {
  // Node looks for expired header timeouts every 30 s by default; a short timeout needs a shorter look.
  const interval = options.headersTimeoutMs ? Math.max(250, Math.min(30_000, Math.floor(options.headersTimeoutMs / 2))) : 30_000;
  const server = createServer({ connectionsCheckingInterval: interval }, getRequestListener(fetch));
  if (options.headersTimeoutMs !== undefined) {
    server.headersTimeout = options.headersTimeoutMs;
    // requestTimeout must not be below headersTimeout, and 0 means off for both.
    server.requestTimeout = options.requestTimeoutMs ?? (options.headersTimeoutMs === 0 ? 0 : Math.max(options.headersTimeoutMs, 1000));
    if (options.headersTimeoutMs === 0) server.keepAliveTimeout = 0;
  }
  if (options.idleSockets) {
    // A tunnel's pooled sockets idle between visitors too: never close them for that.
    server.keepAliveTimeout = 0;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { bytesRead?: number; _httpMessage?: { headersSent?: boolean } }) => {
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0) return;
      // Node's own answer, which a clientError listener replaces.
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable && !socket._httpMessage?.headersSent) socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy(error);
    });
  }
  try {
    await bind(server, options.port, options.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (options.fallback === false || options.port === 0) throw error;
    await bind(server, 0, options.host);
    options.onFallback?.(bindFailure(options.port, code, (server.address() as AddressInfo).port));
  }
  const { port } = server.address() as AddressInfo;
  // A wildcard address is not a place to send requests to: the URL names loopback instead.
  const reachable = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    server,
    port,
    host: options.host,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
