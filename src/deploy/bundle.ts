import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { DeployError } from '../errors.js';

export interface BundleOptions {
  /** Output folder; emptied first. */
  outDir: string;
  /** Release id, written to package.json and reported by /healthz. */
  release: string;
  /** Git commit of the source, or undefined outside a repository. */
  commit?: string;
  /** True when the working tree had uncommitted changes. */
  dirty?: boolean;
  /** The bot module (default export: a Router); wxmp's own src/app.ts by default (the template checkout's bot). */
  bot?: string;
  /** The project's version for package.json. */
  version?: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** A module of wxmp itself: its TypeScript source in the template checkout, the compiled .js once installed (dist/). */
const own = (dir: string, name: string) => (existsSync(join(dir, `${name}.ts`)) ? join(dir, `${name}.ts`) : join(dir, `${name}.js`));
// CommonJS dependencies bundled into ESM still call require() for node builtins.
const banner = "import { createRequire as __wxmpCreateRequire } from 'node:module'; const require = __wxmpCreateRequire(import.meta.url);";

/** Points src/server/start.ts's `import('../app.js')` at the chosen bot file. */
function botPlugin(bot: string): Plugin {
  return {
    name: 'wxmp-bot',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/app\.js$/ }, (args) => (/[\\/]server[\\/]start\.[jt]s$/.test(args.importer) ? { path: bot } : undefined));
    },
  };
}

/**
 * Writes the release's package.json (its id, version and commit) into `outDir`:
 * the one file of a bundle that differs from release to release.
 *
 * @example
 * writeReleasePackage({ outDir: '.wxmp/deploy/build', release: '20260101-120000-000', version: '1.2.3' });
 */
export function writeReleasePackage(options: BundleOptions): void {
  const pkg = {
    name: 'wxmp-release',
    private: true,
    type: 'module',
    version: options.version ?? '0.0.0',
    release: options.release,
    commit: options.commit ?? null,
    dirty: options.dirty ?? false,
    builtAt: new Date().toISOString(),
    engines: { node: '>=20' },
  };
  writeFileSync(join(options.outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/**
 * Builds a release: server.mjs (the message server with the bot and every
 * dependency inlined, so the server needs only Node), supervisor.mjs and a
 * package.json recording the release, version and commit.
 *
 * @example
 * await bundle({ outDir: '.wxmp/deploy/build', release: '20260101-120000-000', commit: 'abc1234' });
 */
export async function bundle(options: BundleOptions): Promise<{ files: string[]; bytes: number; inputs: string[] }> {
  const bot = resolve(options.bot ?? own(join(here, '..'), 'app'));
  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(options.outDir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: banner },
    logLevel: 'silent',
    metafile: true,
    legalComments: 'none',
  } as const;
  try {
    // Loaded here, not at the top, so nothing that merely imports wxmp pays for esbuild.
    const { build } = await import('esbuild');
    const server = await build({ ...common, entryPoints: [own(here, 'worker')], outfile: join(options.outDir, 'server.mjs'), plugins: [botPlugin(bot)] });
    const supervisor = await build({ ...common, entryPoints: [own(here, 'supervisor')], outfile: join(options.outDir, 'supervisor.mjs') });
    writeReleasePackage(options);
    const outputs = { ...server.metafile.outputs, ...supervisor.metafile.outputs };
    const bytes = Object.values(outputs).reduce((sum, o) => sum + o.bytes, 0);
    // Every file the bundle was built from, so `npm start` can tell when to build again.
    const inputs = [...new Set([...Object.keys(server.metafile.inputs), ...Object.keys(supervisor.metafile.inputs)])].map((f) => resolve(f));
    return { files: ['server.mjs', 'supervisor.mjs', 'package.json'], bytes, inputs };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new DeployError('bundle', `the production bundle failed to build: ${first?.text ?? (error as Error).message}${where}. Fix the error above (npx tsc --noEmit shows it too) and deploy again.`, { cause: error });
  }
}
