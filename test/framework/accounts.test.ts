/**
 * Two Official Accounts in one server: each at its own path with its own
 * Token (and AES key), configured by suffixed variables, sharing one bot that
 * sees which account a message came to.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../src/accounts.js';
import { createApp } from '../../src/server/app.js';
import { createProductionApp, productionLogger } from '../../src/server/start.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { createRouter } from '../../src/wechat/router.js';
import { MemorySessionStore } from '../../src/wechat/session.js';
import { bodies } from '../fixtures/messages.js';
import { AES_KEY, APP_ID, TOKEN, wechatPost } from '../helpers/wechat-request.js';

const SHOP_TOKEN = 'shoptoken456';
const SHOP_APP_ID = 'wxshop0000000001';
const SHOP_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const env = {
  WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_PATH: '/wechat',
  WECHAT_TOKEN_SHOP: SHOP_TOKEN, WECHAT_APP_ID_SHOP: SHOP_APP_ID, WECHAT_ENCODING_AES_KEY_SHOP: SHOP_KEY, WECHAT_PATH_SHOP: '/shop', WECHAT_LATE_REPLY_SHOP: 'retry',
};
let msgId = 1;
const text = (content: string) => bodies.text.replace('this is a test', content).replace(/<MsgId>\d+<\/MsgId>/, `<MsgId>${msgId++}</MsgId>`);

describe('several accounts', () => {
  it('reads the suffixed variables, and names the suffixed one in errors', () => {
    const [main, shop] = parseAccounts(env);
    expect([main!.name, main!.path, main!.token]).toEqual(['default', '/wechat', TOKEN]);
    expect([shop!.name, shop!.path, shop!.token, shop!.appId, shop!.encodingAESKey, shop!.lateReply]).toEqual(['shop', '/shop', SHOP_TOKEN, SHOP_APP_ID, SHOP_KEY, 'retry']);
    expect(() => parseAccounts({ ...env, WECHAT_TOKEN_SHOP: 'x' })).toThrow(/^WECHAT_TOKEN_SHOP: expected 3-32 letters or digits/);
    expect(() => parseAccounts({ ...env, WECHAT_PATH_SHOP: '' })).toThrow(/^WECHAT_PATH_SHOP: expected the callback path of account shop/);
    expect(() => parseAccounts({ ...env, WECHAT_PATH_SHOP: '/wechat' })).toThrow('WECHAT_PATH_SHOP: expected a path of its own, got "/wechat", which account default uses already');
    expect(() => parseAccounts({ ...env, WECHAT_ENCODING_AES_KEY_SHOP: 'short' })).toThrow(/^WECHAT_ENCODING_AES_KEY_SHOP: expected 43 characters/);
  });

  it('answers each account at its path with its own Token and AES key; a Token on the wrong path is refused', async () => {
    const [main, ...others] = parseAccounts(env);
    const sessions = new MemorySessionStore();
    const router = createRouter<{ n?: number }>().on('text', (m, ctx) => `${ctx.account}:${(ctx.session.n = (ctx.session.n ?? 0) + 1)}:${m.content}`);
    const app = createApp({ config: main!, accounts: others, router, sessionStore: sessions });
    const shopCrypto = new MessageCrypto({ encodingAESKey: SHOP_KEY, appId: SHOP_APP_ID });
    const mainCrypto = new MessageCrypto({ encodingAESKey: AES_KEY, appId: APP_ID });
    const reply = async (path: string, token: string, crypto: MessageCrypto, content: string) => {
      // Each account has its own original ID (gh_...), which keys its users' sessions.
      const xml = path === '/shop' ? text(content).replace('gh_account', 'gh_shop') : text(content);
      const { url, body } = wechatPost(xml, 'safe', { token, crypto, path });
      const res = await app.request(url, { method: 'POST', body });
      if (res.status !== 200) return res.status;
      const encrypt = /<Encrypt><!\[CDATA\[([^\]]*)\]\]>/.exec(await res.text())![1]!;
      return /<Content><!\[CDATA\[(.*)\]\]><\/Content>/.exec(crypto.decrypt(encrypt))![1];
    };
    expect(await reply('/wechat', TOKEN, mainCrypto, 'hi')).toBe('default:1:hi');
    expect(await reply('/shop', SHOP_TOKEN, shopCrypto, 'hi')).toBe('shop:1:hi');
    expect(await reply('/wechat', TOKEN, mainCrypto, 'again')).toBe('default:2:again');
    expect(await reply('/shop', TOKEN, mainCrypto, 'wrong token')).toBe(403);
    expect(await reply('/wechat', SHOP_TOKEN, shopCrypto, 'wrong token')).toBe(403);
    expect(await (await app.request('/nope')).text()).toBe('not found: the WeChat callbacks are at /wechat, /shop (WECHAT_PATH)');
  });

  it("npm start and deployed releases keep every account's Token, AES key and AppSecret out of the log file and the logger", async () => {
    const shopSecret = 'shopsecret0123456789abcdefXYZ';
    const [main, ...others] = parseAccounts({ ...env, WECHAT_APP_SECRET_SHOP: shopSecret });
    const router = createRouter().on('text', (_m, ctx) => { throw new Error(`${ctx.account} failed: ${SHOP_TOKEN} ${SHOP_KEY} ${shopSecret}`); });
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-accounts-logs-'));
    const lines: string[] = [];
    const sink = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l), error: (l: string, e?: unknown) => lines.push(`${l} ${e instanceof Error ? e.stack : ''}`) };
    const { app, closeLog } = createProductionApp(main!, { router, accounts: others, logDir: dir, quiet: true, logger: sink });
    const shopCrypto = new MessageCrypto({ encodingAESKey: SHOP_KEY, appId: SHOP_APP_ID });
    const { url, body } = wechatPost(text('leak').replace('gh_account', 'gh_shop'), 'safe', { token: SHOP_TOKEN, crypto: shopCrypto, path: '/shop' });
    expect(await (await app.request(url, { method: 'POST', body })).text()).toBe('success');
    await closeLog();
    // What the process prints besides (startup lines, late-reply delivery): the same redaction.
    productionLogger([main!, ...others], sink).warn(`api call with ${shopSecret}`);
    const file = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    rmSync(dir, { recursive: true, force: true });
    expect(file).toContain('shop failed: [redacted] [redacted] [redacted]');
    expect(lines.join('\n')).toContain('shop failed: [redacted] [redacted] [redacted]');
    expect(lines.join('\n')).toContain('api call with [redacted]');
    for (const secret of [SHOP_TOKEN, SHOP_KEY, shopSecret]) {
      expect(file).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(secret);
    }
  });
});
