/**
 * Where access tokens and JS-SDK tickets live between calls, restarts and
 * instances. WeChat limits token fetches per day and a new classic token
 * invalidates the old one, so a restart must reuse the stored one.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** A stored credential. Times are epoch milliseconds. */
export interface StoredCredential {
  value: string;
  /** When WeChat stops accepting it. */
  expiresAt: number;
  /** When it was obtained; with `expiresAt` it sets how early to refresh. */
  obtainedAt: number;
}

/** Releases a lock taken with {@link TokenStore.tryLock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * Storage behind the token cache. `tryLock` is optional: a store shared by
 * several instances offers it so only one of them fetches at a time.
 */
export interface TokenStore {
  get(key: string): Promise<StoredCredential | null>;
  set(key: string, credential: StoredCredential): Promise<void>;
  /** Takes the refresh lock for `key` for at most `ttlMs`; `null` when someone else holds it. */
  tryLock?(key: string, ttlMs: number): Promise<ReleaseLock | null>;
  close?(): Promise<void>;
}

function isCredential(value: unknown): value is StoredCredential {
  const v = value as StoredCredential;
  return typeof v === 'object' && v !== null && typeof v.value === 'string' && Number.isFinite(v.expiresAt) && Number.isFinite(v.obtainedAt);
}

/**
 * Keeps credentials in this process only; for tests and one-off scripts.
 *
 * @example
 * const client = createWechatClient({ appId, appSecret, tokenStore: new MemoryTokenStore() });
 */
export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, StoredCredential>();

  async get(key: string): Promise<StoredCredential | null> {
    return this.map.get(key) ?? null;
  }

  async set(key: string, credential: StoredCredential): Promise<void> {
    this.map.set(key, { ...credential });
  }
}

/**
 * Keeps credentials in a JSON file per key under a directory (default
 * `.wxmp/` in the working directory, which git ignores), so restarts and hot
 * reloads reuse them. Writes are atomic (temp file + rename) and private (0600).
 * The refresh lock is a lock file created exclusively, so processes and threads
 * sharing the folder (the dev server and its bot worker) refresh one at a time.
 * One machine only: for several instances use {@link RedisTokenStore}.
 *
 * @example
 * const store = new FileTokenStore({ dir: '.wxmp' });
 */
export class FileTokenStore implements TokenStore {
  readonly dir: string;

  constructor(options: { dir?: string } = {}) {
    const dir = options.dir ?? '.wxmp';
    if (typeof dir !== 'string' || dir === '') {
      throw new ConfigError(`FileTokenStore dir: expected a directory path, got ${JSON.stringify(dir)}`);
    }
    this.dir = resolve(dir);
  }

  private file(key: string): string {
    // Keys hold an AppID and a kind; anything else would be a bug, but keep file names tame anyway.
    return join(this.dir, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  async get(key: string): Promise<StoredCredential | null> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      // A damaged file only costs one fetch; refusing to start would cost more.
      return isCredential(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  async set(key: string, credential: StoredCredential): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(key);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(credential), { mode: 0o600 });
    await rename(temp, target);
  }

  async tryLock(key: string, ttlMs: number): Promise<ReleaseLock | null> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lock = `${this.file(key)}.lock`;
    const id = `${process.pid}.${randomBytes(6).toString('hex')}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(lock, id, { flag: 'wx', mode: 0o600 });
        return async () => {
          // Only our own: past its TTL the lock may have been taken over by someone else.
          if ((await readFile(lock, 'utf8').catch(() => '')) === id) await rm(lock, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // Aged by its mtime, not its content: a holder may not have written its id yet.
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => undefined);
      if (age !== undefined && age < ttlMs) return null;
      // Its holder died (gone or past the TTL). Two takers racing here may both fetch, which stable_token in normal mode makes harmless.
      await rm(lock, { force: true });
    }
    return null;
  }
}
