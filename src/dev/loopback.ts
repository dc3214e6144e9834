/**
 * The dev pages show decrypted messages and the mock API hands out tokens:
 * they answer the developer's own machine only.
 */
import type { MiddlewareHandler } from 'hono';

/** True for 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Refuses (403) requests whose TCP peer is not this machine. The peer comes
 * from @hono/node-server's `env.incoming.socket`; with no socket (a bare
 * `app.request()`), the request is refused too.
 *
 * @example
 * app.use('/__wxmp/*', loopbackOnly());
 */
export function loopbackOnly(): MiddlewareHandler {
  return async function loopbackGuard(c, next) {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    const peer = env?.incoming?.socket?.remoteAddress;
    if (!isLoopback(peer)) {
      return c.text(`forbidden: the wxmp dev pages answer this machine only (request from ${peer ?? 'unknown'})`, 403);
    }
    await next();
  };
}
