/**
 * A record of the files a bundle was built from (path, mtime, size) and what
 * else chose it (the bot, a version), so a build can be skipped while none of
 * them changed. Used by `npm start` and by deploys.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

interface Stamp { inputs: Array<[string, number, number]>; key: unknown }

/**
 * Records `inputs` and `key` in `file`.
 *
 * @example
 * writeStamp('.wxmp/start/inputs.json', built.inputs, { version: '1.0.0', bot: null });
 */
export function writeStamp(file: string, inputs: string[], key: unknown): void {
  const stamp: Stamp = { inputs: inputs.map((f) => { const s = statSync(f); return [f, s.mtimeMs, s.size]; }), key };
  writeFileSync(file, JSON.stringify(stamp));
}

/**
 * True when `file` records the same `key` and none of its inputs changed or went away.
 *
 * @example
 * if (!stampFresh('.wxmp/start/inputs.json', { version, bot })) await bundle(...);
 */
export function stampFresh(file: string, key: unknown): boolean {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
    if (JSON.stringify(saved.key) !== JSON.stringify(key)) return false;
    return saved.inputs.every(([f, mtime, size]) => { const s = statSync(f); return s.mtimeMs === mtime && s.size === size; });
  } catch {
    return false;
  }
}

/** Forgets the record, before a build that may fail half-way. */
export function dropStamp(file: string): void {
  rmSync(file, { force: true });
}
