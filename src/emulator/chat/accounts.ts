/**
 * The accounts the chat page can talk to: the first (`default`) and any further
 * ones, each with its own callback URL and credentials. Their Tokens and keys
 * stay on this machine; the page only ever names an account.
 */
import { ConfigError } from '../../errors.js';
import type { ChatTarget } from './index.js';

/** A further account (the first is the chat's `target`, named `default`). */
export interface ChatAccount extends ChatTarget {
  /** As `--account` names it, e.g. `shop`. */
  name: string;
  /** Its API is the mock's too (no AppSecret of its own): the mock's menu and customer-service messages are its. */
  mock?: boolean;
}

/** An account the page named, resolved: the first account's API is the mock whenever there is one. */
export interface PickedAccount { name: string; target: ChatTarget; mock: boolean }

/**
 * @example
 * const { pick } = accountPicker(() => target, [{ name: 'shop', url, token }]);
 * pick('shop').target.url // the shop's callback URL
 * pick('nope') // throws: account: expected one of default, shop, got "nope"
 */
export function accountPicker(first: () => ChatTarget, accounts: ChatAccount[] = []): { names: string[]; pick(name: unknown): PickedAccount } {
  const names = ['default', ...accounts.map((a) => a.name)];
  return {
    names,
    pick(name) {
      // No name: the first account, as before accounts could be picked.
      if (name === undefined || name === '' || name === 'default') return { name: 'default', target: first(), mock: true };
      const a = accounts.find((x) => x.name === name);
      if (!a) throw new ConfigError(`account: expected one of ${names.join(', ')}, got ${JSON.stringify(name)}`);
      return { name: a.name, target: a, mock: !!a.mock };
    },
  };
}
