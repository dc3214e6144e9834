/**
 * A cached credential (access token, JS-SDK ticket) that refreshes itself
 * before it expires, with one fetch at a time: concurrent callers in this
 * process share one promise, and instances sharing a store with a lock wait
 * for the one that holds it and read what it stored.
 */
import { ConfigError } from '../errors.js';
import type { ReleaseLock, StoredCredential, TokenStore } from './token-store.js';

/** What a fetch from WeChat returned. */
export interface FetchedCredential {
  value: string;
  expiresInSeconds: number;
}

/**
 * Fetches a credential; `force` asks WeChat for a new one even if the current one is valid.
 * Without force, stable_token hands back the one in force; forcing replaces it for everyone
 * (WeChat allows 20 a day, 30 s apart), so it is the last resort.
 */
export type CredentialFetcher = (force: boolean) => Promise<FetchedCredential>;

/** Options of {@link TokenCache}; only `key`, `store` and `fetcher` are required. */
export interface TokenCacheOptions {
  /** Store key, e.g. `access_token.wx123`. */
  key: string;
  store: TokenStore;
  fetcher: CredentialFetcher;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Refresh this long before expiry (capped at half the lifetime). Default 5 minutes. */
  refreshEarlyMs?: number;
  /**
   * How long a refresh lock is held at most, should its holder die. It must outlast the
   * slowest refresh (a normal fetch, then a forced one, each with its retries), or a second
   * instance takes the lock mid-fetch. Default 130 s, enough for the client's defaults.
   */
  lockTtlMs?: number;
  /** How often a waiting instance looks for the holder's result. Default 50 ms. */
  pollMs?: number;
  /** Give up waiting for another instance after this long and fetch anyway. Default 20 s. */
  lockWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when the store fails (Redis down); the cache then works from memory and WeChat. Default: console.warn. */
  onStoreError?: (message: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name}: expected a non-negative number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * @example
 * const cache = new TokenCache({ key: 'access_token.wx123', store, fetcher: (force) => fetchToken(force) });
 * const token = await cache.get();          // cached, or one fetch
 * const newer = await cache.refresh(token);  // after WeChat said 40001 for `token`
 */
export class TokenCache {
  private readonly key: string;
  private readonly store: TokenStore;
  private readonly fetcher: CredentialFetcher;
  private readonly now: () => number;
  private readonly early: number;
  private readonly lockTtl: number;
  private readonly poll: number;
  private readonly lockWait: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onStoreError: (message: string) => void;
  private memory: StoredCredential | null = null;
  private inflight: Promise<string> | null = null;

  constructor(options: TokenCacheOptions) {
    if (typeof options?.key !== 'string' || !options.key) throw new ConfigError(`TokenCache key: expected a string, got ${JSON.stringify(options?.key)}`);
    if (typeof options.store?.get !== 'function' || typeof options.store.set !== 'function') {
      throw new ConfigError('TokenCache store: expected an object with get() and set(), got ' + typeof options.store);
    }
    if (typeof options.fetcher !== 'function') throw new ConfigError(`TokenCache fetcher: expected a function, got ${typeof options.fetcher}`);
    this.key = options.key;
    this.store = options.store;
    this.fetcher = options.fetcher;
    this.now = options.now ?? Date.now;
    this.early = positive('refreshEarlyMs', options.refreshEarlyMs, 5 * 60_000);
    this.lockTtl = positive('lockTtlMs', options.lockTtlMs, 130_000);
    this.poll = Math.max(1, positive('pollMs', options.pollMs, 50));
    this.lockWait = positive('lockWaitMs', options.lockWaitMs, 20_000);
    this.sleep = options.sleep ?? defaultSleep;
    this.onStoreError = options.onStoreError ?? ((m) => console.warn(m));
  }

  /** A failing store must not stop API calls: stable_token hands every caller the same token anyway. */
  private async tolerant<T>(what: string, run: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.onStoreError(`wxmp: token store ${what} failed for ${this.key} (${error instanceof Error ? error.message : String(error)}); continuing without it`);
      return fallback;
    }
  }

  /** The current credential, fetching one only when none is stored or it is about to expire. */
  async get(): Promise<string> {
    if (this.memory && this.isFresh(this.memory)) return this.memory.value;
    return this.single(() => this.load(undefined));
  }

  /**
   * A credential other than `stale`, which WeChat rejected (40001, 42001): one
   * another caller or instance already got, else one fetched without force. Only
   * if WeChat hands back `stale` itself is a forced refresh made, and not with
   * `mayForce: false` (an expired token: WeChat has the next one ready).
   */
  async refresh(stale: string, options: { mayForce?: boolean } = {}): Promise<string> {
    if (this.inflight) {
      const value = await this.inflight.catch(() => undefined);
      if (value !== undefined && value !== stale) return value;
    }
    return this.single(() => this.load(stale, options.mayForce ?? true));
  }

  private single(run: () => Promise<string>): Promise<string> {
    if (!this.inflight) {
      this.inflight = run().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private isFresh(c: StoredCredential): boolean {
    const margin = Math.min(this.early, (c.expiresAt - c.obtainedAt) / 2);
    return this.now() < c.expiresAt - margin;
  }

  private async usable(stale: string | undefined): Promise<string | undefined> {
    const c = await this.tolerant('read', () => this.store.get(this.key), null);
    if (c && this.isFresh(c) && c.value !== stale) {
      this.memory = c;
      return c.value;
    }
    return undefined;
  }

  private async load(stale: string | undefined, mayForce = false): Promise<string> {
    const stored = await this.usable(stale);
    if (stored !== undefined) return stored;
    if (!this.store.tryLock) return this.fetchAndStore(stale, mayForce);
    const tryLock = this.store.tryLock.bind(this.store);
    const attempts = Math.ceil(this.lockWait / this.poll);
    for (let i = 0; i < attempts; i++) {
      const release = await this.tolerant<ReleaseLock | null | 'unavailable'>('lock', () => tryLock(this.key, this.lockTtl), 'unavailable');
      if (release === 'unavailable') return this.fetchAndStore(stale, mayForce);
      if (release) {
        try {
          // The previous holder may have stored a fresh one between our read and our lock.
          return (await this.usable(stale)) ?? (await this.fetchAndStore(stale, mayForce));
        } finally {
          await this.tolerant('unlock', release, undefined);
        }
      }
      await this.sleep(this.poll);
      const theirs = await this.usable(stale);
      if (theirs !== undefined) return theirs;
    }
    // The holder is stuck past our patience (its lock TTL will free it); serve our callers anyway,
    // but leave forcing to the holder: two forced refreshes would break each other's token.
    return this.fetchAndStore(stale, false);
  }

  private async fetchAndStore(stale: string | undefined, mayForce: boolean): Promise<string> {
    let fetched = await this.fetcher(false);
    if (stale !== undefined && mayForce && fetched.value === stale) fetched = await this.fetcher(true);
    const obtainedAt = this.now();
    const credential: StoredCredential = {
      value: fetched.value,
      obtainedAt,
      expiresAt: obtainedAt + fetched.expiresInSeconds * 1000,
    };
    this.memory = credential;
    await this.tolerant('write', () => this.store.set(this.key, credential), undefined);
    return credential.value;
  }
}
