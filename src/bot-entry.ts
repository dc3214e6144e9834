/**
 * Which file is the user's bot, for `wxmp start`, `wxmp deploy` and `npm run
 * dev` alike. Installed from npm, wxmp must never fall back to its own example
 * bot: a production server answering with an echo bot is worse than an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './config.js';
import { ConfigError } from './errors.js';

/** The conventional places, in order: the template's src/app.ts, or its JavaScript twin. */
export const BOT_FILES = ['src/app.ts', 'src/app.mts', 'src/app.js', 'src/app.mjs'];

/** Where the bot was found, for the messages that name it. */
export type BotSource = 'argument' | 'WXMP_BOT' | 'package.json' | 'convention';

/** True when this copy of wxmp runs from node_modules (installed), not from the template checkout. */
export const installed = fileURLToPath(import.meta.url).split(sep).includes('node_modules');

function packageBot(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { wxmp?: { bot?: unknown } };
    const bot = pkg.wxmp?.bot;
    if (bot === undefined) return undefined;
    if (typeof bot !== 'string' || !bot.trim()) throw new ConfigError(`package.json: "wxmp": { "bot" }: expected the path of your bot module (e.g. "src/bot.ts"), got ${JSON.stringify(bot)}`);
    return bot;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return undefined;
  }
}

/**
 * The bot module of the project in `cwd`: the command's argument, else
 * WXMP_BOT, else package.json's `"wxmp": { "bot": "..." }`, else the first of
 * {@link BOT_FILES} that exists. Undefined when none is set and none exists.
 * A file named explicitly must exist.
 *
 * @example
 * findBot('/my-site', { env: process.env }) // { file: '/my-site/src/app.ts', source: 'convention' }
 * findBot('/my-site', { arg: './bot.js', env: {} }) // { file: '/my-site/bot.js', source: 'argument' }
 */
export function findBot(cwd: string, options: { arg?: string; env?: Env } = {}): { file: string; source: BotSource } | undefined {
  // Lazily: a broken package.json entry matters only when nothing before it names the bot.
  const named: Array<[BotSource, () => string | undefined]> = [['argument', () => options.arg], ['WXMP_BOT', () => options.env?.WXMP_BOT?.trim() || undefined], ['package.json', () => packageBot(cwd)]];
  for (const [source, read] of named) {
    const path = read();
    if (path === undefined) continue;
    const file = isAbsolute(path) ? path : resolve(cwd, path);
    if (!existsSync(file)) {
      const where = source === 'argument' ? 'the command line' : source === 'WXMP_BOT' ? 'WXMP_BOT' : 'package.json "wxmp": { "bot" }';
      throw new ConfigError(`${where}: expected your bot module (default export: createRouter()...), got ${JSON.stringify(path)}, which does not exist in ${cwd}`);
    }
    return { file, source };
  }
  for (const path of BOT_FILES) if (existsSync(join(cwd, path))) return { file: join(cwd, path), source: 'convention' };
  return undefined;
}

/**
 * {@link findBot}, or an error saying how to name the bot when wxmp is
 * installed; undefined in the template checkout, whose own src/app.ts is then
 * the bot.
 *
 * @example
 * const bot = requireBot(process.cwd(), { env: loadEnv() })?.file;
 */
export function requireBot(cwd: string, options: { arg?: string; env?: Env } = {}): { file: string; source: BotSource } | undefined {
  const found = findBot(cwd, options);
  if (found || !installed) return found;
  throw new ConfigError(`no bot found in ${cwd}: expected src/app.ts (or src/app.js) exporting createRouter()... as default; or name the file: \`wxmp start ./bot.js\`, WXMP_BOT=./bot.js in .env, or "wxmp": { "bot": "./bot.js" } in package.json`);
}

/** The bot's path as the messages show it: relative to the project when inside it. */
export function botLabel(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
