/**
 * The browser chat with the bot: a Hono app serving a phone-like page and the
 * endpoints it calls. Mount it in the dev server behind its loopback guard
 * (e.g. at `/__wxmp/chat`); every URL the page uses is relative to that mount.
 */
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ConfigError, isWxmpError } from '../../errors.js';
import type { MockApi } from '../mock-api/index.js';
import type { Mode } from '../../wechat/protocol.js';
import { buildRequest, EMULATOR_USER, type Credentials } from '../request.js';
import { sendRequest } from '../send.js';
import { PAGE_HEADERS } from '../../dev/pages/headers.js';
import { accountPicker, type ChatAccount } from './accounts.js';
import { actionFromJson } from './actions.js';
import { PAGE } from './page.js';
import { SCRIPT } from './script.js';
import { STYLE } from './style.js';

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

export type { ChatAccount } from './accounts.js';

/** What the chat uses of the mock API; with `addMedia`, pictures and voice files are hosted by it. */
export type ChatMock = Pick<MockApi, 'menu' | 'subscribe'> & Partial<Pick<MockApi, 'addMedia'>>;

/** The chat's fake followers, switchable on the page: the emulator's user and two more. */
export const CHAT_USERS = [EMULATOR_USER, 'oWxmpEmulatorUser00000000002', 'oWxmpEmulatorUser00000000003'];

/** What the dev server tells the chat about the exchange a message made: its inspector entry and error. */
export type ExchangeFinder = (message: { user: string; createTime: number; msgId?: string }) => { id: string; error?: string } | undefined;

export interface ChatOptions {
  /** The target, or a function returning it (read per message, so a restarted dev server is followed). */
  target: ChatTarget | (() => ChatTarget);
  /** Further accounts, picked on the page: each conversation goes to its URL, signed with its Token and its key. A function is read per request. */
  accounts?: ChatAccount[] | (() => ChatAccount[]);
  /**
   * The mock WeChat API: its published menu becomes the chat's menu, its customer-service
   * messages appear in the chat. A function is read per page and stream, for a mock created later.
   */
  mock?: ChatMock | (() => ChatMock | undefined);
  /** Seconds between SSE keep-alive comments. Default 15. */
  keepAliveSeconds?: number;
  /** Ends the open event streams when aborted, so the server that mounts the chat can close promptly. */
  signal?: AbortSignal;
  /** Where the mock API is served (e.g. `http://127.0.0.1:80/__wxmp/mock-api`): uploaded files get URLs under it. */
  mediaBase?: string;
  /** Finds the inspector's entry for a sent message, so a handler error links to it. */
  findExchange?: ExchangeFinder;
  /** The inspector page's path, for those links. Default `/__wxmp` when `findExchange` is given. */
  inspectorPath?: string;
}

const MAX_UPLOAD = 5 * 1024 * 1024;
const MODES: Mode[] = ['plaintext', 'compatible', 'safe'];

const SECURITY_HEADERS = PAGE_HEADERS;

/**
 * @example
 * const chat = createChatApp({ target: { url: 'http://127.0.0.1:3000/', token, appId, encodingAESKey }, mock });
 * devApp.route('/__wxmp/chat', chat); // behind the dev server's loopback guard
 */
