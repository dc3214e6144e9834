/**
 * The context one message's chain runs with, and the saving of its session
 * once the chain is done.
 */
import type { Logger } from '../server/logger.js';
import type { WechatMessage } from './messages.js';
import { openSession, openSessionSync, type OpenSession, type SessionStore } from './session.js';
import type { DispatchServices, HandlerContext } from './handler.js';

/** How a router keeps sessions: see RouterOptions.session. */
export interface SessionRules<S> {
  ttlMs: number;
  initial: () => S;
}

const NONE: string[] = Object.freeze([]) as unknown as string[];

/**
 * Builds the context for `message`. A store that reads at once is read when a
 * handler first touches ctx.session, so a bot (or a message) that keeps no state
 * pays nothing for it; a store that cannot (Redis) is read up front.
 */
export function openContext<S extends object>(message: WechatMessage, services: DispatchServices, logger: Logger, store: SessionStore, key: string, rules: SessionRules<S>): MessageContext<S> | Promise<MessageContext<S>> {
  const options = rules as unknown as SessionRules<Record<string, unknown>>;
  // With a store read at once the context is built without a promise: this runs for every message.
  if (store.getSync) return new MessageContext<S>(message, services, logger, store, key, options, undefined);
  return openSession(store, key, options).then((session) => new MessageContext<S>(message, services, logger, store, key, options, session));
}

/**
 * One message's {@link HandlerContext}. A class, not an object literal with a
 * getter and closures: those were built anew for every message, a sixth of
 * dispatching one. What handlers do not need stays in private fields.
 */
export class MessageContext<S extends object> implements HandlerContext<S> {
  readonly openid: string;
  readonly client: DispatchServices['client'];
  readonly account: string | undefined;
  match?: RegExpMatchArray;
  #opened: OpenSession | undefined;
  #data: S | undefined;
  readonly #store: SessionStore;
  readonly #key: string;
  readonly #options: SessionRules<Record<string, unknown>>;

  constructor(readonly message: WechatMessage, services: DispatchServices, readonly logger: Logger, store: SessionStore, key: string, options: SessionRules<Record<string, unknown>>, opened: OpenSession | undefined) {
    this.openid = message.fromUserName;
    this.client = services.client;
    this.account = services.account;
    this.#store = store;
    this.#key = key;
    this.#options = options;
    this.#opened = opened;
    this.#data = opened?.data as S | undefined;
  }

  get session(): S {
    if (!this.#opened) this.#data = this.#open().data as S;
    return this.#data as S;
  }

  set session(value: S) {
    this.#open();
    this.#data = value;
  }

  #open(): OpenSession {
    return (this.#opened ??= openSessionSync(this.#store as Parameters<typeof openSessionSync>[0], this.#key, this.#options));
  }

  /** Saves the session if the chain touched it; resolves to the keys another process changed meanwhile (kept as theirs). */
  static finish(context: MessageContext<object>): string[] | Promise<string[]> {
    return context.#opened ? context.#opened.save(context.#data as Record<string, unknown>) : NONE;
  }
}
