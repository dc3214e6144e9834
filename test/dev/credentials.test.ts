import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config.js';
import { banner } from '../../src/dev/banner.js';
import { ensureDevCredentials, randomAlnum } from '../../src/dev/credentials.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';

const dir = mkdtempSync(join(tmpdir(), 'wxmp-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dev credentials', () => {
  it('are generated into .wxmp/dev.env when there is no WECHAT_TOKEN, valid for WeChat, and reused on the next run', () => {
    const first = ensureDevCredentials(dir, {});
    expect(first.source).toBe('generated');
    expect(first.file).toBe(join(dir, '.wxmp', 'dev.env'));
    const config = parseServerConfig(first.env);
    expect(config.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(config.encodingAESKey).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(config.appId).toMatch(/^wxdev[0-9a-f]{12}$/);
    // The key works for safe mode both ways.
    const crypto = new MessageCrypto({ encodingAESKey: config.encodingAESKey!, appId: config.appId! });
    expect(crypto.decrypt(crypto.encrypt('<xml/>'))).toBe('<xml/>');
    expect(readFileSync(first.file, 'utf8')).toContain(`WECHAT_TOKEN=${config.token}`);

    const second = ensureDevCredentials(dir, {});
    expect(second.source).toBe('reused');
    expect(second.env).toEqual(first.env);
    expect(second.appIdStandIn).toBe(true);
  });

  it('make the banner say the stand-in AppID must be replaced for encrypted modes, and only then', () => {
    const creds = ensureDevCredentials(dir, {});
    const info = { config: parseServerConfig(creds.env), localUrl: 'http://127.0.0.1:80', source: creds.source, credentialsFile: '.wxmp/dev.env', mockApi: true };
    expect(banner({ ...info, appIdStandIn: creds.appIdStandIn })).toContain('put WECHAT_APP_ID=<your AppID> in .env');
    const own = ensureDevCredentials(dir, { WECHAT_APP_ID: 'wx0123456789abcdef' });
    expect(own.appIdStandIn).toBe(false);
    expect(banner({ ...info, appIdStandIn: own.appIdStandIn })).not.toContain('WECHAT_APP_ID=<your AppID>');
  });

  it('leave a configured WECHAT_TOKEN alone, and keep a configured AppID over the stand-in', () => {
    const own = ensureDevCredentials(dir, { WECHAT_TOKEN: 'mytoken' });
    expect(own.source).toBe('env');
    expect(own.env).toEqual({ WECHAT_TOKEN: 'mytoken' });
    const withAppId = ensureDevCredentials(dir, { WECHAT_APP_ID: 'wx0123456789abcdef' });
    expect(withAppId.env.WECHAT_APP_ID).toBe('wx0123456789abcdef');
  });

  it('draws letters and digits evenly', () => {
    const counts = new Map<string, number>();
    for (const ch of randomAlnum(62_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(700);
  });
});
