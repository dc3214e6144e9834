/**
 * Where access tokens and JS-SDK tickets live between calls, restarts and
 * instances. WeChat limits token fetches per day and a new classic token
 * invalidates the old one, so a restart must reuse the stored one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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
}
