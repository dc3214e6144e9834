import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { retireTimeoutMs, workerCount } from '../src/server/primary.js';

describe('WXMP_WORKERS and WXMP_RETIRE_TIMEOUT_MS', () => {
  it('one worker without Redis (sessions and held late replies live in one process), every core with it; 1 allowed', () => {
    expect(workerCount({})).toBe(1);
    expect(workerCount({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(availableParallelism());
    expect(workerCount({ WXMP_WORKERS: '1', REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(1);
    expect(workerCount({ WXMP_WORKERS: '3' })).toBe(3);
    expect(() => workerCount({ WXMP_WORKERS: '0' })).toThrow(/WXMP_WORKERS: expected an integer from 1 to 256 .* got "0"/);
  });

  it('a retired worker gets 60 s to finish by default, configurable', () => {
    expect(retireTimeoutMs({})).toBe(60_000);
    expect(retireTimeoutMs({ WXMP_RETIRE_TIMEOUT_MS: '3000' })).toBe(3000);
    expect(() => retireTimeoutMs({ WXMP_RETIRE_TIMEOUT_MS: 'soon' })).toThrow(/WXMP_RETIRE_TIMEOUT_MS: expected an integer/);
  });
});
