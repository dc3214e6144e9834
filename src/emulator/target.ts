/**
 * Where `wxmp send` sends, and with which credentials: the flags, else the
 * running dev server (`.wxmp/dev-state.json`), else the environment; the
 * credentials from the environment and .env, else the dev loop's `.wxmp/dev.env`.
 */
import { loadEnv, type Env } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Mode } from '../wechat/protocol.js';
import { withDevCredentials } from '../dev/credentials.js';
import { DEV_ENV_FILE, readDevEnv, readDevState } from '../dev/state.js';
import type { Credentials } from './request.js';
import { accountEnv, selectAccount } from '../accounts.js';
import type { DevState } from '../dev/types.js';
import type { ChatAccount, ChatMock } from './chat/index.js';

export { DEV_ENV_FILE, DEV_STATE_FILE } from '../dev/state.js';

/** `localUrl` + `path`, unless localUrl already carries a path. */
function joinPath(base: string, path = '/'): string {
  const url = new URL(base);
  if (url.pathname !== '/' || path === '/') return base;
  return `${url.origin}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * The callback URL to send to.
 *
 * @example
 * resolveUrl({ cwd: process.cwd(), env: loadEnv() }) // 'http://127.0.0.1:3000/wechat' while `npm run dev` runs
 */
export function resolveUrl(options: { url?: string; port?: number; cwd: string; env: Env; account?: string }): { url: string; source: 'flag' | 'dev-state' | 'env' } {
  const account = options.account && options.account !== 'default' ? options.account : undefined;
  // A further account's path: the running dev server's record of it, else WECHAT_PATH_<NAME>.
  const pathOf = (state: DevState) => {
    if (!account) return state.path;
    const found = state.accounts?.find((a) => a.name === account);
    if (!found) throw new ConfigError(`--account: expected one of the accounts the dev server on port ${state.port} serves (${['default', ...(state.accounts ?? []).map((a) => a.name)].join(', ')}), got ${JSON.stringify(account)}; configure it with WECHAT_TOKEN_${account.toUpperCase()} and WECHAT_PATH_${account.toUpperCase()} in .env`);
    return found.path;
  };
  const envPath = () => (account ? options.env[`WECHAT_PATH_${account.toUpperCase()}`] : options.env.WECHAT_PATH)?.trim() || '/';
  if (options.url !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(options.url)) throw new ConfigError(`--url: expected an http(s) URL such as https://example.com/wechat, got ${JSON.stringify(options.url)}`);
    return { url: options.url, source: 'flag' };
  }
  if (options.port !== undefined) {
    // Another dev server in this checkout (or any server on this port): its own path when it is a dev server.
    const byPort = readDevState(options.cwd, { port: options.port });
    if (byPort) return { url: joinPath(byPort.localUrl, pathOf(byPort)), source: 'dev-state' };
    return { url: `http://127.0.0.1:${options.port}${envPath()}`, source: 'flag' };
  }
  const state = readDevState(options.cwd);
  if (state) return { url: joinPath(state.localUrl, pathOf(state)), source: 'dev-state' };
  // `npm run dev` listens on PORT, port 80 by default.
  const port = options.env.PORT?.trim() || '80';
  const path = envPath();
  return { url: `http://127.0.0.1${port === '80' ? '' : `:${port}`}${path}`, source: 'env' };
}

/**
 * The Token, AppID and EncodingAESKey to sign and encrypt with.
 *
 * @example
 * const creds = resolveCredentials({ cwd: process.cwd(), env: process.env });
 */
export function resolveCredentials(options: { cwd: string; env: Env; account?: string }): Credentials & { source: 'env' | 'dev.env' } {
  const loaded = loadEnv(options.cwd, options.env);
  // Checked as every command checks --account. Only the first account gets generated dev
  // credentials: a further one is always configured.
  const account = selectAccount(loaded, options.account);
  const env = account ? accountEnv(loaded, account) : loaded;
  let source: 'env' | 'dev.env' = 'env';
  let chosen: Env = env;
  if (!env.WECHAT_TOKEN?.trim()) {
    const saved = readDevEnv(options.cwd);
    if (!saved) {
      throw new ConfigError(`WECHAT_TOKEN: expected the Token to sign with, got nothing; set it in .env (or the environment), or run \`npm run dev\`, which writes ${DEV_ENV_FILE}`);
    }
    chosen = withDevCredentials(env, saved).env;
    source = 'dev.env';
    if (!chosen.WECHAT_TOKEN?.trim()) throw new ConfigError(`${DEV_ENV_FILE}: expected a WECHAT_TOKEN line, got none; restart \`npm run dev\` or set WECHAT_TOKEN`);
  }
  const get = (name: string) => chosen[name]?.trim() || undefined;
  return { token: get('WECHAT_TOKEN')!, appId: get('WECHAT_APP_ID'), encodingAESKey: get('WECHAT_ENCODING_AES_KEY'), source };
}

/** `--port`: a TCP port number. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new ConfigError(`--port: expected a port number from 1 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** The mode to send in: the flag, else safe when a key is set (WeChat's recommended mode), else plaintext. */
export function resolveMode(flag: string | undefined, credentials: Credentials): Mode {
  if (flag === undefined) return credentials.encodingAESKey ? 'safe' : 'plaintext';
  if (flag !== 'plaintext' && flag !== 'compatible' && flag !== 'safe') throw new ConfigError(`--mode: expected plaintext, compatible or safe, got ${JSON.stringify(flag)}`);
  return flag;
}

/**
 * Where the chat page sends while `npm run dev` runs: read per message from the
 * files the dev loop writes, so a restart on another port is followed. With
 * `account`, that further account's path and credentials.
 *
 * @example
 * createChatApp({ target: devTarget({ cwd: process.cwd(), env: process.env }), mock: () => dev.mockApi })
 */
export function devTarget(options: { cwd: string; env: Env; account?: string }): () => Credentials & { url: string } {
  return () => {
    const { source: _source, ...credentials } = resolveCredentials(options);
    return { ...credentials, url: resolveUrl({ cwd: options.cwd, env: loadEnv(options.cwd, options.env), account: options.account }).url };
  };
}

/**
 * The further accounts the running `npm run dev` serves, for a chat mounted next to it:
 * read per request like {@link devTarget}, each with its path and its own credentials.
 * `mock` gives an account's own mock API (the dev server's `accountMocks`).
 *
 * @example
 * createChatApp({ target: devTarget({ cwd, env }), accounts: devChatAccounts({ cwd, env, mock: (name) => dev.accountMocks[name] }), mock: () => dev.mockApi })
 */
export function devChatAccounts(options: { cwd: string; env: Env; mock?: (name: string) => ChatMock | undefined; mediaBase?: (name: string) => string | undefined }): () => ChatAccount[] {
  return () => (readDevState(options.cwd)?.accounts ?? []).map(({ name }) => {
    const mock = options.mock?.(name);
    return { name, ...devTarget({ ...options, account: name })(), ...(mock && { mock, mediaBase: options.mediaBase?.(name) }) };
  });
}
