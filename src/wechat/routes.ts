/**
 * Which handler a message goes to: text keywords and RegExps, events with a
 * key, events, message types, then the fallback. The order of specificity is
 * fixed here, so the order of registration never decides.
 */
import { ConfigError } from '../errors.js';
import type { EventType, MessageType, WechatEvent, WechatMessage } from './messages.js';
import type { Reply } from './replies.js';
import { toReply, type Handler, type HandlerContext, type HandlerResult } from './handler.js';

type Route = { test: (m: WechatMessage, ctx: HandlerContext<any>) => boolean; handler: Handler<never, any> };

/** The routes of one {@link Router}; handlers are checked by the caller. */
export class RouteTable<S extends object> {
  private readonly keywordRoutes: Route[] = [];
  private readonly typeRoutes: Route[] = [];
  private readonly eventKeyRoutes: Route[] = [];
  private readonly eventRoutes: Route[] = [];
  private fallbackHandler: Handler<WechatMessage, S> | undefined;
  /** The lists above in the order they are tried, built once rather than per message. */
  private readonly inOrder = [this.keywordRoutes, this.eventKeyRoutes, this.eventRoutes, this.typeRoutes];

  /** A keyword matches the trimmed text case-insensitively; a RegExp leaves its match in `ctx.match`. */
  addText(pattern: string | RegExp, handler: Handler<never, S>): void {
    if (typeof pattern === 'string') {
      const keyword = pattern.trim().toLowerCase();
      this.keywordRoutes.push({ test: (m) => m.type === 'text' && m.content.trim().toLowerCase() === keyword, handler });
    } else if (pattern instanceof RegExp) {
      this.keywordRoutes.push({
        test: (m, ctx) => {
          if (m.type !== 'text') return false;
          // A global RegExp keeps its position between messages; every message starts afresh.
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
  }

  addType(type: MessageType | 'unknown', handler: Handler<never, S>): void {
    this.typeRoutes.push({ test: (m) => m.type === type, handler });
  }

  /** Without a key, any event of that name; with one, only those whose EventKey (or QR scene) equals or matches it. */
  addEvent(event: EventType, key: string | RegExp | undefined, handler: Handler<never, S>): void {
    const isEvent = (m: WechatMessage): m is WechatEvent => m.type === 'event' && m.event === event;
    if (key === undefined) {
      this.eventRoutes.push({ test: isEvent, handler });
      return;
    }
    const keyOf = (m: WechatEvent) => ('scene' in m && m.scene ? m.scene : 'eventKey' in m ? m.eventKey ?? '' : '');
    const matches = (k: string) => (typeof key === 'string' ? k === key : key.test(k));
    this.eventKeyRoutes.push({ test: (m) => isEvent(m) && matches(keyOf(m)), handler });
  }

  setFallback(handler: Handler<WechatMessage, S>): void {
    this.fallbackHandler = handler;
  }

  /**
   * Runs the first route that takes the message; null when none does and there is no fallback.
   * A handler's plain value is returned as is, a promise's once it settles: no async frame of
   * its own, which cost every message a promise and a turn of the microtask queue.
   */
  handle(ctx: HandlerContext<S>): Reply | null | Promise<Reply | null> {
    const { message } = ctx;
    for (const routes of this.inOrder) {
      for (const route of routes) {
        if (route.test(message, ctx)) return settle((route.handler as Handler<WechatMessage, S>)(message, ctx));
      }
    }
    return this.fallbackHandler ? settle(this.fallbackHandler(message, ctx)) : null;
  }
}

function settle(result: HandlerResult | PromiseLike<HandlerResult>): Reply | null | Promise<Reply | null> {
  return isThenable(result) ? Promise.resolve(result).then(toReply) : toReply(result);
}

function isThenable(value: unknown): value is PromiseLike<HandlerResult> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
