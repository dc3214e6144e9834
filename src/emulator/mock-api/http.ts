/** Request plumbing shared by the mock's routes: caller IP, parsed body, Hono types. */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** Per-request values the middleware prepares for the routes. */
export type MockEnv = {
  Variables: {
    ip: string;
    /** The parsed JSON body; `undefined` when absent, `INVALID` when it was not JSON. */
    json: unknown;
  };
};

/**
 * Marks a body that failed to parse (distinct from an absent body).
 *
 * @example
 * if (c.get('json') === INVALID) return c.json(wechatError(47001));
 */
export const INVALID = Symbol('invalid JSON');

/**
 * The caller's address as WeChat would see it, `::ffff:` prefix removed.
 *
 * @example
 * callerIp(c) // '127.0.0.1'
 */
export function callerIp(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    // Called through app.request() in a unit test: there is no socket.
  }
  return (address ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/**
 * Reads a JSON body once; multipart bodies are left to the route.
 *
 * @example
 * c.set('json', await readJson(c));
 */
export async function readJson(c: Context): Promise<unknown> {
  if (c.req.method !== 'POST') return undefined;
  if ((c.req.header('content-type') ?? '').startsWith('multipart/form-data')) return undefined;
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

/**
 * A JSON object body, or `null` when the body is missing, invalid or not an object.
 *
 * @example
 * const body = objectBody(c); if (!body) return c.json(wechatError(44002));
 */
export function objectBody(c: Context<MockEnv>): Record<string, unknown> | null {
  const json = c.get('json');
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
}

/**
 * Masks secrets in a recorded query, so a page showing the log leaks nothing.
 *
 * @example
 * maskQuery({ access_token: 'abc', openid: 'o1' }) // { access_token: '***', openid: 'o1' }
 */
export function maskQuery(query: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) out[k] = /^(access_token|secret|appsecret)$/i.test(k) ? '***' : v;
  return out;
}

/**
 * Masks a `secret` field in a recorded JSON body (stable_token sends the AppSecret there).
 *
 * @example
 * maskBody({ appid: 'wx1', secret: 's' }) // { appid: 'wx1', secret: '***' }
 */
export function maskBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('secret' in body)) return body;
  return { ...(body as Record<string, unknown>), secret: '***' };
}

/**
 * A POST route that needs a JSON object body: 47001 when it is not JSON, 44002 when absent.
 *
 * @example
 * app.post('/cgi-bin/tags/create', jsonRoute((c, body) => c.json({ tag: { id: 1, name: body.tag } })));
 */
export function jsonRoute(handler: (c: Context<MockEnv>, body: Record<string, unknown>) => Response | Promise<Response>) {
  return (c: Context<MockEnv>): Response | Promise<Response> => {
    if (c.get('json') === INVALID) return c.json({ errcode: 47001, errmsg: 'data format error' });
    const body = objectBody(c);
    if (!body) return c.json({ errcode: 44002, errmsg: 'empty post data' });
    return handler(c, body);
  };
}
