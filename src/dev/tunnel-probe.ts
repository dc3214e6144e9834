/**
 * Checks a tunnel from the outside: a GET of `/healthz` through the tunnel
 * server, as WeChat would reach the bot. A tunnel whose client still looks
 * connected can be dead (the server restarted, a NAT dropped the sockets);
 * only a request through it tells.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The probes' User-Agent; the dev server leaves these requests out of its log. */
export const PROBE_USER_AGENT = 'wxmp-dev-probe';

/**
 * Where to connect for `publicUrl`. A self-hosted server on a `localhost`
 * domain (tests, a LAN setup) hands out `http://<name>.localhost` without its
 * port: connect to the tunnel server itself and route by the Host header.
 */
export function probeTarget(publicUrl: string, tunnelHost: string): { url: URL; connectHost: string; connectPort: number } {
  const url = new URL('/healthz', publicUrl);
  const server = new URL(tunnelHost);
  const local = url.hostname.endsWith('.localhost');
  const via = local ? server : url;
  const defaultPort = via.protocol === 'https:' ? 443 : 80;
  return { url, connectHost: local ? (server.hostname === 'localhost' ? '127.0.0.1' : server.hostname) : url.hostname, connectPort: Number(via.port || defaultPort) };
}

/**
 * Resolves to undefined when the bot's /healthz answered 200 through the
 * tunnel, or to the reason it did not.
 *
 * @example
 * const problem = await probeTunnel('https://wxmp-1a2b3c4d.loca.lt', 'https://localtunnel.me', 5000);
 */
export function probeTunnel(publicUrl: string, tunnelHost: string, timeoutMs: number): Promise<string | undefined> {
  const { url, connectHost, connectPort } = probeTarget(publicUrl, tunnelHost);
  const secure = new URL(connectHost === url.hostname ? url.href : tunnelHost).protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send({
      host: connectHost,
      port: connectPort,
      servername: secure ? url.hostname : undefined,
      path: url.pathname,
      method: 'GET',
      // Any value skips loca.lt's reminder page; a non-browser User-Agent does too.
      headers: { host: url.host, 'bypass-tunnel-reminder': '1', 'user-agent': PROBE_USER_AGENT },
      timeout: timeoutMs,
      agent: false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"status":"ok"') ? undefined : `GET ${url.href} answered ${res.statusCode}`));
      res.on('error', (e) => resolve(e.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}
