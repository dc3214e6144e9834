import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

/**
 * Cryptographically random bytes, drawn from a pool refilled 4 KiB at a time.
 * Each encrypted reply needs 24 random bytes; one `randomBytes` call per need
 * cost more than the AES work itself. The bytes are copied out, so a later refill
 * never changes a buffer already handed out.
 *
 * @example
 * pooledRandomBytes(16) // <Buffer 9f 1c ...>
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > pool.length) return randomFillSync(Buffer.alloc(size));
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  // Used bytes are wiped: no copy of a nonce or IV prefix lingers in the pool.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
