/**
 * What a bot's handlers and middleware are given and may return. Types and the
 * one check every route shares; the routing itself is in router.ts.
 */
import { ConfigError } from '../errors.js';
import type { WechatClient } from '../api/client.js';
import type { Logger } from '../server/logger.js';
import type { WechatMessage } from './messages.js';
import { checkReply, type Reply } from './replies.js';
import type { SessionStore } from './session.js';

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

/** Fails at registration, not at the first message, when a route is given something that cannot run. */
export function checkHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') throw new ConfigError(`${where}: expected a handler function, got ${typeof handler}`);
}

/** Turns what a handler returned into a checked reply, or null for "no reply". */
export function toReply(result: HandlerResult): Reply | null {
  if (result === undefined || result === null || result === '') return null;
  if (typeof result === 'string') return { type: 'text', content: result };
  checkReply(result);
  return result;
}
