import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random.js';

describe('pooledRandomBytes', () => {
  it('hands out distinct buffers of the asked size, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = pooledRandomBytes(16);
      expect(b.length).toBe(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('never changes a buffer already handed out when the pool refills', () => {
    const first = pooledRandomBytes(8);
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(32);
    expect(first.equals(copy)).toBe(true);
  });

  it('serves sizes larger than the pool', () => {
    const big = pooledRandomBytes(10_000);
    expect(big.length).toBe(10_000);
    expect(big.some((b) => b !== 0)).toBe(true);
  });

  it('looks uniform: every byte value turns up', () => {
    const counts = new Array<number>(256).fill(0);
    for (const b of pooledRandomBytes(256 * 200)) counts[b]!++;
    expect(Math.min(...counts)).toBeGreaterThan(100);
  });
});
