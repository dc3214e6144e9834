/**
 * Sessions as JSON files, one per user: in the dev loop they survive hot
 * reloads (the bot's worker thread is replaced) and restarts of `npm run dev`;
 * in `npm start` without Redis the worker processes of one host share them.
 * A save takes a lock file (O_EXCL) around the version check and the rename,
 * so two processes never overwrite each other unnoticed.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
    return this.getSync(key);
  }

  getSync(key: string): StoredSession | null {
    const entry = this.read(key);
    return entry ? { data: entry.data, version: entry.version } : null;
  }

  async set(key: string, data: Record<string, unknown>, options: { expectedVersion: number; ttlMs: number }): Promise<boolean> {
    const file = this.file(key);
    const lock = `${file}.lock`;
    await this.acquire(lock);
    try {
      const current = this.read(key)?.version ?? 0;
      if (current !== options.expectedVersion) return false;
      const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      // Written aside and renamed: a reader never sees half a file.
      writeFileSync(temp, JSON.stringify({ key, version: current + 1, expiresAt: this.now() + options.ttlMs, data }));
      renameSync(temp, file);
      return true;
    } finally {
      try { unlinkSync(lock); } catch {}
    }
  }

  private async acquire(lock: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(lock, 'wx'));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // A lock older than 2 s belongs to a process that died mid-save.
        try { if (Date.now() - statSync(lock).mtimeMs > 2000) unlinkSync(lock); } catch {}
        await new Promise((resolve) => setTimeout(resolve, Math.min(2 + attempt, 20)));
      }
    }
  }
}
