/**
 * The browser chat with the bot: a Hono app serving a phone-like page and the
 * endpoints it calls. Mount it in the dev server behind its loopback guard
 * (e.g. at `/__wxmp/chat`); every URL the page uses is relative to that mount.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ConfigError, isWxmpError } from '../../errors.js';
import type { MockApi } from '../mock-api/index.js';
import type { Mode } from '../../wechat/protocol.js';
import { buildRequest, EMULATOR_USER, type Credentials } from '../request.js';
import { sendRequest } from '../send.js';
import { actionFromJson } from './actions.js';
import { PAGE } from './page.js';
import { SCRIPT } from './script.js';

/** Where and how the chat sends: the callback URL and WeChat's credentials for it. */
export interface ChatTarget extends Credentials {
  url: string;
  /** Default: safe when an EncodingAESKey is set, else plaintext. */
  mode?: Mode;
  /** The emulated user. Default the emulator's stable fake OpenID. */
  user?: string;
  /** How long WeChat waits for each try. Default 5000. */
  timeoutMs?: number;
}

/** What the chat uses of the mock API. */
export type ChatMock = Pick<MockApi, 'menu' | 'subscribe'>;

export interface ChatOptions {
  /** The target, or a function returning it (read per message, so a restarted dev server is followed). */
  target: ChatTarget | (() => ChatTarget);
  /**
   * The mock WeChat API: its published menu becomes the chat's menu, its customer-service
   * messages appear in the chat. A function is read per page and stream, for a mock created later.
   */
  mock?: ChatMock | (() => ChatMock | undefined);
  /** Seconds between SSE keep-alive comments. Default 15. */
  keepAliveSeconds?: number;
  /** Ends the open event streams when aborted, so the server that mounts the chat can close promptly. */
  signal?: AbortSignal;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // News pictures come from anywhere, as in WeChat; scripts and calls only from here.
  'Content-Security-Policy': "default-src 'self'; img-src * data:; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

/**
 * @example
 * const chat = createChatApp({ target: { url: 'http://127.0.0.1:3000/', token, appId, encodingAESKey }, mock });
 * devApp.route('/__wxmp/chat', chat); // behind the dev server's loopback guard
 */
export function createChatApp(options: ChatOptions): Hono {
  if (typeof options?.target !== 'function' && typeof options?.target?.url !== 'string') {
    throw new ConfigError(`createChatApp(): target: expected { url, token, ... } or a function returning it, got ${typeof options?.target}`);
  }
  const target = (): ChatTarget => (typeof options.target === 'function' ? options.target() : options.target);
  const mock = (): ChatMock | undefined => (typeof options.mock === 'function' ? options.mock() : options.mock);
  const keepAliveMs = (options.keepAliveSeconds ?? 15) * 1000;
  const app = new Hono();

  // Relative URLs need the trailing slash: "/__wxmp/chat" would resolve "send" to "/__wxmp/send".
  app.get('/', (c) => (c.req.path.endsWith('/') ? c.html(PAGE, 200, SECURITY_HEADERS) : c.redirect(`${c.req.path.split('/').pop()}/`, 308)));
  app.get('/app.js', (c) => c.body(SCRIPT, 200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }));

  app.get('/state', (c) => {
    const t = target();
    return c.json({ url: t.url, user: t.user ?? EMULATOR_USER, mode: t.mode ?? (t.encodingAESKey ? 'safe' : 'plaintext'), menu: mock()?.menu ?? null }, 200, SECURITY_HEADERS);
  });

  app.post('/send', async (c) => {
    // JSON only: a cross-site form cannot send it without a preflight this app never answers.
    if (!c.req.header('content-type')?.startsWith('application/json')) {
      return c.json({ error: 'expected Content-Type: application/json' }, 415);
    }
    try {
      const action = actionFromJson(await c.req.json().catch(() => undefined));
      const t = target();
      const mode = t.mode ?? (t.encodingAESKey ? 'safe' : 'plaintext');
      const request = buildRequest(action, { ...t, mode });
      // Like WeChat: no answer in time, the same message again, 3 tries in all.
      const result = await sendRequest({ url: t.url, action, request, credentials: t, retry: true, timeoutMs: t.timeoutMs });
      return c.json({ action, mode, msgId: request.msgId, tries: result.tries.map(({ body: _body, ...rest }) => rest), verdict: result.verdict }, 200, SECURITY_HEADERS);
    } catch (error) {
      if (isWxmpError(error)) return c.json({ error: error.message }, 400);
      throw error;
    }
  });

  app.get('/events', (c) => streamSSE(c, async (stream) => {
    const user = target().user ?? EMULATOR_USER;
    const off = mock()?.subscribe((event) => {
      if (event.kind === 'customer-message' && event.openid === user) void stream.writeSSE({ event: 'message', data: JSON.stringify(event.message) });
      if (event.kind === 'menu') void stream.writeSSE({ event: 'menu', data: JSON.stringify(event.menu) });
    });
    let wake: () => void = () => {};
    const stop = () => wake();
    stream.onAbort(stop);
    options.signal?.addEventListener('abort', stop);
    const open = () => !stream.aborted && !stream.closed && !options.signal?.aborted;
    try {
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (open()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, keepAliveMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (open()) await stream.write(': keep-alive\n\n');
      }
    } finally {
      off?.();
      options.signal?.removeEventListener('abort', stop);
    }
  }));

  // Mounted with app.route(), "/" matches the mount point without its slash only; this serves it with one.
  app.get('*', (c) => (c.req.path === `${c.req.routePath.replace(/\/?\*$/, '')}/` ? c.html(PAGE, 200, SECURITY_HEADERS) : c.notFound()));
  return app;
}