export function createChatApp(options: ChatOptions): Hono {
  if (typeof options?.target !== 'function' && typeof options?.target?.url !== 'string') {
    throw new ConfigError(`createChatApp(): target: expected { url, token, ... } or a function returning it, got ${typeof options?.target}`);
  }
  const mock = (): ChatMock | undefined => (typeof options.mock === 'function' ? options.mock() : options.mock);
  const { all, pick } = accountPicker(() => (typeof options.target === 'function' ? options.target() : options.target), options.accounts, () => ({ mock: mock(), mediaBase: options.mediaBase }));
  // The account of a GET (?account=NAME), or the 400 that names the configured ones.
  const chosen = (c: Context) => {
    try {
      return pick(c.req.query('account'));
    } catch (error) {
      if (isWxmpError(error)) return c.json({ error: error.message }, 400);
      throw error;
    }
  };
  const keepAliveMs = (options.keepAliveSeconds ?? 15) * 1000;
  const app = new Hono();

  // Relative URLs need the trailing slash: "/__wxmp/chat" would resolve "send" to "/__wxmp/send".
  app.get('/', (c) => (c.req.path.endsWith('/') ? c.html(PAGE, 200, SECURITY_HEADERS) : c.redirect(`${c.req.path.split('/').pop()}/`, 308)));
  app.get('/app.js', (c) => c.body(SCRIPT, 200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/app.css', (c) => c.body(STYLE, 200, { ...SECURITY_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }));

  const users = (t: ChatTarget) => {
    const own = t.user ?? EMULATOR_USER;
    return [own, ...CHAT_USERS.filter((u) => u !== own)];
  };
  const modes = (t: ChatTarget) => (t.encodingAESKey && t.appId ? MODES : ['plaintext' as const]);
  const defaultMode = (t: ChatTarget) => t.mode ?? (t.encodingAESKey ? 'safe' : 'plaintext');
  app.get('/state', (c) => {
    const account = chosen(c);
    if (account instanceof Response) return account;
    const t = account.target;
    const list = users(t);
    // Names and paths only: the Token and the keys stay on this machine.
    const accounts = all().map((a) => ({ value: a.name, label: `${a.name} · ${new URL(a.target.url).pathname}` }));
    return c.json({
      url: t.url, account: account.name, accounts, user: list[0], users: list.map((u, i) => ({ value: u, label: `${i + 1} · …${u.slice(-6)}` })),
      mode: defaultMode(t), modes: modes(t), menu: account.mock?.menu ?? null,
      upload: !!(account.mock?.addMedia && account.mediaBase), inspector: options.findExchange ? options.inspectorPath ?? '/__wxmp' : null,
    }, 200, SECURITY_HEADERS);
  });

  // A picture or voice file from the page: kept by the account's mock API (it never leaves this machine), which serves it to the bot.
  app.post('/upload', async (c) => {
    const account = chosen(c);
    if (account instanceof Response) return account;
    const { mock: m, mediaBase } = account;
    if (!m?.addMedia || !mediaBase) return c.json({ error: `no mock WeChat API to host files for account ${account.name} (the dev server mounts one for each account without an AppSecret)` }, 400);
    const type = c.req.query('type');
    if (type !== 'image' && type !== 'voice') return c.json({ error: `type: expected image or voice, got ${JSON.stringify(type ?? null)}` }, 400);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0 || bytes.byteLength > MAX_UPLOAD) return c.json({ error: `expected a file of 1 byte to ${MAX_UPLOAD / 1024 / 1024} MB, got ${bytes.byteLength} bytes` }, 400);
    const contentType = c.req.header('content-type') ?? 'application/octet-stream';
    const mediaId = m.addMedia(type, bytes, contentType);
    return c.json({ mediaId, url: `${mediaBase.replace(/\/+$/, '')}/mmbiz/${mediaId}` }, 200, SECURITY_HEADERS);
  });

  app.post('/send', async (c) => {
    // JSON only: a cross-site form cannot send it without a preflight this app never answers.
    if (!c.req.header('content-type')?.startsWith('application/json')) {
      return c.json({ error: 'expected Content-Type: application/json' }, 415);
    }
    try {
      const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      const action = actionFromJson(body);
      const t = pick(body?.account).target;
      const mode = body?.mode === undefined ? defaultMode(t) : body.mode;
      if (!modes(t).includes(mode as Mode)) throw new ConfigError(`mode: expected ${modes(t).join(', ')}, got ${JSON.stringify(mode)}${t.encodingAESKey ? '' : ' (compatible and safe mode need WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID)'}`);
      const user = body?.user === undefined ? users(t)[0] : body.user;
      if (typeof user !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(user)) throw new ConfigError(`user: expected an OpenID (6-64 letters, digits, _ or -), got ${JSON.stringify(user)}`);
      const request = buildRequest(action, { ...t, mode: mode as Mode, user });
      // Like WeChat: no answer in time, the same message again, 3 tries in all.
      const result = await sendRequest({ url: t.url, action, request, credentials: t, retry: true, timeoutMs: t.timeoutMs });
      const exchange = options.findExchange?.({ user, createTime: request.createTime, msgId: request.msgId });
      return c.json({ action, mode, user, msgId: request.msgId, tries: result.tries.map(({ body: _body, ...rest }) => rest), verdict: result.verdict, exchange }, 200, SECURITY_HEADERS);
    } catch (error) {
      if (isWxmpError(error)) return c.json({ error: error.message }, 400);
      throw error;
    }
  });

  app.get('/events', (c) => {
    const account = chosen(c);
    if (account instanceof Response) return account;
    return events(c, account.target.user, account.mock);
  });
  const events = (c: Context, own: string | undefined, ofMock: ChatMock | undefined) => streamSSE(c, async (stream) => {
    const user = c.req.query('user') || (own ?? EMULATOR_USER);
    // An account with its own API has no mock: neither a mock menu nor customer-service messages.
    const off = ofMock ? ofMock.subscribe((event) => {
      if (event.kind === 'customer-message' && event.openid === user) void stream.writeSSE({ event: 'message', data: JSON.stringify(event.message) });
      if (event.kind === 'menu') void stream.writeSSE({ event: 'menu', data: JSON.stringify(event.menu) });
    }) : undefined;
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
  });

  // Mounted with app.route(), "/" matches the mount point without its slash only; this serves it with one.
  app.get('*', (c) => (c.req.path === `${c.req.routePath.replace(/\/?\*$/, '')}/` ? c.html(PAGE, 200, SECURITY_HEADERS) : c.notFound()));
  return app;
}
