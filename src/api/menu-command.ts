/** `wxmp menu push <file>` and `wxmp menu show`: the custom menu from the command line. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadEnv, type Env } from '../config.js';
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
  const config = parseApiConfig(options.env ?? loadEnv(cwd));
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
