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

/** A context plus `finish()`, which saves what the chain changed. */
export interface OpenContext<S extends object> {
  ctx: HandlerContext<S>;
  /** Saves the session if the chain touched it; resolves to the keys another process changed meanwhile (kept as theirs). */
  finish(): string[] | Promise<string[]>;
}

const NONE: string[] = Object.freeze([]) as unknown as string[];

/**
 * Builds the context for `message`. A store that reads at once is read when a
 * handler first touches ctx.session, so a bot (or a message) that keeps no state
 * pays nothing for it; a store that cannot (Redis) is read up front.
 */
export function openContext<S extends object>(message: WechatMessage, services: DispatchServices, logger: Logger, store: SessionStore, key: string, rules: SessionRules<S>): OpenContext<S> | Promise<OpenContext<S>> {
  const options = rules as unknown as SessionRules<Record<string, unknown>>;
  // With a store read at once the context is built without a promise: this runs for every message.
  if (store.getSync) return buildContext(message, services, logger, store, key, options, undefined);
  return openSession(store, key, options).then((session) => buildContext(message, services, logger, store, key, options, session));
}

function buildContext<S extends object>(message: WechatMessage, services: DispatchServices, logger: Logger, store: SessionStore, key: string, options: SessionRules<Record<string, unknown>>, opened: OpenSession | undefined): OpenContext<S> {
  let session = opened;
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
  return { ctx, finish: () => (session ? session.save(data as Record<string, unknown>) : NONE) };
}
