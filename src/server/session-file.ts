/**
 * Sessions as JSON files, one per user, for the dev loop: they survive hot
 * reloads (the bot's worker thread is replaced) and restarts of `npm run dev`.
 * One host only; several processes on one folder are safe for different users,
 * and for one user the version check catches most races (not a lock).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStore, StoredSession } from '../wechat/session.js';

type Entry = { version: number; expiresAt: number; data: Record<string, unknown> };

/**
 * @example
 * const sessions = new FileSessionStore({ dir: '.wxmp/sessions' });
 * const app = createApp({ config, router, sessionStore: sessions });
 */
export class FileSessionStore implements SessionStore {
  private readonly dir: string;
  private readonly now: () => number;

  constructor(options: { dir: string; now?: () => number }) {
    this.dir = options.dir;
    this.now = options.now ?? Date.now;
    mkdirSync(this.dir, { recursive: true });
  }

  private file(key: string): string {
    // OpenIDs are file-safe, but a key is the program's choice: hash it.
    return join(this.dir, `${createHash('sha1').update(key).digest('hex')}.json`);
  }

  private read(key: string): Entry | null {
    try {
      const entry = JSON.parse(readFileSync(this.file(key), 'utf8')) as Entry;
      return entry.expiresAt > this.now() ? entry : null;
    } catch {
      return null;
    }
  }

  async get(key: string): Promise<StoredSession | null> {
    const entry = this.read(key);
    return entry ? { data: entry.data, version: entry.version } : null;
  }

  async set(key: string, data: Record<string, unknown>, options: { expectedVersion: number; ttlMs: number }): Promise<boolean> {
    const current = this.read(key)?.version ?? 0;
    if (current !== options.expectedVersion) return false;
    const file = this.file(key);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    // Written aside and renamed: a reader never sees half a file.
    writeFileSync(temp, JSON.stringify({ key, version: current + 1, expiresAt: this.now() + options.ttlMs, data }));
    renameSync(temp, file);
    return true;
  }
}
