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
  finish(): Promise<string[]>;
}

/**
 * Builds the context for `message`. A store that reads at once is read when a
 * handler first touches ctx.session, so a bot (or a message) that keeps no state
 * pays nothing for it; a store that cannot (Redis) is read up front.
 */
export async function openContext<S extends object>(message: WechatMessage, services: DispatchServices, logger: Logger, store: SessionStore, key: string, rules: SessionRules<S>): Promise<OpenContext<S>> {
  const options = { ttlMs: rules.ttlMs, initial: rules.initial as () => Record<string, unknown> };
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
  return { ctx, finish: async () => (session ? session.save(data as Record<string, unknown>) : []) };
}
