/**
 * The bot's router: registration (text, type, event, fallback, middleware) and
 * dispatch, one message per user at a time. What handlers get is in
 * handler.ts, how a route is picked in routes.ts, the session-backed context in
 * handler-context.ts.
 */
import { ConfigError } from '../errors.js';
import type { Logger } from '../server/logger.js';
import type { EventType, MessageType, TextMessage, WechatEvent, WechatMessage } from './messages.js';
import type { Reply } from './replies.js';
import { MemorySessionStore, SESSION_TTL_MS, sessionKey, type SessionStore } from './session.js';
import { checkHandler, toReply, type DispatchServices, type Handler, type HandlerContext, type Middleware, type SessionData } from './handler.js';
import { MessageContext, openContext, type SessionRules } from './handler-context.js';
import { RouteTable } from './routes.js';

export { toReply } from './handler.js';
export type { DispatchServices, Handler, HandlerContext, HandlerResult, Middleware, SessionData } from './handler.js';

/** Options of {@link createRouter}. */
export interface RouterOptions<S extends object> {
  session?: {
    /** Overrides the server's store (memory in `npm start`, a file under .wxmp/ in `npm run dev`, Redis with REDIS_URL). */
    store?: SessionStore;
    /** Forget a session this long after its last change. Default one day. */
    ttlMs?: number;
    /** A new user's session. Default `{}`. */
    initial?: () => S;
  };
}

const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m, e) => console.error(m, ...(e === undefined ? [] : [e])),
};

/**
 * Routes messages to handlers: by text keyword or RegExp, by message type, by
 * event (and EventKey), with a fallback. The first match wins, in that order of
 * specificity, whatever the order of registration. Middleware added with
 * {@link Router.use} runs around whichever handler matches, in the order added.
 *
 * @example
 * const router = new Router()
 *   .text('help', () => 'Send me anything')
 *   .text(/^weather (.+)/, (m, { match }) => `Weather in ${match![1]}: sunny`)
 *   .on('image', () => reply.text('Nice picture'))
 *   .event('subscribe', () => 'Welcome!')
 *   .event('CLICK', 'V1001_TODAY', () => 'Today...')
 *   .fallback((m) => `You sent a ${m.type}`);
 */
export class Router<S extends object = SessionData> {
  private readonly middleware: Middleware<S>[] = [];
  private readonly routes = new RouteTable<S>();
  private readonly sessions: SessionStore | undefined;
  private readonly ttlMs: number;
  private readonly initial: () => S;
  /** The session rules every message's context is opened with, built once. */
  private readonly rules: SessionRules<S>;
  /** Per user: the chain running now, so the next message from them waits for its session. */
  private readonly running = new Map<string, Promise<unknown>>();
  private memory: SessionStore | undefined;

