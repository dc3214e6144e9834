/** `wxmp menu push <file>` and `wxmp menu show`: the custom menu from the command line. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { loadEnv, type Env } from '../config.js';
import { readDevState } from '../dev/state.js';
import { validateMenu } from './menu-validate.js';
import { clientFromConfig, createStores, parseApiConfig } from './stores.js';

/** Options of {@link menuCommand}; `env`, `cwd` and `out` default to the process's. */
export interface MenuCommandOptions {
  action: string | undefined;
  file?: string;
  env?: Env;
  cwd?: string;
  out?: (text: string) => void;
}

async function readMenuFile(file: string | undefined): Promise<unknown> {
  if (!file) throw new ConfigError('menu push: expected a JSON file, e.g. `wxmp menu push menu.json`, got nothing');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`menu push: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`menu push: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Without an AppSecret, while `npm run dev` runs its offline mock of the WeChat
 * API, the menu goes to that mock: the dev chat page shows it, and nothing real
 * is touched.
 */
function menuEnv(cwd: string, env: Env): { env: Env; note?: string } {
  if (env.WECHAT_APP_SECRET?.trim()) return { env };
  const mock = readDevState(cwd)?.mockApi;
  if (!mock) return { env };
  return {
    env: { ...env, WECHAT_APP_ID: mock.appId, WECHAT_APP_SECRET: mock.appSecret, WECHAT_API_BASE: mock.base },
    note: `no WECHAT_APP_SECRET: using the dev server's offline mock WeChat API at ${mock.base}\n`,
  };
}

/**
 * Publishes the menu in a JSON file (validated first) or prints the current one.
 * Resolves to the exit code; errors are WxmpErrors with one clear line.
 *
 * @example
 * process.exitCode = await menuCommand({ action: 'push', file: 'menu.json' });
 */
export async function menuCommand(options: MenuCommandOptions): Promise<number> {
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  if (options.action !== 'push' && options.action !== 'show') {
    throw new ConfigError(`expected "push <file>" or "show" after "menu", got ${options.action === undefined ? 'nothing' : JSON.stringify(options.action)}`);
  }
  // Validate before touching credentials or the network, so a typo costs nothing.
  const menu = options.action === 'push' ? validateMenu(await readMenuFile(options.file)) : undefined;
  const cwd = options.cwd ?? process.cwd();
  const { env, note } = menuEnv(cwd, options.env ?? loadEnv(cwd));
  if (note) out(note);
  const config = parseApiConfig(env);
  const stores = createStores(config, { dir: join(cwd, '.wxmp') });
  try {
    const client = clientFromConfig(config, { tokenStore: stores.tokenStore });
    if (menu) {
      await client.menu.create(menu);
      out(`published the menu: ${menu.button.map((b) => b.name).join(' | ')}\n`);
    } else {
      const current = await client.menu.get();
      out(current ? `${JSON.stringify(current, null, 2)}\n` : 'no menu is published\n');
    }
    return 0;
  } finally {
    await stores.close();
  }
}

const USAGE = 'Usage: wxmp menu push <file.json>   publish the menu in the file (checked first)\n       wxmp menu show               print the published menu as JSON\n';

/** `wxmp menu …` from the command line: arguments in, exit code out. */
export async function menuCli(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [action, file] = positionals;
  return menuCommand({ action, file });
}
