/**
 * The dev server's two Hono apps. The main one (the developer's browser, the
 * emulator, `wxmp verify`) has the production routes plus the dev pages under
 * /__wxmp, loopback only. The tunnel one has the production routes alone, so
 * nothing that arrives through the tunnel can reach a dev page.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Hono } from 'hono';
import { ConfigError } from '../errors.js';
import type { ServerConfig } from '../config.js';
import type { MockApi } from '../emulator/mock-api/index.js';
import { createApp, type AppOptions } from '../server/app.js';
import { rawQuery } from '../server/query.js';
import type { Exchange } from '../server/exchange.js';
import { MemoryDedupStore } from '../wechat/dedup.js';
import type { Router } from '../wechat/router.js';
import { accountCredentials } from './dev-accounts.js';
import { createInspectorApp } from './inspector/app.js';
import type { ExchangeStore } from './inspector/store.js';
import { loopbackOnly } from './loopback.js';
import { PROBE_USER_AGENT } from './tunnel-probe.js';
import type { Context } from 'hono';

/** A page or API mounted under `/__wxmp/<path>`, behind the loopback guard (e.g. the emulator's chat page). */
export interface DevPanel {
  /** One path segment, e.g. `chat`. */
  path: string;
  app: Hono;
  /** Shown on the inspector's page as a link. */
  title?: string;
}

/** Options of {@link createDevApps}: the production app's, plus the dev pages. */
export interface DevAppsOptions extends Omit<AppOptions, 'router' | 'config'> {
  config: ServerConfig;
  /** The bot; `ready: false` (no good version loaded yet) makes the callback answer 502 at once. */
  router: Pick<Router, 'dispatch'> & { readonly ready?: boolean };
  panels?: DevPanel[];
  /** Mounted at `/__wxmp/mock-api` when given. */
  mockApi?: MockApi;
  /** Further accounts' own mocks by account name, each mounted at `/__wxmp/mock-api-<name>`. */
  accountMocks?: Record<string, MockApi>;
  /** The exchanges the inspector at `/__wxmp` shows; no inspector without it. */
  store?: ExchangeStore;
  /** The port the developer reaches this server on, for the inspector's "copy as `wxmp send`". */
  port?: number;
}

/** The two apps and the replay used by the inspector. */
export interface DevApps {
  main: Hono;
  tunnel: Hono;
  /** Sends a recorded request again to the current bot, past de-duplication; the new exchange is reported as usual. */
  replay(exchange: Exchange): Promise<Response>;
}

/** Per request: adds the headers and source address to the exchange the callback reports. */
const requestMeta = new AsyncLocalStorage<(ex: Exchange) => Record<string, unknown>>();

const PANEL_PATH = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Where a mock WeChat API is mounted under `/__wxmp`: the first account's at `mock-api`, a
 * further account's beside it (not inside: its name could be one of the API's own paths, like `sns`).
 *
 * @example
 * mockApiPath() // 'mock-api'
 * mockApiPath('shop') // 'mock-api-shop'
 */
export function mockApiPath(account?: string): string {
  return account === undefined ? 'mock-api' : `mock-api-${account}`;
}

function checkPanels(panels: DevPanel[]): void {
  for (const p of panels) {
    if (typeof p?.path !== 'string' || !PANEL_PATH.test(p.path) || p.path.startsWith('mock-api') || p.path === 'api') {
      throw new ConfigError(`createDevApps: panels[].path: expected one lowercase path segment other than "api", "mock-api" and "mock-api-<account>" (e.g. "chat"), got ${JSON.stringify(p?.path)}`);
    }
    if (panels.filter((q) => q.path === p.path).length > 1) throw new ConfigError(`createDevApps: panels: expected each path once, got "${p.path}" twice (the dev server mounts its chat page at "chat")`);
    if (typeof p.app?.fetch !== 'function') throw new ConfigError(`createDevApps: panels "${p.path}": expected a Hono app, got ${typeof p.app}`);
  }
}

/**
 * @example
 * const { main, tunnel } = createDevApps({ config, router: host, panels: [{ path: 'chat', app: createChatApp(...) }] });
 * // main.fetch on the developer's port, tunnel.fetch on the listener the tunnel client connects to
 */