  constructor(options: RouterOptions<S> = {}) {
    const ttl = options.session?.ttlMs;
    if (ttl !== undefined && (!Number.isFinite(ttl) || ttl <= 0)) throw new ConfigError(`createRouter(): session.ttlMs: expected a positive number of ms, got ${String(ttl)}`);
    const store = options.session?.store;
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) throw new ConfigError(`createRouter(): session.store: expected a SessionStore (get, set), got ${typeof store}`);
    this.sessions = store;
    this.ttlMs = ttl ?? SESSION_TTL_MS;
    this.initial = options.session?.initial ?? (() => ({}) as S);
    this.rules = { ttlMs: this.ttlMs, initial: this.initial };
  }

  /**
   * Adds middleware around every handler, after decryption and de-duplication.
   * Errors and the reply deadline cover the whole chain.
   *
   * @example
   * router.use(async (ctx, next) => {
   *   const started = Date.now();
   *   const reply = await next();
   *   ctx.logger.info(`handled ${ctx.message.type} in ${Date.now() - started} ms`);
   *   return reply;
   * });
   */
  use(middleware: Middleware<S>): this {
    checkHandler(middleware, 'router.use()');
    this.middleware.push(middleware);
    return this;
  }

  /** Text messages equal to `keyword` (trimmed, case-insensitive) or matching a RegExp. */
  text(pattern: string | RegExp, handler: Handler<TextMessage, S>): this {
    checkHandler(handler, 'router.text()');
    this.routes.addText(pattern, handler);
    return this;
  }

  /** Messages of one MsgType (text, image, voice, ...). */
  on<T extends MessageType | 'unknown'>(type: T, handler: Handler<Extract<WechatMessage, { type: T }>, S>): this {
    checkHandler(handler, `router.on('${type}')`);
    this.routes.addType(type, handler);
    return this;
  }

  /** Events by name, optionally only those with a given EventKey (or QR scene) or matching a RegExp. */
  event<E extends EventType>(event: E, handler: Handler<Extract<WechatEvent, { event: E }>, S>): this;
  event<E extends EventType>(event: E, key: string | RegExp, handler: Handler<Extract<WechatEvent, { event: E }>, S>): this;
  event(event: EventType, keyOrHandler: string | RegExp | Handler<never, S>, maybeHandler?: Handler<never, S>): this {
    const handler = typeof keyOrHandler === 'function' ? keyOrHandler : maybeHandler;
    checkHandler(handler, `router.event('${event}')`);
    this.routes.addEvent(event, typeof keyOrHandler === 'function' ? undefined : keyOrHandler, handler!);
    return this;
  }

  /** Whatever no other route took. */
  fallback(handler: Handler<WechatMessage, S>): this {
    checkHandler(handler, 'router.fallback()');
    this.routes.setFallback(handler);
    return this;
  }

  /**
   * Runs the middleware and the matching handler with the user's session, and
   * returns the reply, or null for "no reply". Messages from one user run one
   * after another; see src/wechat/session.ts for the rule across processes.
   */
  async dispatch(message: WechatMessage, services: DispatchServices = {}): Promise<Reply | null> {
    const store = this.sessions ?? services.sessions ?? (this.memory ??= new MemorySessionStore());
    const key = sessionKey(message.toUserName, message.fromUserName);
    const previous = this.running.get(key);
    const run = previous ? previous.then(() => this.run(message, services, store, key), () => this.run(message, services, store, key)) : this.run(message, services, store, key);
    this.running.set(key, run);
    try {
      return await run;
    } finally {
      if (this.running.get(key) === run) this.running.delete(key);
    }
  }

  private async run(message: WechatMessage, services: DispatchServices, store: SessionStore, key: string): Promise<Reply | null> {
    const logger = services.logger ?? consoleLogger;
    const opened = openContext<S>(message, services, logger, store, key, this.rules);
    // Awaited only when a promise: a memory session store opens and saves without one, for every message.
    const ctx = opened instanceof Promise ? await opened : opened;
    const chained = this.chain(ctx, 0);
    const reply = chained instanceof Promise ? await chained : chained;
    const finished = MessageContext.finish(ctx);
    const lost = finished instanceof Promise ? await finished : finished;
    if (lost.length > 0) {
      logger.error(`wxmp: SESSION_CONFLICT: another process changed ${lost.map((k) => JSON.stringify(k)).join(', ')} in the session of ${message.fromUserName} while this handler ran; its value was kept and this handler's change to it was not saved`);
    }
    return reply;
  }

  /** The middleware from `index` on, then the routes; a plain value when nothing on the way was async. */
  private chain(ctx: HandlerContext<S>, index: number): Reply | null | Promise<Reply | null> {
    const middleware = this.middleware[index];
    if (!middleware) return this.routes.handle(ctx);
    return this.through(middleware, ctx, index);
  }

  private async through(middleware: Middleware<S>, ctx: HandlerContext<S>, index: number): Promise<Reply | null> {
    let called = false;
    return toReply(await middleware(ctx, async () => {
      if (called) throw new ConfigError('router.use(): next() called twice in one middleware');
      called = true;
      return this.chain(ctx, index + 1);
    }));
  }
}

/**
 * Shorthand for `new Router()`; name the session's shape to type `ctx.session`.
 *
 * @example
 * const router = createRouter<{ step?: 'name' | 'age'; name?: string }>({ session: { ttlMs: 30 * 60_000 } });
 */
export function createRouter<S extends object = SessionData>(options: RouterOptions<S> = {}): Router<S> {
  return new Router<S>(options);
}
