import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/api/token-cache.js';
import { FileTokenStore, MemoryTokenStore, type StoredCredential, type TokenStore } from '../../src/api/token-store.js';

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
    expect(f.calls).toEqual([false, false]);
  });

  it('refresh(stale) forces only when the normal fetch hands back the stale value, and never with mayForce: false', async () => {
    const calls: boolean[] = [];
    // stable_token in normal mode: the token in force until a forced refresh replaces it.
    let current = 'T1';
    const cache = new TokenCache({ key: 'k', store: new MemoryTokenStore(), fetcher: async (force) => {
      calls.push(force);
      if (force) current = `T${calls.length}`;
      return { value: current, expiresInSeconds: 7200 };
    } });
    expect(await cache.get()).toBe('T1');
    expect(await cache.refresh('T1', { mayForce: false })).toBe('T1');
    expect(calls).toEqual([false, false]);
    expect(await cache.refresh('T1')).toBe('T4');
    expect(calls).toEqual([false, false, false, true]);
  });

  it('FileTokenStore: one lock holder at a time; a lock past its TTL is taken over, and its old holder cannot release the new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wxmp-lock-'));
    try {
      const a = new FileTokenStore({ dir });
      const b = new FileTokenStore({ dir });
      const releaseA = await a.tryLock('access_token.wx1', 60_000);
      expect(releaseA).toBeTypeOf('function');
      expect(await b.tryLock('access_token.wx1', 60_000)).toBeNull();
      expect(await b.tryLock('jsapi_ticket.wx1', 60_000)).toBeTypeOf('function');
      await releaseA!();
      const releaseB = await b.tryLock('access_token.wx1', 60_000);
      expect(releaseB).toBeTypeOf('function');
      // B's holder dies: a minute later the lock is stale and A takes it over.
      const lock = join(dir, 'access_token.wx1.json.lock');
      const old = new Date(Date.now() - 61_000);
      await utimes(lock, old, old);
      const releaseA2 = await a.tryLock('access_token.wx1', 60_000);
      expect(releaseA2).toBeTypeOf('function');
      await releaseB!();
      expect(await b.tryLock('access_token.wx1', 60_000)).toBeNull();
      await releaseA2!();
      expect((await readdir(dir)).filter((f) => f.endsWith('.lock'))).toEqual(['jsapi_ticket.wx1.json.lock']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
