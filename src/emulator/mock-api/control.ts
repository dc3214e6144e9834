/** The mock's control surface: what tests and the emulator read from it and change in it. */
import type { Hono } from 'hono';
import type { MockEnv } from './http.js';
import type { MockEvent, MockRequest, MockState } from './state.js';

/** The newest media files kept, as WeChat's temporary media store keeps a bounded number. */
const MAX_MEDIA = 100;

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

/** The control surface over `state`, around the mock's `app`. */
export function controls(app: Hono<MockEnv>, creds: { appId: string; appSecret: string }, state: MockState): MockApi {
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
      while (media.size > MAX_MEDIA) media.delete(media.keys().next().value as string);
      return id;
    },
    clearRequests: () => {
      state.requests.length = 0;
    },
  };
}
