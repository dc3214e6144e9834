import { ConfigError } from '../errors.js';
import type { WechatClient } from '../api/client.js';
import type { Logger } from '../server/logger.js';
import type { EventType, MessageType, TextMessage, WechatEvent, WechatMessage } from './messages.js';
import { checkReply, type Reply } from './replies.js';
import { MemorySessionStore, openSession, openSessionSync, SESSION_TTL_MS, sessionKey, type OpenSession, type SessionStore } from './session.js';

/** What a handler may return: a string (a text reply), a typed reply, or nothing (WeChat gets `success`). */
export type HandlerResult = string | Reply | null | undefined | void;

/** A session's shape when the bot does not name one. */
export type SessionData = Record<string, any>;

/** Passed to every middleware and handler. */
export interface HandlerContext<S extends object = SessionData> {
  /** The message or event, decrypted and typed. */
  message: WechatMessage;
  /** The sender's OpenID (`message.fromUserName`). */
  openid: string;
  /**
   * This user's conversation state: change it freely; it is saved when the chain
   * ends without an error. Read from the store on first use (memory and file
   * stores), so handlers that never touch it cost no read and no write.
   */
  session: S;
  /** The WeChat API client, when an AppSecret is configured (the dev loop's mock otherwise). */
  client?: WechatClient;
  logger: Logger;
  /** The account's name when one server serves several (`default` for the first). */
  account?: string;
  /** For a text handler registered with a RegExp: the match. */
  match?: RegExpMatchArray;
}

export type Handler<M extends WechatMessage = WechatMessage, S extends object = SessionData> = (message: M, context: HandlerContext<S>) => HandlerResult | Promise<HandlerResult>;

/**
 * Runs around the handlers. `next()` runs the rest of the chain and resolves to
 * its reply; return it, return something else, or skip `next()` to answer alone.
 */
export type Middleware<S extends object = SessionData> = (context: HandlerContext<S>, next: () => Promise<Reply | null>) => HandlerResult | Promise<HandlerResult>;

/** What the server passes to {@link Router.dispatch}; every field is optional. */
export interface DispatchServices {
  /** Where sessions live when the router has no store of its own. */
  sessions?: SessionStore;
  client?: WechatClient;
  logger?: Logger;
  /** The account's name, when one server serves several. */
  account?: string;
}

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

type Route = { test: (m: WechatMessage, ctx: HandlerContext<any>) => boolean; handler: Handler<never, any> };

function checkHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') throw new ConfigError(`${where}: expected a handler function, got ${typeof handler}`);
}

