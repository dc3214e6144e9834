import { ConfigError } from '../errors.js';
import type { EventType, MessageType, TextMessage, WechatEvent, WechatMessage } from './messages.js';
import { checkReply, type Reply } from './replies.js';

/** What a handler may return: a string (a text reply), a typed reply, or nothing (WeChat gets `success`). */
export type HandlerResult = string | Reply | null | undefined | void;

/** Passed to every handler beside the message. */
export interface HandlerContext {
  /** For a text handler registered with a RegExp: the match. */
  match?: RegExpMatchArray;
}

export type Handler<M extends WechatMessage = WechatMessage> = (message: M, context: HandlerContext) => HandlerResult | Promise<HandlerResult>;

type Route = { test: (m: WechatMessage, ctx: HandlerContext) => boolean; handler: Handler<never> };

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
 * specificity, whatever the order of registration.
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
export class Router {
  private readonly keywordRoutes: Route[] = [];
  private readonly typeRoutes: Route[] = [];
  private readonly eventKeyRoutes: Route[] = [];
  private readonly eventRoutes: Route[] = [];
  private fallbackHandler: Handler | undefined;

  /** Text messages equal to `keyword` (trimmed, case-insensitive) or matching a RegExp. */
  text(pattern: string | RegExp, handler: Handler<TextMessage>): this {
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
  on<T extends MessageType | 'unknown'>(type: T, handler: Handler<Extract<WechatMessage, { type: T }>>): this {
    checkHandler(handler, `router.on('${type}')`);
    this.typeRoutes.push({ test: (m) => m.type === type, handler });
    return this;
  }

  /** Events by name, optionally only those with a given EventKey (or QR scene) or matching a RegExp. */
  event<E extends EventType>(event: E, handler: Handler<Extract<WechatEvent, { event: E }>>): this;
  event<E extends EventType>(event: E, key: string | RegExp, handler: Handler<Extract<WechatEvent, { event: E }>>): this;
  event(event: EventType, keyOrHandler: string | RegExp | Handler<never>, maybeHandler?: Handler<never>): this {
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
  fallback(handler: Handler): this {
    checkHandler(handler, 'router.fallback()');
    this.fallbackHandler = handler;
    return this;
  }

  /** Runs the matching handler and returns its reply, or null for "no reply". */
  async dispatch(message: WechatMessage): Promise<Reply | null> {
    const context: HandlerContext = {};
    for (const routes of [this.keywordRoutes, this.eventKeyRoutes, this.eventRoutes, this.typeRoutes]) {
      for (const route of routes) {
        if (route.test(message, context)) return toReply(await (route.handler as Handler)(message, context));
      }
    }
    return this.fallbackHandler ? toReply(await this.fallbackHandler(message, context)) : null;
  }
}

/** Shorthand for `new Router()`. */
export function createRouter(): Router {
  return new Router();
}
