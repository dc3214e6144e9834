import { createServer } from 'node:net';

const taken = new Set<number>();

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for servers that must be
 * told their port up front. Picked below the ephemeral range (32768 and up on
 * Linux): the suite makes thousands of outgoing connections (ssh, Redis, HTTP)
 * whose local ports come from that range, and one of them could take a port
 * picked there before its server binds it (EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    if (await free(port)) {
      taken.add(port);
      return port;
    }
  }
}
