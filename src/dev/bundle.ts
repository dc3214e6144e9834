/**
 * Builds the user's bot (src/app.ts and what it imports) into one ES module
 * with esbuild. Packages stay external, so a rebuild only re-reads the
 * project's own files (~25 ms) and a warm worker has them loaded already.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** A build: the bundle file, its packages (preloaded by the warm worker) and its source files, or the error text. */
export type BuildResult =
  | { ok: true; file: string; externals: string[]; inputs: string[] }
  | { ok: false; error: string };

/** An incremental esbuild context for the bot. */
export interface BotBundler {
  build(): Promise<BuildResult>;
  dispose(): Promise<void>;
}

const LOADERS: Record<string, esbuild.Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };

/**
 * The bundle lives in .wxmp/build, so `import.meta.url` (and dirname, filename)
 * would point there; each file gets its own values back, and
 * `new URL('./data.json', import.meta.url)` keeps working.
 */
function keepImportMeta(): esbuild.Plugin {
  // Most files never mention import.meta: remember that per mtime, so a rebuild re-reads only what changed.
  const cache = new Map<string, { mtimeMs: number; contents?: string }>();
  return {
    name: 'wxmp-keep-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const { mtimeMs } = await stat(args.path);
        let entry = cache.get(args.path);
        if (entry?.mtimeMs !== mtimeMs) {
          const source = await readFile(args.path, 'utf8');
          entry = {
            mtimeMs,
            contents: source.includes('import.meta') ? source
              .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
              .replaceAll('import.meta.filename', JSON.stringify(args.path)) : undefined,
          };
          cache.set(args.path, entry);
        }
        return entry.contents === undefined ? undefined : { contents: entry.contents, loader: LOADERS[extname(args.path)] ?? 'ts' };
      });
    },
  };
}

function formatError(cwd: string, message: esbuild.Message): string {
  const at = message.location;
  if (!at) return message.text;
  return `${relative(cwd, join(cwd, at.file)) || at.file}:${at.line}:${at.column + 1}: ${message.text}\n    ${at.lineText}`;
}

/** src/dev/worker-services.ts, or its compiled .js when wxmp runs from dist/. */
function servicesModule(): string {
  const ts = fileURLToPath(new URL('./worker-services.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./worker-services.js', import.meta.url));
}

/**
 * @example
 * const bundler = await createBundler({ cwd, entry: 'src/app.ts', outDir: '.wxmp/build' });
 * const result = await bundler.build(); // { ok: true, file: '/abs/.wxmp/build/bot-1.mjs', externals: ['hono', ...] }
 */
export async function createBundler(options: { cwd: string; entry: string; outDir: string }): Promise<BotBundler> {
  const outDir = join(options.cwd, options.outDir);
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir)) if (/^bot-\d+\.mjs$/.test(old)) rmSync(join(outDir, old), { force: true });
  const context = await esbuild.context({
    absWorkingDir: options.cwd,
    // The bot, and what its handlers get on their context (sessions, the API client), in one module.
    stdin: {
      contents: [
        `import * as bot from ${JSON.stringify(`./${options.entry.replaceAll('\\', '/')}`)};`,
        `import { createWorkerServices } from ${JSON.stringify(servicesModule())};`,
        'export default bot.default;',
        `export const services = createWorkerServices({ env: process.env, stateDir: ${JSON.stringify(join(options.cwd, '.wxmp'))} });`,
      ].join('\n'),
      resolveDir: options.cwd,
      sourcefile: 'wxmp-dev-entry.js',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Inline source maps let stack traces of load errors point at src/, not the bundle.
    sourcemap: 'inline',
    outfile: join(outDir, 'bot.mjs'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMeta()],
  });
  let count = 0;
  return {
    async build() {
      try {
        const result = await context.rebuild();
        const output = result.outputFiles![0]!;
        // A new file name per build: a worker's module cache never serves a stale copy.
        const file = join(outDir, `bot-${++count}.mjs`);
        writeFileSync(file, output.contents);
        const externals = new Set<string>();
        for (const out of Object.values(result.metafile!.outputs)) for (const i of out.imports) if (i.external) externals.add(i.path);
        const inputs = Object.keys(result.metafile!.inputs).map((path) => join(options.cwd, path));
        return { ok: true, file, externals: [...externals], inputs };
      } catch (error) {
        const failure = error as esbuild.BuildFailure;
        if (!Array.isArray(failure.errors)) return { ok: false, error: String(error) };
        return { ok: false, error: failure.errors.map((m) => formatError(options.cwd, m)).join('\n') };
      }
    },
    dispose: () => context.dispose(),
  };
}
