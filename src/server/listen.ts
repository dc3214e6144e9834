import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /**
   * Stops taking requests and resolves once every connection has ended:
   * responses not yet started say `Connection: close` and end their socket,
   * idle keep-alive sockets are closed at once, requests in flight finish.
   */
  close(): Promise<void>;
}

/**
 * Node keeps answering `Connection: keep-alive` after server.close(), so a proxy's
 * busy upstream connections (nginx keepalive) would keep reaching a server that is
 * going away. Once `closing` is set, every response not yet started closes its
 * connection instead: the proxy opens a new one, which lands on the new server.
 */
function closingResponse(): { ServerResponse: typeof ServerResponse; closing(): void } {
  let closing = false;
  class Response extends ServerResponse<IncomingMessage> {}
  const writeHead = ServerResponse.prototype.writeHead;
  // Patched on the subclass only: the overloads of writeHead pass through unchanged.
  Response.prototype.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (closing) this.shouldKeepAlive = false;
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof writeHead;
  return { ServerResponse: Response as typeof ServerResponse, closing: () => { closing = true; } };
}

function running(server: Server, host: string, closing: () => void): RunningServer {
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () => (closed ??= new Promise<void>((done) => {
      closing();
      // A request whose headers are already parsed but whose response has not started.
      server.on('request', (_req: IncomingMessage, res: ServerResponse) => { res.shouldKeepAlive = false; });
      if (!server.listening) return done();
      server.close(() => done());
      server.closeIdleConnections();
    })),
  };
}

/**
 * Listens with @hono/node-server and resolves once the port is bound.
 * `exclusive` keeps a cluster worker's port its own (not shared through the primary).
 *
 * @example
 * const server = await listen(app.fetch, 8000, '127.0.0.1');
 * await server.close(); // finishes what is in flight, then resolves
 */
export function listen(fetch: (req: Request) => Response | Promise<Response>, port: number, hostname: string, options: { exclusive?: boolean } = {}): Promise<RunningServer> {
  const { ServerResponse: Res, closing } = closingResponse();
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch, hostname, serverOptions: { ServerResponse: Res } }) as Server;
    // Longer than nginx's upstream keepalive (60 s), so nginx never reuses a socket we are closing.
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
    server.listen({ port, host: hostname, exclusive: options.exclusive ?? false }, () => resolve(running(server, hostname, closing)));
  });
}
