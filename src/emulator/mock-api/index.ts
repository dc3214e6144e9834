/**
 * A local stand-in for api.weixin.qq.com: WeChat's request and response
 * shapes and errcodes, token lifetimes, IP allowlist and quotas, with a record
 * of everything received. Tests, the emulator and the dev loop mount it and
 * point WECHAT_API_BASE at it.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { ConfigError } from '../../errors.js';
import { ipNotAllowed, wechatError } from './errors.js';
import { callerIp, maskBody, maskQuery, readJson, INVALID, type MockEnv } from './http.js';
import { allCalls } from '../../api/calls/index.js';
import { derivedRoutes } from './derived-routes.js';
import { draftRoutes } from './draft-routes.js';
import { kfRoutes } from './kf-routes.js';
import { materialRoutes } from './material-routes.js';
import { menuRoutes } from './menu-routes.js';
import { messageRoutes } from './message-routes.js';
import { miscRoutes } from './misc-routes.js';
import { noticeRoutes } from './notice-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { resourceRoutes } from './resource-routes.js';
import { userRoutes } from './user-routes.js';
import { MockState, type MockEvent, type MockRequest } from './state.js';
import { tokenRoutes } from './token-routes.js';

export type { MockEvent, MockRequest } from './state.js';
export { MOCK_OAUTH_OPENID } from './oauth-routes.js';

/** Options of {@link createMockApi}; all optional. */
export interface MockApiOptions {
  /** The one account the mock serves. Default `wxmock0000000000`. */
  appId?: string;
  /** Default `mock-secret`. */
  appSecret?: string;
  /** Lifetime of tokens and tickets. Default 7200 (WeChat's). */
  tokenTtlSeconds?: number;
  /** How long a replaced token keeps working. Default 300 (WeChat's 5 minutes). */
  graceSeconds?: number;
  /** Caller IPs allowed; `null` (default) allows any. Others get 40164. */
  allowedIps?: string[] | null;
  /** Daily call limit per API path, e.g. `{ '/cgi-bin/message/custom/send': 100 }`; beyond it 45009. */
  dailyQuota?: Record<string, number>;
  /** Known followers (openid → profile fields). When given, other openids get 40003. */
  users?: Record<string, Record<string, unknown>>;
  /** Template ids that exist. When given, others get 40037. */
  templates?: string[];
  /** Openids per page of user/get, user/tag/get and getblacklist. Default 10000 (WeChat's). */
  pageSize?: number;
  /** Requests kept in `requests` (oldest dropped first), so a long emulator session stays small. Default 5000. */
  maxRecorded?: number;
  now?: () => number;
  random?: (size: number) => Buffer;
}

/** The mock: a Hono app plus the control surface tests and the emulator use. */
export interface MockApi {
  /** Mount it (`app.route('/', mock.app)`) or serve it (`serve({ fetch: mock.app.fetch })`). */
  readonly app: Hono<MockEnv>;
  readonly appId: string;
  readonly appSecret: string;
  /** Everything received, oldest first. */
  readonly requests: readonly MockRequest[];
  /** Calls `listener` for every event; returns the unsubscribe function. */
  subscribe(listener: (event: MockEvent) => void): () => void;
  /** Requests to `path` (e.g. `/cgi-bin/stable_token`). */
  requestsTo(path: string): MockRequest[];
  /** Token fetches answered with a token, over both endpoints. */
  tokenFetches(): number;
  /** Customer-service message bodies received (successful ones), in order. */
  customerMessages(): Array<Record<string, unknown>>;
  /** The published menu, or null. */
  readonly menu: unknown | null;
  /** Every issued token expires now (42001 on use). */
  expireTokens(): void;
  /** Every issued token becomes unknown (40001 on use). */
  invalidateTokens(): void;
  /** Replaces the IP allowlist; `null` allows any caller. */
  setAllowedIps(ips: string[] | null): void;
  /** Sets (or with `undefined`, removes) the daily quota of `path`. */
  setQuota(path: string, limit: number | undefined): void;
  /** Delays answers on `path` by `ms` (0 removes), to exercise client timeouts. */
  setDelay(path: string, ms: number): void;
  /** Adds or updates a follower. */
  addUser(openid: string, profile?: Record<string, unknown>): void;
  /** A one-time OAuth code for `openid`, as WeChat would append to the redirect. */
  issueOAuthCode(openid: string, scope?: string): string;
  /** Answers the next `times` calls of `path` with `errcode` (e.g. -1, busy) instead of handling them. */
  failNext(path: string, errcode: number, times?: number): void;
  /** The resources of the stateful groups (tags, materials, drafts, templates, agents ...), to inspect or seed. */
  readonly store: MockState['store'];
  /** Keeps a file as WeChat's media store would (the newest 100); returns its media id. It is served at `mmbiz/<id>` with no token (a user's PicUrl) and by `cgi-bin/media/get`. */
  addMedia(type: 'image' | 'voice' | 'video' | 'thumb', bytes: Uint8Array, contentType: string): string;
  /** Forgets the request log (not tokens or the menu). */
  clearRequests(): void;
}

