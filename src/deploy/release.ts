/** What a release is made of locally: its id, the git state it records, its bundle. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { botLabel, requireBot } from '../bot-entry.js';
import { bundle, writeReleasePackage } from './bundle.js';
import { dropStamp, stampFresh, writeStamp } from './bundle-stamp.js';

/**
 * A sortable, unique-enough id: UTC time to the millisecond.
 *
 * @example
 * releaseId(new Date('2026-01-02T03:04:05.006Z')) // '20260102-030405-006'
 */
export function releaseId(now = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

/**
 * The commit and whether the working tree has uncommitted changes; undefined outside git.
 *
 * @example
 * gitState(process.cwd()) // { commit: '3f2a9c1', dirty: false }
 */
export function gitState(cwd: string): { commit: string; dirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return undefined;
  }
}

/**
 * The bot a release bundles: `bot` (WXMP_BOT) when given, else the project's
 * (package.json "wxmp": { "bot" }, src/app.ts ...; see findBot), else, in the
 * template checkout only, wxmp's own example. `label` names it in messages.
 *
 * @example
 * releaseBot('/my-site') // { file: '/my-site/src/app.ts', label: 'src/app.ts' }
 */
export function releaseBot(cwd: string, bot?: string): { file?: string; label: string } {
  const found = requireBot(cwd, { env: { WXMP_BOT: bot } });
  return found ? { file: found.file, label: botLabel(cwd, found.file) } : { label: "wxmp's example bot (no src/app.ts here)" };
}

/**
 * Builds a release bundle into `outDir` with its id, version and commit. With
 * `stamp` (a file outside `outDir`), a bundle built from the same bot and
 * unchanged files is kept and only its package.json rewritten (`reused`).
 *
 * @example
 * await buildRelease({ cwd: process.cwd(), outDir: '/release' }); // what the Dockerfile runs
 */
export async function buildRelease(options: { cwd: string; outDir: string; bot?: string; release?: string; stamp?: string }): Promise<{ release: string; bytes: number; bot: string; reused: boolean; git?: { commit: string; dirty: boolean } }> {
  const release = options.release ?? releaseId();
  const git = gitState(options.cwd);
  const pkg = join(options.cwd, 'package.json');
  const version = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version : undefined;
  const bot = releaseBot(options.cwd, options.bot);
  const outDir = resolve(options.cwd, options.outDir);
  const what = { outDir, release, commit: git?.commit, dirty: git?.dirty, bot: bot.file, version };
  const key = { bot: bot.file ?? null };
  const built = [join(outDir, 'server.mjs'), join(outDir, 'supervisor.mjs')];
  if (options.stamp && stampFresh(options.stamp, key) && built.every((f) => existsSync(f))) {
    writeReleasePackage(what);
    return { release, bytes: built.reduce((sum, f) => sum + statSync(f).size, 0), bot: bot.label, reused: true, git };
  }
  if (options.stamp) dropStamp(options.stamp);
  const result = await bundle(what);
  if (options.stamp) writeStamp(options.stamp, result.inputs, key);
  return { release, bytes: result.bytes, bot: bot.label, reused: false, git };
}