export function createDevApps(options: DevAppsOptions): DevApps {
  const { panels = [], mockApi, accountMocks = {}, store, router, config, port: _port, ...rest } = options;
  checkPanels(panels);
  let counter = 0;
  const accounts = rest.accounts ?? [];
  // Every account's callback: the first one's, then one per WECHAT_PATH_<NAME>.
  const paths = [config.path, ...accounts.map((a) => a.path)];
  // A sub-app's notFound does not carry over when it is mounted: each app gets it.
  const notFound = (c: Context) => c.text(`not found: the WeChat callback${paths.length > 1 ? 's are' : ' is'} at ${paths.join(', ')} (WECHAT_PATH${paths.length > 1 ? ', WECHAT_PATH_<NAME>' : ''})`, 404);
  const credentials = (ex: Exchange) => accountCredentials(config, accounts, ex.account);
  const production = (dedupStore = rest.dedupStore, report = rest.onExchange) => {
    const app = new Hono();
    // The inspector shows each request's headers and source address: the exchange gets them here.
    const onExchange = report && ((ex: Exchange) => report(Object.assign(ex, requestMeta.getStore()?.(ex))));
    // The WeChat callback reports its own exchanges; every other request gets its log line here.
    // The dev pages' own traffic (the live feed, the browser's favicon) and the tunnel keeper's probes stay out.
    app.use('*', async (c, next) => {
      if (paths.includes(c.req.path) || c.req.path.startsWith('/__wxmp') || c.req.path === '/favicon.ico' || c.req.header('user-agent') === PROBE_USER_AGENT) return next();
      const time = Date.now();
      const started = performance.now();
      await next();
      onExchange?.({ id: `${time.toString(36)}-o${(counter++).toString(36)}`, time, method: c.req.method, path: c.req.path, query: {}, status: c.res.status, durationMs: performance.now() - started, kind: 'other' });
    });
    const callback = async (c: Context, next: () => Promise<void>) => {
      let recorded: Exchange | undefined;
      const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
      const meta = (ex: Exchange) => { recorded = ex; return { requestHeaders: Object.fromEntries(c.req.raw.headers), peer }; };
      await requestMeta.run(meta, () => guarded(c, next));
      // The response's headers are known only now; the stored exchange is the same object.
      if (recorded) Object.assign(recorded, { responseHeaders: Object.fromEntries(c.res.headers) });
    };
    for (const path of paths) app.use(path, callback);
    const guarded = async (c: Context, next: () => Promise<void>) => {
      if (router.ready === false && c.req.method !== 'OPTIONS') {
        // Fail fast: WeChat gives up after 5 s anyway, and the developer sees why at once. The
        // handshake fails too, so `wxmp verify` does not call a server that cannot answer messages OK.
        const time = Date.now();
        const message = 'bot not loaded: fix the error in the dev terminal and save';
        const kind = c.req.method === 'POST' ? 'message' : c.req.method === 'GET' || c.req.method === 'HEAD' ? 'verify' : 'other';
        const account = accounts.length ? accounts.find((a) => a.path === c.req.path)?.name ?? 'default' : undefined;
        onExchange?.({ id: `${time.toString(36)}-n${(counter++).toString(36)}`, time, method: c.req.method, path: c.req.path, ...(account && { account }), query: rawQuery(c.req.url), status: 502, durationMs: 0, kind, responseBody: message, error: { code: 'BOT_NOT_LOADED', message: 'src/app.ts has no working version loaded; the request was not handled' } });
        c.res = c.text(message, 502);
        return;
      }
      await next();
    };
    app.route('/', createApp({ ...rest, dedupStore, onExchange, config, router }));
    app.notFound(notFound);
    return app;
  };

  const tunnel = production();
  const main = new Hono();
  main.use('/__wxmp', loopbackOnly());
  main.use('/__wxmp/*', loopbackOnly());
  if (mockApi) main.route(`/__wxmp/${mockApiPath()}`, mockApi.app);
  for (const [name, mock] of Object.entries(accountMocks)) main.route(`/__wxmp/${mockApiPath(name)}`, mock.app);
  for (const panel of panels) main.route(`/__wxmp/${panel.path}`, panel.app);
  main.route('/', tunnel);
  main.notFound(notFound);

  async function replay(ex: Exchange): Promise<Response> {
    const query = new URLSearchParams(ex.query).toString();
    const url = `http://localhost${ex.path}${query ? `?${query}` : ''}`;
    // A fresh de-dup store: a replay is meant to run the (new) code, not fetch the stored answer.
    const tagged = (replayed: Exchange) => rest.onExchange?.(Object.assign(replayed, { replayOf: ex.id }));
    return production(new MemoryDedupStore(), tagged).request(url, { method: ex.method, body: ex.method === 'POST' ? ex.rawBody ?? '' : undefined, headers: { 'content-type': 'text/xml' } });
  }
  if (store) {
    const links = panels.map((p) => ({ path: p.path, title: p.title ?? p.path }));
    main.route('/__wxmp', createInspectorApp({ store, replay, links, credentials, port: options.port }));
  }
  return { main, tunnel, replay };
}
