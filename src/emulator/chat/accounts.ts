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
 * const { pick, all } = accountPicker(() => target, [{ name: 'shop', url, token }], () => ({ mock, mediaBase })); // or a function returning the accounts, read per call
 * pick('shop').target.url // the shop's callback URL
 * pick('nope') // throws: account: expected one of default, shop, got "nope"
 * all().map((a) => a.name) // ['default', 'shop']
 */
export function accountPicker(first: () => ChatTarget, accounts: ChatAccount[] | (() => ChatAccount[]) = [], firstMock: () => AccountMock = () => ({})): { all(): PickedAccount[]; pick(name: unknown): PickedAccount } {
  const list = typeof accounts === 'function' ? accounts : () => accounts;
  const resolve = (a: ChatAccount): PickedAccount => ({ name: a.name, target: a, ...(a.mock === true ? firstMock() : a.mock ? { mock: a.mock, mediaBase: a.mediaBase } : {}) });
  const byDefault = (): PickedAccount => ({ name: 'default', target: first(), ...firstMock() });
  return {
    // One read of a function-given list for all of them: it may read files for every account.
    all: () => [byDefault(), ...list().map(resolve)],
    pick(name) {
      // No name: the first account, as before accounts could be picked.
      if (name === undefined || name === '' || name === 'default') return byDefault();
      const all = list();
      const a = all.find((x) => x.name === name);
      if (!a) throw new ConfigError(`account: expected one of ${['default', ...all.map((x) => x.name)].join(', ')}, got ${JSON.stringify(name)}`);
      return resolve(a);
    },
  };
}
