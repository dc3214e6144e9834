import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv, parseServerConfig } from '../src/config.js';

const base = { WECHAT_TOKEN: 'token123' };

describe('parseServerConfig', () => {
  it('applies the defaults', () => {
    expect(parseServerConfig(base)).toMatchObject({ token: 'token123', path: '/', port: 8000, host: '127.0.0.1', deadlineMs: 4000, apiBase: 'https://api.weixin.qq.com' });
  });

  it.each([
    [{}, /WECHAT_TOKEN: expected .* got nothing/],
    [{ WECHAT_TOKEN: 'a b' }, /WECHAT_TOKEN: expected 3-32 letters or digits .* got 3 characters, with one other than a letter or digit at position 2 \(the value is not shown/],
    [{ WECHAT_TOKEN: 'x'.repeat(40) }, /WECHAT_TOKEN: expected 3-32 letters or digits .* got 40 characters \(the value is not shown/],
    [{ ...base, WECHAT_ENCODING_AES_KEY: 'short' }, /WECHAT_ENCODING_AES_KEY: expected 43 characters .* got 5 characters/],
    [{ ...base, WECHAT_ENCODING_AES_KEY: 'A'.repeat(43) }, /WECHAT_APP_ID: expected your AppID/],
    [{ ...base, WECHAT_PATH: 'wechat' }, /WECHAT_PATH: expected a URL path starting with "\/"/],
    [{ ...base, PORT: '80x' }, /PORT: expected an integer from 0 to 65535, got "80x"/],
    [{ ...base, WECHAT_REPLY_DEADLINE_MS: '6000' }, /WECHAT_REPLY_DEADLINE_MS: expected an integer from 100 to 4800/],
    [{ ...base, WECHAT_API_BASE: 'ftp://x' }, /WECHAT_API_BASE: expected an http\(s\) origin/],
  ])('stops on a bad value with one line naming it: %j', (env, message) => {
    expect(() => parseServerConfig(env)).toThrow(message);
    try { parseServerConfig(env); } catch (e) { expect(String((e as Error).message)).not.toContain('\n'); expect((e as { code: string }).code).toBe('CONFIG_INVALID'); }
  });

  it('never echoes a secret value in an error', () => {
    const key = 'S3cret'.repeat(7);
    expect(() => parseServerConfig({ ...base, WECHAT_ENCODING_AES_KEY: key })).toThrow(expect.not.objectContaining({ message: expect.stringContaining(key) }));
    for (const token of ['hunter 2pass', 'abc-def-ghi', 'Z'.repeat(35)]) {
      expect(() => parseServerConfig({ WECHAT_TOKEN: token })).toThrow(/WECHAT_TOKEN/);
      expect(() => parseServerConfig({ WECHAT_TOKEN: token })).toThrow(expect.not.objectContaining({ message: expect.stringContaining(token.slice(0, 6)) }));
    }
  });
});

describe('loadEnv', () => {
  it('reads .env under the process environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-env-'));
    writeFileSync(join(dir, '.env'), 'WECHAT_TOKEN=fromfile\nPORT=9000\n');
    try {
      expect(loadEnv(dir, { PORT: '7000' })).toMatchObject({ WECHAT_TOKEN: 'fromfile', PORT: '7000' });
      expect(loadEnv(join(dir, 'missing'), { A: '1' })).toEqual({ A: '1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
