/**
 * The inspector at /__wxmp: the page, a JSON API over the exchanges, a live
 * feed (server-sent events) and replay. Mounted behind the loopback guard by
 * the dev server; it never exists in production.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Exchange } from '../../server/exchange.js';
import type { ExchangeStore } from './store.js';
import { inspectorPage } from './page.js';

/** Options of {@link createInspectorApp}. */
export interface InspectorOptions {
  store: ExchangeStore;
  /** Sends a recorded request again (the dev server's `replay`); the new exchange reaches the store on its own. */
  replay(exchange: Exchange): Promise<Response>;
  /** Links to other dev pages, e.g. `[{ path: 'chat', title: 'Chat emulator' }]`. */
  links?: Array<{ path: string; title: string }>;
}

/**
 * @example
 * main.route('/__wxmp', createInspectorApp({ store, replay: apps.replay }));
 */
export function createInspectorApp(options: InspectorOptions): Hono {
  const { store } = options;
  const app = new Hono();
  app.get('/', (c) => c.html(inspectorPage(options.links ?? [])));
  app.get('/api/exchanges', (c) => c.json(store.list()));
  app.get('/api/exchanges/:id', (c) => {
    const json = store.detailJson(c.req.param('id'));
    return json ? c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' }) : c.json({ error: `no exchange ${c.req.param('id')} (the inspector keeps the latest ones only)` }, 404);
  });
  app.post('/api/exchanges/:id/replay', async (c) => {
    const ex = store.get(c.req.param('id'));
    if (!ex) return c.json({ error: `no exchange ${c.req.param('id')} to replay` }, 404);
    if (ex.kind === 'other') return c.json({ error: 'only WeChat requests (verification and messages) can be replayed' }, 400);
    const before = new Set(store.list().map((s) => s.id));
    const res = await options.replay(ex);
    const body = await res.text();
    const replayed = store.list().find((s) => !before.has(s.id));
    return c.json({ status: res.status, body, id: replayed?.id });
  });
  app.get('/api/events', (c) => streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const queue: string[] = [];
    const unsubscribe = store.subscribe((summary) => { queue.push(JSON.stringify(summary)); wake?.(); });
    let open = true;
    stream.onAbort(() => { open = false; unsubscribe(); wake?.(); });
    await stream.writeSSE({ event: 'hello', data: '{}' });
    while (open) {
      while (queue.length) await stream.writeSSE({ event: 'exchange', data: queue.shift()! });
      // Wake on news, or every 15 s for a comment line that keeps proxies from closing the stream.
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 15_000).unref(); });
      if (!queue.length && open) await stream.write(': keep-alive\n\n');
    }
  }));
  return app;
}
