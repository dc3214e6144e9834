/**
 * `wxmp start` / `npm start`: runs the production bundle, the same server.mjs a
 * deploy ships, under plain node. The bundle is built on demand into
 * .wxmp/start and rebuilt only when one of the files it was built from changed,
 * so no TypeScript is compiled while the server runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from '../deploy/bundle.js';

interface Stamp { inputs: Array<[string, number, number]>; version: string }

function stampOf(files: string[], version: string): Stamp {
  return { inputs: files.map((f) => { const s = statSync(f); return [f, s.mtimeMs, s.size]; }), version };
}

function fresh(dir: string, version: string): boolean {
  try {
    const saved = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as Stamp;
    if (saved.version !== version || !existsSync(join(dir, 'server.mjs'))) return false;
    return saved.inputs.every(([f, mtime, size]) => { const s = statSync(f); return s.mtimeMs === mtime && s.size === size; });
  } catch {
    return false;
  }
}

/**
 * Builds .wxmp/start/server.mjs unless it is up to date; resolves to its path.
 *
 * @example
 * const server = await productionBundle(process.cwd()); // '.../.wxmp/start/server.mjs'
 */
export async function productionBundle(cwd: string): Promise<string> {
  const dir = join(cwd, '.wxmp', 'start');
  const pkg = join(cwd, 'package.json');
  const version = existsSync(pkg) ? String((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
  const bot = join(cwd, 'src', 'app.ts');
  if (!fresh(dir, version)) {
    const built = await bundle({ outDir: dir, release: `start-${version}`, version, bot: existsSync(bot) ? bot : undefined });
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(stampOf([...built.inputs, ...(existsSync(pkg) ? [pkg] : [])], version)));
  }
  return join(dir, 'server.mjs');
}

/** Runs the bundle in a child node and resolves to its exit code; SIGTERM and SIGINT are passed on. */
export async function startBundled(cwd = process.cwd()): Promise<number> {
  const server = await productionBundle(cwd);
  const child = spawn(process.execPath, [server], { cwd, stdio: 'inherit', env: { npm_package_version: undefined, ...process.env } });
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGINT', forward('SIGINT'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
