import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemoryDedupStore } from '../wechat/dedup.js';
import { IpcDedupStore, serveDedup } from './ipc-dedup.js';

/** Two workers wired to one primary through in-process channels shaped like cluster's. */
function cluster() {
  const store = new MemoryDedupStore();
  const worker = () => {
    const toPrimary = new EventEmitter();
    const toWorker = new EventEmitter();
    const primarySide = { on: (e: 'message', l: (m: unknown) => void) => toPrimary.on(e, l), send: (m: unknown, cb?: (e: Error | null) => void) => { setImmediate(() => toWorker.emit('message', m)); cb?.(null); return true; } };
    serveDedup(primarySide, store);
    return new IpcDedupStore({ connected: true, on: (e, l) => toWorker.on(e, l), send: (m, cb) => { setImmediate(() => toPrimary.emit('message', m)); cb?.(null); return true; } });
  };
  return [worker(), worker()] as const;
}

describe('IpcDedupStore.remember', () => {
  it("keeps the replay record in the primary, so another worker sees the first request's value", async () => {
    const [a, b] = cluster();
    expect(await a.remember('ts:n:sig', 'POST:x@1', 60_000)).toBeNull();
    expect(await b.remember('ts:n:sig', 'POST:y@2', 60_000)).toBe('POST:x@1');
    expect(await b.claim('msg:u:1', 30_000)).toBeNull();
    expect(await a.claim('msg:u:1', 30_000)).toEqual({ state: 'pending' });
  });
});
