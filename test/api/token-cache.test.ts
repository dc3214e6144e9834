import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/api/token-cache.js';
import { MemoryTokenStore, type StoredCredential, type TokenStore } from '../../src/api/token-store.js';

function fetcher() {
  const calls: boolean[] = [];
  return {
    calls,
    fetch: async (force: boolean) => {
      calls.push(force);
      return { value: `T${calls.length}`, expiresInSeconds: 7200 };
    },
  };
}

describe('TokenCache', () => {
  it('refresh(stale) reuses a newer stored token instead of fetching', async () => {
    const store = new MemoryTokenStore();
    const f = fetcher();
    const a = new TokenCache({ key: 'k', store, fetcher: f.fetch });
    const b = new TokenCache({ key: 'k', store, fetcher: f.fetch });
    const first = await a.get();
    expect(await b.get()).toBe(first);
    expect(await a.refresh(first)).toBe('T2');
    expect(await b.refresh(first)).toBe('T2');
    expect(f.calls).toEqual([false, true]);
  });

  it('waits for the lock holder and reads its result', async () => {
    const inner = new MemoryTokenStore();
    let held = true;
    const store: TokenStore = {
      get: (k) => inner.get(k),
      set: (k, c) => inner.set(k, c),
      tryLock: async () => (held ? null : async () => {}),
    };
    const f = fetcher();
    const cache = new TokenCache({ key: 'k', store, fetcher: f.fetch, sleep: async () => {
      // The other instance finishes its refresh while we wait.
      await inner.set('k', { value: 'THEIRS', obtainedAt: Date.now(), expiresAt: Date.now() + 7_200_000 });
      held = true;
    } });
    expect(await cache.get()).toBe('THEIRS');
    expect(f.calls).toEqual([]);
  });

  it('keeps serving when the store fails, and says so', async () => {
    const broken: TokenStore = {
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
      tryLock: () => Promise.reject(new Error('connection refused')),
    };
    const warnings: string[] = [];
    const f = fetcher();
    const cache = new TokenCache({ key: 'access_token.wx1', store: broken, fetcher: f.fetch, onStoreError: (m) => warnings.push(m) });
    expect(await cache.get()).toBe('T1');
    expect(await cache.get()).toBe('T1');
    expect(f.calls).toEqual([false]);
    expect(warnings[0]).toMatch(/token store read failed for access_token\.wx1 \(connection refused\)/);
  });

  it('a failed fetch reaches every waiting caller, and the next call tries again', async () => {
    let fail = true;
    const cache = new TokenCache({
      key: 'k',
      store: new MemoryTokenStore(),
      fetcher: async () => {
        if (fail) throw new Error('40164');
        return { value: 'OK', expiresInSeconds: 7200 };
      },
    });
    const results = await Promise.allSettled([cache.get(), cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    expect(await cache.get()).toBe('OK');
  });

  it('refreshes early, but never earlier than half the lifetime', async () => {
    let clock = 0;
    const store = new MemoryTokenStore();
    const stored: StoredCredential = { value: 'SHORT', obtainedAt: 0, expiresAt: 60_000 };
    await store.set('k', stored);
    const f = fetcher();
    const cache = new TokenCache({ key: 'k', store, fetcher: f.fetch, now: () => clock });
    clock = 29_999;
    expect(await cache.get()).toBe('SHORT');
    clock = 30_000;
    expect(await cache.get()).toBe('T1');
  });

  it('checks its options up front', () => {
    expect(() => new TokenCache({ key: '', store: new MemoryTokenStore(), fetcher: fetcher().fetch })).toThrow('TokenCache key: expected a string, got ""');
    expect(() => new TokenCache({ key: 'k', store: new MemoryTokenStore(), fetcher: fetcher().fetch, refreshEarlyMs: -1 })).toThrow('refreshEarlyMs: expected a non-negative number of milliseconds, got -1');
  });
});
