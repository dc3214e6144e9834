/**
 * The inspector at /__wxmp: the page, a JSON API over the exchanges, a live
 * feed (server-sent events) and replay, as recorded or edited. Mounted behind
 * the loopback guard by the dev server; it never exists in production.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isWxmpError } from '../../errors.js';
import { requestFromXml, type Credentials } from '../../emulator/request.js';
import type { Exchange } from '../../server/exchange.js';
import { cdata } from '../../wechat/xml.js';
import { PAGE_HEADERS } from '../pages/headers.js';
import { I18N_SCRIPT } from '../pages/i18n.js';
import { inspectorPage } from './page.js';
import { INSPECTOR_SCRIPT } from './script.js';
import { sendLine } from './send-line.js';
import type { ExchangeStore } from './store.js';
import { INSPECTOR_STYLE } from './style.js';

/** Options of {@link createInspectorApp}. */
export interface InspectorOptions {
  store: ExchangeStore;
  /** Sends a recorded request again (the dev server's `replay`); the new exchange reaches the store on its own. */
  replay(exchange: Exchange): Promise<Response>;
  /** Links to other dev pages, e.g. `[{ path: 'chat', title: 'Chat emulator' }]`. */
  links?: Array<{ path: string; title: string }>;
  /** To sign and encrypt an edited message (per exchange when several accounts are served); without them only replays as recorded are possible. */
  credentials?: Credentials | ((exchange: Exchange) => Credentials | undefined);
  /** The dev server's port, for "copy as `wxmp send`". */
  port?: number;
}

/** The body of an edited replay: the whole message XML, or just a text message's new content. */
function editedXml(ex: Exchange, body: { xml?: unknown; content?: unknown }): string | undefined {
  if (typeof body.xml === 'string' && body.xml.trim()) return body.xml;
  if (typeof body.content === 'string' && ex.xml) {
    // A function, so `$&`, `$'` and `$$` in what the user typed stay literal instead of being replacement patterns.
    const content = `<Content>${cdata(body.content)}</Content>`;
    return ex.xml.replace(/<Content>[\s\S]*?<\/Content>/, () => content);
  }
  return undefined;
}

/**
 * @example
 * main.route('/__wxmp', createInspectorApp({ store, replay: apps.replay }));
 */
export function createInspectorApp(options: InspectorOptions): Hono {
  const { store } = options;
  const credentialsFor = (ex: Exchange) => (typeof options.credentials === 'function' ? options.credentials(ex) : options.credentials);
  const app = new Hono();
  // Mounted with app.route(), a sub-app's notFound gives way to the parent's: the catch-all below answers instead.
  const notFound = () => new Response(`not found: the dev pages are /__wxmp (inspector)${(options.links ?? []).map((l) => `, /__wxmp/${l.path}/`).join('')}`, { status: 404, headers: { 'Content-Type': 'text/plain; charset=UTF-8' } });
  const page = () => new Response(inspectorPage(options.links ?? [], store.max), { headers: { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=UTF-8' } });
  app.get('/', () => page());
  app.get('/inspector.css', (c) => c.body(INSPECTOR_STYLE, 200, { ...PAGE_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/inspector.js', (c) => c.body(`${I18N_SCRIPT}\n${INSPECTOR_SCRIPT}`, 200, { ...PAGE_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/api/exchanges', (c) => c.json(store.list()));
  app.delete('/api/exchanges', (c) => {
    store.clear();
    return c.json({ cleared: true });
  });
  app.get('/api/exchanges/:id', (c) => {
    const ex = store.get(c.req.param('id'));
    const json = store.detailJson(c.req.param('id'));
    if (!ex || !json) return c.json({ error: `no exchange ${c.req.param('id')} (the inspector keeps the latest ${store.max} only)`, gone: true }, 404);
    // Appended, not merged: the stored JSON is already redacted as a whole.
    const extra = JSON.stringify({ sendLine: sendLine(ex.message, { mode: ex.mode, port: options.port, account: ex.account }) ?? null, canEdit: !!credentialsFor(ex) && ex.kind === 'message' && !!ex.xml });
    return c.body(`${json.slice(0, -1)},${extra.slice(1)}`, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.post('/api/exchanges/:id/replay', async (c) => {
    const ex = store.get(c.req.param('id'));
    if (!ex) return c.json({ error: `no exchange ${c.req.param('id')} to replay (the server no longer keeps it)` }, 404);
    if (ex.kind === 'other') return c.json({ error: 'only WeChat requests (verification and messages) can be replayed' }, 400);
    const body = (c.req.header('content-type')?.startsWith('application/json') ? await c.req.json().catch(() => ({})) : {}) as { xml?: unknown; content?: unknown };
    let request: Exchange = ex;
    const xml = editedXml(ex, body);
    if (xml !== undefined) {
      const credentials = credentialsFor(ex);
      if (!credentials || ex.kind !== 'message') return c.json({ error: 'only messages can be edited before a replay' }, 400);
      try {
        const sealed = requestFromXml(xml, { ...credentials, mode: ex.mode ?? 'plaintext' });
        request = { ...ex, query: sealed.query, rawBody: sealed.body };
      } catch (error) {
        if (isWxmpError(error)) return c.json({ error: error.message }, 400);
        throw error;
      }
    }
    const before = new Set(store.list().map((s) => s.id));
    const res = await options.replay(request);
    const text = await res.text();
    const replayed = store.list().find((s) => !before.has(s.id) && s.replayOf === ex.id);
    return c.json({ status: res.status, body: text, id: replayed?.id, edited: xml !== undefined });
  });
  app.get('/api/events', (c) => streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const queue: Array<{ event: string; data: string }> = [];
    const unsubscribe = store.subscribe((e) => {
      queue.push(e.kind === 'clear' ? { event: 'clear', data: '{}' } : { event: e.kind, data: JSON.stringify(e.summary) });
      wake?.();
    });
    let open = true;
    stream.onAbort(() => { open = false; unsubscribe(); wake?.(); });
    await stream.writeSSE({ event: 'hello', data: JSON.stringify({ max: store.max }), retry: 1000 });
    while (open) {
      while (queue.length) await stream.writeSSE(queue.shift()!);
      // Wake on news, or every 15 s for a comment line that keeps proxies from closing the stream.
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 15_000).unref(); });
      if (!queue.length && open) await stream.write(': keep-alive\n\n');
    }
  }));
  // The page also answers at /__wxmp/ (with the slash), as people type it.
  app.get('*', (c) => (c.req.path === `${c.req.routePath.replace(/\/?\*$/, '')}/` ? page() : notFound()));
  return app;
}
