/** What `npm run dev` prints at start: where things are, and what to paste into WeChat. */
import type { ServerConfig } from '../config.js';
import { mockApiPath } from './apps.js';
import type { CredentialSource } from './credentials.js';

/** What {@link banner} needs to know. */
export interface BannerInfo {
  config: Pick<ServerConfig, 'token' | 'encodingAESKey' | 'path'>;
  /** Further accounts (WECHAT_*_<NAME>): each gets its own lines and paste block. */
  accounts?: Array<Pick<ServerConfig, 'encodingAESKey' | 'path'> & { name: string }>;
  localUrl: string;
  /** The tunnel's public URL, or undefined with TUNNEL=none / before it connects. */
  publicUrl?: string;
  tunnelNote?: string;
  source: CredentialSource;
  credentialsFile: string;
  mockApi: boolean;
  /** Further accounts served by a mock of their own (no AppSecret of theirs). */
  accountMocks?: string[];
  /** The AppID is made up (see DevCredentials.appIdStandIn). */
  appIdStandIn?: boolean;
}

/**
 * @example
 * console.log(banner({ config, localUrl: 'http://127.0.0.1:80', publicUrl: 'https://x.loca.lt', source: 'generated', credentialsFile: '.wxmp/dev.env', mockApi: true }));
 */
export function banner(info: BannerInfo): string {
  const callback = (base: string, path = info.config.path) => `${base.replace(/\/+$/, '')}${path}`;
  const extras = info.accounts ?? [];
  const lines = [
    'wxmp dev: src/app.ts runs with hot reload; save a file and the next message gets the new code',
    `  Local:      ${callback(info.localUrl)}`,
    ...extras.map((a) => `  ${`Local ${a.name}:`.padEnd(12)}${callback(info.localUrl, a.path)}   (account ${a.name})`),
    `  Inspector:  ${info.localUrl}/__wxmp   (this machine only)`,
    `  Chat:       ${info.localUrl}/__wxmp/chat/   (talk to your bot as a WeChat user would)`,
    `  Public:     ${info.publicUrl ? callback(info.publicUrl) : info.tunnelNote ?? 'no tunnel'}`,
  ];
  if (info.mockApi) lines.push(`  WeChat API: offline mock at ${info.localUrl}/__wxmp/${mockApiPath()} (set WECHAT_APP_ID and WECHAT_APP_SECRET in .env for the real one)`);
  for (const name of info.accountMocks ?? []) lines.push(`  WeChat API ${name}: offline mock of its own at ${info.localUrl}/__wxmp/${mockApiPath(name)} (WECHAT_APP_SECRET_${name.toUpperCase()} for the real one)`);
  lines.push('', `${extras.length ? 'Account default: paste' : 'Paste'} into 接口配置信息 (mp.weixin.qq.com test account page, or 基本配置 → 服务器配置):`);
  lines.push(`  URL:             ${info.publicUrl ? callback(info.publicUrl) : '(your public URL)'}`);
  // Generated values are printed to be pasted; the user's own stay out of the terminal (and its scrollback).
  const own = info.source === 'env';
  lines.push(`  Token:           ${own ? '(yours: WECHAT_TOKEN in .env)' : info.config.token}`);
  if (info.config.encodingAESKey) {
    lines.push(`  EncodingAESKey:  ${own ? '(yours: WECHAT_ENCODING_AES_KEY in .env)' : info.config.encodingAESKey}`);
    lines.push('  消息加解密方式:   安全模式 (safe) recommended; 明文 and 兼容 work too');
    if (info.appIdStandIn) {
      lines.push('  AppID:           WeChat encrypts with your account\'s AppID and wxmp refuses any other: for 兼容 or 安全模式');
      lines.push('                   put WECHAT_APP_ID=<your AppID> in .env (明文, the test account\'s only mode, works without it)');
    }
  }
  for (const a of extras) {
    // Always the user's own values (only the first account gets generated ones): named, never printed.
    const suffix = a.name.toUpperCase();
    lines.push('', `Account ${a.name}: paste into that account's own 接口配置信息:`);
    lines.push(`  URL:             ${info.publicUrl ? callback(info.publicUrl, a.path) : `(your public URL)${a.path}`}`);
    lines.push(`  Token:           (yours: WECHAT_TOKEN_${suffix} in .env)`);
    if (a.encodingAESKey) lines.push(`  EncodingAESKey:  (yours: WECHAT_ENCODING_AES_KEY_${suffix} in .env)`);
  }
  if (info.source === 'generated') lines.push(`  (new dev credentials, saved in ${info.credentialsFile} and reused next time)`);
  if (info.source === 'reused') lines.push(`  (dev credentials from ${info.credentialsFile})`);
  return lines.join('\n');
}