/** Turns what a handler returned into a checked reply, or null for "no reply". */
export function toReply(result: HandlerResult): Reply | null {
  if (result === undefined || result === null || result === '') return null;
  if (typeof result === 'string') return { type: 'text', content: result };
  checkReply(result);
  return result;
}

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
  private readonly keywordRoutes: Route[] = [];
  private readonly typeRoutes: Route[] = [];
  private readonly eventKeyRoutes: Route[] = [];
  private readonly eventRoutes: Route[] = [];
  private fallbackHandler: Handler<WechatMessage, S> | undefined;
  private readonly sessions: SessionStore | undefined;
  private readonly ttlMs: number;
  private readonly initial: () => S;
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
    if (typeof pattern === 'string') {
      const keyword = pattern.trim().toLowerCase();
      this.keywordRoutes.push({ test: (m) => m.type === 'text' && m.content.trim().toLowerCase() === keyword, handler });
    } else if (pattern instanceof RegExp) {
      this.keywordRoutes.push({
        test: (m, ctx) => {
          if (m.type !== 'text') return false;
          pattern.lastIndex = 0;
          const match = m.content.match(pattern);
          if (match) ctx.match = match;
          return match !== null;
        },
        handler,
      });
    } else {
      throw new ConfigError(`router.text(): expected a keyword string or a RegExp, got ${typeof pattern}`);
    }
    return this;
  }

  /** Messages of one MsgType (text, image, voice, ...). */
  on<T extends MessageType | 'unknown'>(type: T, handler: Handler<Extract<WechatMessage, { type: T }>, S>): this {
    checkHandler(handler, `router.on('${type}')`);
    this.typeRoutes.push({ test: (m) => m.type === type, handler });
    return this;
  }

  /** Events by name, optionally only those with a given EventKey (or QR scene) or matching a RegExp. */
  event<E extends EventType>(event: E, handler: Handler<Extract<WechatEvent, { event: E }>, S>): this;
  event<E extends EventType>(event: E, key: string | RegExp, handler: Handler<Extract<WechatEvent, { event: E }>, S>): this;
  event(event: EventType, keyOrHandler: string | RegExp | Handler<never, S>, maybeHandler?: Handler<never, S>): this {
    const handler = typeof keyOrHandler === 'function' ? keyOrHandler : maybeHandler;
    checkHandler(handler, `router.event('${event}')`);
    const isEvent = (m: WechatMessage): m is WechatEvent => m.type === 'event' && m.event === event;
    if (typeof keyOrHandler === 'function') {
      this.eventRoutes.push({ test: isEvent, handler: handler! });
    } else {
      const key = keyOrHandler;
      const keyOf = (m: WechatEvent) => ('scene' in m && m.scene ? m.scene : 'eventKey' in m ? m.eventKey ?? '' : '');
      const matches = (k: string) => (typeof key === 'string' ? k === key : key.test(k));
      this.eventKeyRoutes.push({ test: (m) => isEvent(m) && matches(keyOf(m)), handler: handler! });
    }
    return this;
  }

  /** Whatever no other route took. */
  fallback(handler: Handler<WechatMessage, S>): this {
    checkHandler(handler, 'router.fallback()');
    this.fallbackHandler = handler;
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
    const options = { ttlMs: this.ttlMs, initial: this.initial as () => Record<string, unknown> };
    // A store that reads at once is read when a handler first touches ctx.session, so a
    // bot (or a message) that keeps no state pays nothing for it; Redis is read up front.
    let session: OpenSession | undefined = store.getSync ? undefined : await openSession(store, key, options);
    let data = session?.data as S;
    const open = (): OpenSession => (session ??= openSessionSync(store as Parameters<typeof openSessionSync>[0], key, options));
    const ctx: HandlerContext<S> = {
      message,
      openid: message.fromUserName,
      get session(): S {
        if (!session) data = open().data as S;
        return data;
      },
      set session(value: S) {
        open();
        data = value;
      },
      client: services.client,
      logger,
      account: services.account,
    };
    const reply = await this.chain(ctx, 0);
    const lost = session ? await session.save(data as Record<string, unknown>) : [];
    if (lost.length > 0) {
      logger.error(`wxmp: SESSION_CONFLICT: another process changed ${lost.map((k) => JSON.stringify(k)).join(', ')} in the session of ${message.fromUserName} while this handler ran; its value was kept and this handler's change to it was not saved`);
    }
    return reply;
  }

  private async chain(ctx: HandlerContext<S>, index: number): Promise<Reply | null> {
    const middleware = this.middleware[index];
    if (!middleware) return this.route(ctx);
    let called = false;
    return toReply(await middleware(ctx, () => {
      if (called) throw new ConfigError('router.use(): next() called twice in one middleware');
      called = true;
      return this.chain(ctx, index + 1);
    }));
  }

  private async route(ctx: HandlerContext<S>): Promise<Reply | null> {
    const { message } = ctx;
    for (const routes of [this.keywordRoutes, this.eventKeyRoutes, this.eventRoutes, this.typeRoutes]) {
      for (const route of routes) {
        if (route.test(message, ctx)) return toReply(await (route.handler as Handler<WechatMessage, S>)(message, ctx));
      }
    }
    return this.fallbackHandler ? toReply(await this.fallbackHandler(message, ctx)) : null;
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
