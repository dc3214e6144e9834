/**
 * What every request to the mock passes through before and after its route:
 * the injected delay and failure, the IP allowlist, the access token and the
 * daily quota (in WeChat's order), then the record of the request and its
 * answer (by rid, for the rid lookup WeChat offers).
 */
import type { Hono } from 'hono';
import { ipNotAllowed, wechatError } from './errors.js';
import { callerIp, maskBody, maskQuery, readJson, INVALID, type MockEnv } from './http.js';
import type { MockState } from './state.js';

/** Paths that need no access token: token fetches, OAuth (the user's token), the consent page, the AppSecret quota reset. */
const OPEN_PATHS = new Set(['/cgi-bin/token', '/cgi-bin/stable_token', '/cgi-bin/clear_quota/v2']);
// mmbiz stands in for mmbiz.qpic.cn, where WeChat hosts users' pictures (PicUrl): no token.
const OPEN_PREFIXES = ['/sns/', '/connect/', '/mmbiz/'];
/** Answers kept for the rid lookup, oldest dropped first. */
const MAX_RIDS = 1000;

/** The path as WeChat knows it, wherever the mock is mounted (`/wx/cgi-bin/x` → `/cgi-bin/x`). */
export function apiPath(path: string): string {
  const at = path.search(/\/(cgi-bin|sns|customservice|datacube|wxaapi|cv|semantic|connect|publisher|mmbiz)\//);
  return at > 0 ? path.slice(at) : path;
}

/** Adds the gate to `app`; call it before the routes, which it reads on first use. */
export function gate(app: Hono<MockEnv>, state: MockState): void {
  // Unknown paths skip the token check, so they reach the 404 that names them.
  let routed: Set<string> | undefined;
  const known = (method: string, path: string) => {
    routed ??= new Set(app.routes.filter((r) => r.path !== '*' && r.path !== '/*').map((r) => `${r.method} ${r.path}`));
    return routed.has(`${method} ${path}`);
  };

  function injected(path: string) {
    const queue = state.failures.get(path);
    const errcode = queue?.shift();
    if (queue && queue.length === 0) state.failures.delete(path);
    return errcode === undefined ? null : wechatError(errcode);
  }

  function guard(path: string, ip: string, token: string | undefined, method = 'GET') {
    if (path.startsWith('/connect/') || !known(method, path)) return null;
    if (state.allowedIps && !state.allowedIps.has(ip)) return ipNotAllowed(ip);
    if (!OPEN_PATHS.has(path) && !OPEN_PREFIXES.some((p) => path.startsWith(p))) {
      const check = state.checkToken(token);
      if (check) return wechatError(check);
    }
    return state.useQuota(path) ? null : wechatError(45009);
  }

  app.use('*', async (c, next) => {
    const path = apiPath(c.req.path);
    const ip = callerIp(c);
    c.set('ip', ip);
    c.set('json', await readJson(c));
    const delay = state.delays.get(path);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const refusal = guard(path, ip, c.req.query('access_token'), c.req.method) ?? injected(path);
    if (refusal) c.res = c.json(refusal);
    else await next();
    const isJson = (c.res.headers.get('content-type') ?? '').includes('json');
    const answer = (isJson ? await c.res.clone().json().catch(() => ({})) : {}) as { errcode?: number; errmsg?: string };
    const json = c.get('json');
    const request = state.record({
      at: state.settings.now(),
      ip,
      method: c.req.method,
      path,
      query: maskQuery(c.req.query()),
      body: json === INVALID ? '(invalid JSON)' : maskBody(json ?? null),
      errcode: answer.errcode ?? 0,
    });
    const rid = answer.errcode ? /rid: (\S+)/.exec(answer.errmsg ?? '')?.[1] : undefined;
    if (rid) {
      state.rids.set(rid, { ...request, answer: JSON.stringify(answer) });
      if (state.rids.size > MAX_RIDS) state.rids.delete(state.rids.keys().next().value as string);
    }
  });
}
