/**
 * `wxmp start` / `npm start`: runs the production bundle, the same server.mjs a
 * deploy ships, under plain node. The bundle is built on demand into
 * .wxmp/start and rebuilt only when one of the files it was built from changed,
 * so no TypeScript is compiled while the server runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnv } from '../config.js';
import { requireBot } from '../bot-entry.js';
import { bundle } from '../deploy/bundle.js';
import { stampFresh, writeStamp } from '../deploy/bundle-stamp.js';

/**
 * Builds .wxmp/start/server.mjs unless it is up to date; resolves to its path.
 * The bot is `botArg` (`wxmp start ./bot.js`), else WXMP_BOT, package.json's
 * `"wxmp": { "bot" }` or src/app.ts (see findBot).
 *
 * @example
 * const server = await productionBundle(process.cwd()); // '.../.wxmp/start/server.mjs'
 */
export async function productionBundle(cwd: string, botArg?: string): Promise<string> {
  const dir = join(cwd, '.wxmp', 'start');
  const pkg = join(cwd, 'package.json');
  const version = existsSync(pkg) ? String((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
  const bot = requireBot(cwd, { arg: botArg, env: loadEnv(cwd) })?.file;
  const stamp = join(dir, 'inputs.json');
  // Another bot named (an argument, WXMP_BOT, package.json) is another bundle.
  const key = { version, bot: bot ?? null };
  if (!stampFresh(stamp, key) || !existsSync(join(dir, 'server.mjs'))) {
    const built = await bundle({ outDir: dir, release: `start-${version}`, version, bot });
    writeStamp(stamp, [...built.inputs, ...(existsSync(pkg) ? [pkg] : [])], key);
  }
  return join(dir, 'server.mjs');
}

/** Runs the bundle in a child node and resolves to its exit code; SIGTERM and SIGINT are passed on. */
export async function startBundled(cwd = process.cwd(), botArg?: string): Promise<number> {
  const server = await productionBundle(cwd, botArg);
  const child = spawn(process.execPath, [server], { cwd, stdio: 'inherit', env: { npm_package_version: undefined, ...process.env } });
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGINT', forward('SIGINT'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
