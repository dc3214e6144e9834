import { describe, expect, it } from 'vitest';

describe('the package', () => {
  it("resolves `import … from 'wxmp'` to the public API, as the README's examples write it", async () => {
    const wxmp = await import('wxmp');
    expect(typeof wxmp.createRouter).toBe('function');
    expect(typeof wxmp.wechat).toBe('function');
    expect(typeof wxmp.MessageCrypto).toBe('function');
  });
});
