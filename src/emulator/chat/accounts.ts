/**
 * The accounts the chat page can talk to: the first (`default`) and any further
 * ones, each with its own callback URL and credentials. Their Tokens and keys
 * stay on this machine; the page only ever names an account.
 */
import { ConfigError } from '../../errors.js';
import type { ChatMock, ChatTarget } from './index.js';

/** A further account (the first is the chat's `target`, named `default`). */
export interface ChatAccount extends ChatTarget {
  /** As `--account` names it, e.g. `shop`. */
  name: string;
  /**
   * Its mock WeChat API, whose menu and customer-service messages are this account's alone; `true`:
   * the chat's `mock` (shared with the first account). None: an account with its own API has neither.
   */
  mock?: boolean | ChatMock;
  /** With its own `mock`: where that mock is served, for the files uploaded in this account's chat. */
  mediaBase?: string;
}

/** The mock API an account's chat uses, and where it hosts uploaded files. */
export interface AccountMock { mock?: ChatMock; mediaBase?: string }

/** An account the page named, resolved. */
export interface PickedAccount extends AccountMock { name: string; target: ChatTarget }

/**
 * @example
 * const { pick } = accountPicker(() => target, [{ name: 'shop', url, token }], () => ({ mock, mediaBase })); // or a function returning the accounts, read per call
 * pick('shop').target.url // the shop's callback URL
 * pick('nope') // throws: account: expected one of default, shop, got "nope"
 */
export function accountPicker(first: () => ChatTarget, accounts: ChatAccount[] | (() => ChatAccount[]) = [], firstMock: () => AccountMock = () => ({})): { names(): string[]; pick(name: unknown): PickedAccount } {
  const list = typeof accounts === 'function' ? accounts : () => accounts;
  const names = () => ['default', ...list().map((a) => a.name)];
  return {
    names,
    pick(name) {
      // No name: the first account, as before accounts could be picked.
      if (name === undefined || name === '' || name === 'default') return { name: 'default', target: first(), ...firstMock() };
      const a = list().find((x) => x.name === name);
      if (!a) throw new ConfigError(`account: expected one of ${names().join(', ')}, got ${JSON.stringify(name)}`);
      const own: AccountMock = a.mock === true ? firstMock() : a.mock ? { mock: a.mock, mediaBase: a.mediaBase } : {};
      return { name: a.name, target: a, ...own };
    },
  };
}
