/**
 * Several Official Accounts in one server. The first is configured by the
 * plain WECHAT_* variables; each further one by the same variables with a
 * suffix naming it, e.g. WECHAT_TOKEN_SHOP, WECHAT_PATH_SHOP, WECHAT_APP_ID_SHOP,
 * WECHAT_APP_SECRET_SHOP, WECHAT_ENCODING_AES_KEY_SHOP, WECHAT_LATE_REPLY_SHOP.
 * Each needs its own path; PORT, HOST, REDIS_URL and the deadline are shared.
 */
import { parseServerConfig, type Env, type ServerConfig } from './config.js';
import { ConfigError } from './errors.js';

/** One account's settings; `name` is `default` for the unsuffixed one, else the suffix in lowercase. */
export type AccountConfig = ServerConfig & { name: string };

const PER_ACCOUNT = ['WECHAT_TOKEN', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_ENCODING_AES_KEY', 'WECHAT_PATH', 'WECHAT_LATE_REPLY', 'WECHAT_MODE'];

/**
 * The accounts configured in `env`, the unsuffixed one first.
 *
 * @example
 * parseAccounts({ WECHAT_TOKEN: 'a1b2c3', WECHAT_TOKEN_SHOP: 'shop123', WECHAT_PATH_SHOP: '/shop' })
 * // [{ name: 'default', path: '/', ... }, { name: 'shop', path: '/shop', token: 'shop123', ... }]
 */
export function parseAccounts(env: Env, defaults: { port?: number } = {}): AccountConfig[] {
  const accounts: AccountConfig[] = [{ ...parseServerConfig(env, defaults), name: 'default' }];
  for (const suffix of suffixes(env)) {
    if (!env[`WECHAT_PATH_${suffix}`]?.trim()) {
      throw new ConfigError(`WECHAT_PATH_${suffix}: expected the callback path of account ${suffix.toLowerCase()} (e.g. /${suffix.toLowerCase()}), got nothing; each account needs its own path`);
    }
    const own = accountEnv(env, suffix);
    let config: ServerConfig;
    try {
      config = parseServerConfig(own, defaults);
    } catch (error) {
      // Name the suffixed variable the user actually set.
      if (error instanceof ConfigError) throw new ConfigError(error.message.replace(new RegExp(`\\b(${PER_ACCOUNT.join('|')})\\b`, 'g'), `$1_${suffix}`), { cause: error });
      throw error;
    }
    accounts.push({ ...config, name: suffix.toLowerCase() });
  }
  const seen = new Map<string, string>();
  for (const a of accounts) {
    const other = seen.get(a.path);
    if (other) throw new ConfigError(`WECHAT_PATH${a.name === 'default' ? '' : `_${a.name.toUpperCase()}`}: expected a path of its own, got ${JSON.stringify(a.path)}, which account ${other} uses already`);
    seen.set(a.path, a.name);
  }
  return accounts;
}

/** The suffixes of the further accounts (those with a WECHAT_TOKEN_<NAME>), sorted. */
function suffixes(env: Env): string[] {
  return Object.keys(env).map((k) => /^WECHAT_TOKEN_([A-Z0-9]+)$/.exec(k)?.[1]).filter((s): s is string => !!s && !!env[`WECHAT_TOKEN_${s}`]?.trim()).sort();
}

/**
 * The account a command's `--account` names, checked against the accounts
 * `env` configures: undefined for the first (`default`, or no flag), else the
 * name in lowercase.
 *
 * @example
 * selectAccount({ WECHAT_TOKEN: 'a', WECHAT_TOKEN_SHOP: 'b' }, 'SHOP') // 'shop'
 * selectAccount({ WECHAT_TOKEN: 'a' }, 'shop') // throws: expected one of the accounts configured ... (default), got "shop"
 */
export function selectAccount(env: Env, name: string | undefined): string | undefined {
  const wanted = name?.toLowerCase();
  if (wanted === undefined || wanted === 'default') return undefined;
  const names = suffixes(env).map((s) => s.toLowerCase());
  if (names.includes(wanted)) return wanted;
  const hint = /^[a-z0-9]+$/.test(wanted) ? `; a further account needs WECHAT_TOKEN_${wanted.toUpperCase()} and WECHAT_PATH_${wanted.toUpperCase()} in .env or the environment` : '';
  throw new ConfigError(`--account: expected one of the accounts configured in .env or the environment (${['default', ...names].join(', ')}), got ${JSON.stringify(name)}${hint}`);
}

/**
 * `env` as account `name` sees it: its suffixed variables in place of the plain
 * ones (WECHAT_TOKEN_SHOP as WECHAT_TOKEN), the shared ones (PORT, REDIS_URL) as they are.
 * `default` is `env` itself.
 *
 * @example
 * accountEnv({ WECHAT_TOKEN: 'a', WECHAT_TOKEN_SHOP: 'b' }, 'shop').WECHAT_TOKEN // 'b'
 */
export function accountEnv(env: Env, name: string): Env {
  if (name === 'default') return env;
  const suffix = name.toUpperCase();
  const own: Env = { ...env };
  for (const key of PER_ACCOUNT) own[key] = env[`${key}_${suffix}`];
  return own;
}

/**
 * Every account's secrets (Token, EncodingAESKey, AppSecret), for one redactor
 * that keeps all of them out of logs, the inspector and the terminal.
 *
 * @example
 * createRedactor(accountSecrets(parseAccounts(env)))
 */
export function accountSecrets(accounts: Array<Pick<ServerConfig, 'token' | 'encodingAESKey' | 'appSecret'>>): Array<string | undefined> {
  return accounts.flatMap((a) => [a.token, a.encodingAESKey, a.appSecret]);
}
