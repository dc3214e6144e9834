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

/** True for a Host (or Origin host) naming this machine: localhost, *.localhost, 127.x, [::1]. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || isLoopback(name);
}

/**
 * Refuses (403) requests whose TCP peer is not this machine. The peer comes
 * from @hono/node-server's `env.incoming.socket`; with no socket (a bare
 * `app.request()`), the request is refused too. A web page on another site
 * gets nothing either: a Host that is not loopback (DNS rebinding) and an
 * Origin other than the dev server's own (a form posting to the replay
 * button from another site or another local port) are refused.
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
    // node-server builds the URL from the Host header; app.request() has no Host header, only the URL.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isLoopbackHost(host)) {
      return c.text(`forbidden: open the dev pages as http://127.0.0.1:<port>/__wxmp or http://localhost:<port>/__wxmp (Host was ${host})`, 403);
    }
    const origin = c.req.header('origin');
    // "null" comes from sandboxed frames and file: pages: harmless for reading a page, refused for actions.
    const opaque = origin === 'null' && c.req.method !== 'GET' && c.req.method !== 'HEAD';
    // Only the dev server's own pages (scheme, host and port): another local server (http://127.0.0.1:1)
    // or another *.localhost name is another site, and may not press the replay button.
    if (opaque || (origin && origin !== 'null' && origin !== new URL(c.req.url).origin)) {
      return c.text(`forbidden: a page from ${origin} may not use the wxmp dev pages`, 403);
    }
    await next();
  };
}
