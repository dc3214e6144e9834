/** A client wired to an in-process mock through `app.request` (no port), for the per-group tests. */
import { createWechatClient, type WechatClient } from '../../../src/api/client.js';
import { MemoryTokenStore } from '../../../src/api/token-store.js';
import { createMockApi, type MockApi, type MockApiOptions } from '../../../src/emulator/mock-api/index.js';
import type { WechatApiError } from '../../../src/api/errors.js';

export const BASE = 'http://mock.weixin.test';

export function mockClient(options: MockApiOptions = {}, now = () => Date.parse('2024-06-15T04:00:00Z')): { mock: MockApi; client: WechatClient } {
  const mock = createMockApi({ now, ...options });
  const client = createWechatClient({
    appId: mock.appId,
    appSecret: mock.appSecret,
    apiBase: BASE,
    tokenStore: new MemoryTokenStore(),
    fetch: (input, init) => Promise.resolve(mock.app.request(String(input), init)),
    busyRetryDelaysMs: [1, 1],
    now,
  });
  return { mock, client };
}

/** The error a promise rejects with, or null when it resolves. */
export const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as WechatApiError);

/** A file to upload. */
export const file = (name: string, text = 'bytes-of-' + name) => ({ data: Buffer.from(text), filename: name });