const OPENID = /^[A-Za-z0-9_-]{6,64}$/;
/** Paths that need no access token: token fetches, OAuth (the user's token), the consent page, the AppSecret quota reset. */
const OPEN_PATHS = new Set(['/cgi-bin/token', '/cgi-bin/stable_token', '/cgi-bin/clear_quota/v2']);
// mmbiz stands in for mmbiz.qpic.cn, where WeChat hosts users' pictures (PicUrl): no token.
const OPEN_PREFIXES = ['/sns/', '/connect/', '/mmbiz/'];

/** The path as WeChat knows it, wherever the mock is mounted (`/wx/cgi-bin/x` → `/cgi-bin/x`). */
function apiPath(path: string): string {
  const at = path.search(/\/(cgi-bin|sns|customservice|datacube|wxaapi|cv|semantic|connect|publisher|mmbiz)\//);
  return at > 0 ? path.slice(at) : path;
}

function checkOptions(o: MockApiOptions): void {
  const int = (name: string, v: unknown, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) throw new ConfigError(`mock ${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  int('tokenTtlSeconds', o.tokenTtlSeconds, 1);
  int('graceSeconds', o.graceSeconds, 0);
  int('maxRecorded', o.maxRecorded, 1);
  int('pageSize', o.pageSize, 1);
  if (o.allowedIps != null && !Array.isArray(o.allowedIps)) throw new ConfigError(`mock allowedIps: expected an array of IPs or null, got ${typeof o.allowedIps}`);
}

/**
 * @example
 * const mock = createMockApi({ tokenTtlSeconds: 7200 });
 * const server = serve({ fetch: mock.app.fetch, hostname: '127.0.0.1', port: 0 });
 * mock.subscribe((e) => { if (e.kind === 'customer-message') console.log(e.openid, e.message) });
 */
export function createMockApi(options: MockApiOptions = {}): MockApi {
  checkOptions(options);
  const random = options.random ?? randomBytes;
  const creds = { appId: options.appId ?? 'wxmock0000000000', appSecret: options.appSecret ?? 'mock-secret' };
  const state = new MockState(
    {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
      graceSeconds: options.graceSeconds ?? 300,
      now: options.now ?? Date.now,
      newId: (prefix) => `${prefix}${random(24).toString('base64url')}`,
    },
    options.allowedIps ?? null,
    options.dailyQuota ?? {},
    options.maxRecorded ?? 5000,
  );
  for (const [openid, p] of Object.entries(options.users ?? {})) state.users.set(openid, p);
  const strictUsers = options.users !== undefined;
  const validOpenid = (o: unknown) => typeof o === 'string' && (strictUsers ? state.users.has(o) : OPENID.test(o));
  const app = new Hono<MockEnv>();

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
      if (state.rids.size > 1000) state.rids.delete(state.rids.keys().next().value as string);
    }
  });

  function injected(path: string) {
    const queue = state.failures.get(path);
    const errcode = queue?.shift();
    if (queue && queue.length === 0) state.failures.delete(path);
    return errcode === undefined ? null : wechatError(errcode);
  }

  // Unknown paths skip the token check, so they reach the 404 that names them.
  let routed: Set<string> | undefined;
  const known = (method: string, path: string) => {
    routed ??= new Set(app.routes.filter((r) => r.path !== '*' && r.path !== '/*').map((r) => `${r.method} ${r.path}`));
    return routed.has(`${method} ${path}`);
  };

  function guard(path: string, ip: string, token: string | undefined, method = 'GET') {
    if (path.startsWith('/connect/') || !known(method, path)) return null;
    if (state.allowedIps && !state.allowedIps.has(ip)) return ipNotAllowed(ip);
    if (!OPEN_PATHS.has(path) && !OPEN_PREFIXES.some((p) => path.startsWith(p))) {
      const check = state.checkToken(token);
      if (check) return wechatError(check);
    }
    return state.useQuota(path) ? null : wechatError(45009);
  }

  const templates = options.templates ? new Set(options.templates) : null;
  for (const id of options.templates ?? []) state.store.privateTemplates.set(id, { template_id: id, title: id, primary_industry: '', deputy_industry: '', content: '{{first.DATA}}', example: '' });
  tokenRoutes(app, state, creds);
  oauthRoutes(app, state, creds);
  messageRoutes(app, state, validOpenid, templates);
  resourceRoutes(app, state, validOpenid);
  menuRoutes(app, state);
  userRoutes(app, state, validOpenid, options.pageSize ?? 10_000);
  kfRoutes(app, state, validOpenid);
  materialRoutes(app, state);
  draftRoutes(app, state);
  noticeRoutes(app, state, validOpenid, templates);
  miscRoutes(app, state, creds);
  derivedRoutes(app, allCalls());
  app.notFound((c) => c.json(wechatError(-1, `invalid url ${c.req.path}: the mock WeChat API has no ${c.req.method} route for ${apiPath(c.req.path)}`), 404));

  return {
    app,
    ...creds,
    requests: state.requests,
    subscribe(listener) {
      state.events.on('event', listener);
      return () => state.events.off('event', listener);
    },
    requestsTo: (path) => state.requests.filter((r) => r.path === path),
    tokenFetches: () => state.requests.filter((r) => (r.path === '/cgi-bin/token' || r.path === '/cgi-bin/stable_token') && r.errcode === 0).length,
    customerMessages: () => state.requests.filter((r) => r.path === '/cgi-bin/message/custom/send' && r.errcode === 0).map((r) => r.body as Record<string, unknown>),
    get menu() {
      return state.menu;
    },
    expireTokens: () => state.expireTokens(),
    invalidateTokens: () => state.invalidateTokens(),
    setAllowedIps: (ips) => {
      state.allowedIps = ips ? new Set(ips) : null;
    },
    setQuota: (path, limit) => {
      if (limit === undefined) delete state.quota[path];
      else state.quota[path] = limit;
    },
    setDelay: (path, ms) => {
      if (ms > 0) state.delays.set(path, ms);
      else state.delays.delete(path);
    },
    addUser: (openid, p = {}) => {
      state.users.set(openid, p);
    },
    issueOAuthCode: (openid, scope = 'snsapi_base') => {
      const code = state.settings.newId('CODE_').slice(0, 37);
      state.oauthCodes.set(code, { openid, scope, used: false });
      return code;
    },
    failNext: (path, errcode, times = 1) => {
      state.failures.set(path, [...(state.failures.get(path) ?? []), ...Array.from({ length: times }, () => errcode)]);
    },
    store: state.store,
    addMedia: (type, bytes, contentType) => {
      const id = state.settings.newId('MEDIA_');
      const media = state.store.media;
      media.set(id, { type, data: bytes, contentType, filename: `${type}-upload`, createdAt: Math.floor(state.settings.now() / 1000) });
      // The chat uploads a file per picture: a long session keeps the newest only.
      while (media.size > 100) media.delete(media.keys().next().value as string);
      return id;
    },
    clearRequests: () => {
      state.requests.length = 0;
    },
  };
}
