import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from './errors.js';

/** Environment variables as read: the process environment over the project's `.env`. */
export type Env = Record<string, string | undefined>;

/**
 * Reads `.env` from `cwd` (when present) under the process environment, so a
 * variable set in the shell always wins over the file.
 */
export function loadEnv(cwd = process.cwd(), env: Env = process.env): Env {
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

/** Settings of the message server, validated. */
export interface ServerConfig {
  /** WECHAT_TOKEN: the Token typed into WeChat's 接口配置信息. */
  token: string;
  /** WECHAT_APP_ID: checked against every decrypted message. */
  appId?: string;
  /** WECHAT_APP_SECRET: only the API client needs it. */
  appSecret?: string;
  /** WECHAT_ENCODING_AES_KEY: 43 characters; enables compatible and safe modes. */
  encodingAESKey?: string;
  /** WECHAT_PATH: the callback path, `/` by default. */
  path: string;
  /** PORT */
  port: number;
  /** HOST */
  host: string;
  /** WECHAT_REPLY_DEADLINE_MS: when `success` is sent instead of waiting for a slow handler. */
  deadlineMs: number;
  /** WECHAT_MODE: `auto` reads every mode; `safe` refuses plaintext messages (needs the EncodingAESKey). */
  mode?: 'auto' | 'safe';
  /** WECHAT_MAX_CLOCK_SKEW: seconds a request's timestamp may be off this server's clock (0: no freshness or replay check). */
  maxClockSkewSec?: number;
  /** REDIS_URL: shared de-dup and token store for several instances. */
  redisUrl?: string;
  /** WECHAT_API_BASE: origin of the WeChat API (a mock in tests and offline). */
  apiBase: string;
  /**
   * WECHAT_LATE_REPLY: how a reply that misses the deadline reaches the user: `kf`
   * (customer-service message), `retry` (on WeChat's retry or the user's "继续"), `off`.
   * Unset: `kf` with an AppSecret, else `retry`.
   */
  lateReply?: 'retry' | 'kf' | 'off';
}

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const TOKEN = /^[A-Za-z0-9]{3,32}$/;

function describe(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : JSON.stringify(value);
}

/** What is wrong with a secret, without its value: a config error may end up in a log. */
function secretShape(value: string): string {
  const bad = value.search(/[^A-Za-z0-9]/);
  if (bad >= 0) return `${value.length} characters, with one other than a letter or digit at position ${bad + 1} (the value is not shown: it is a secret)`;
  return `${value.length} characters (the value is not shown: it is a secret)`;
}

function intIn(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}: expected an integer from ${min} to ${max}, got ${describe(raw)}`);
  }
  return n;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Validates the message server's settings. A bad value throws a {@link ConfigError}
 * whose message is one line naming the variable, what is expected and what was found.
 *
 * @example
 * const config = parseServerConfig(loadEnv());
 */
export function parseServerConfig(env: Env, defaults: { port?: number } = {}): ServerConfig {
  const token = optional(env, 'WECHAT_TOKEN');
  if (!token) {
    throw new ConfigError('WECHAT_TOKEN: expected the Token you set in WeChat (3-32 letters or digits), got nothing. Set it in .env, or run `npm run dev`, which generates one.');
  }
  if (!TOKEN.test(token)) {
    throw new ConfigError(`WECHAT_TOKEN: expected 3-32 letters or digits (WeChat's rule), got ${secretShape(token)}`);
  }
  const encodingAESKey = optional(env, 'WECHAT_ENCODING_AES_KEY');
  if (encodingAESKey !== undefined && !AES_KEY.test(encodingAESKey)) {
    throw new ConfigError(`WECHAT_ENCODING_AES_KEY: expected 43 characters of base64 (A-Z, a-z, 0-9, + and /), got ${encodingAESKey.length} characters`);
  }
  const appId = optional(env, 'WECHAT_APP_ID');
  if (encodingAESKey && !appId) {
    throw new ConfigError('WECHAT_APP_ID: expected your AppID (wx...), got nothing; it is required with WECHAT_ENCODING_AES_KEY because every decrypted message is checked against it');
  }
  const mode = optional(env, 'WECHAT_MODE') ?? 'auto';
  if (mode !== 'auto' && mode !== 'safe') {
    throw new ConfigError(`WECHAT_MODE: expected auto (any mode WeChat sends) or safe (encrypted messages only), got ${describe(mode)}`);
  }
  if (mode === 'safe' && !encodingAESKey) {
    throw new ConfigError('WECHAT_MODE: safe needs WECHAT_ENCODING_AES_KEY (and WECHAT_APP_ID) to decrypt messages, got no key');
  }
  const path = optional(env, 'WECHAT_PATH') ?? '/';
  if (!path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new ConfigError(`WECHAT_PATH: expected a URL path starting with "/" and without "?" or "#", got ${describe(path)}`);
  }
  const apiBase = optional(env, 'WECHAT_API_BASE') ?? 'https://api.weixin.qq.com';
  if (!/^https?:\/\/[^/]+/.test(apiBase)) {
    throw new ConfigError(`WECHAT_API_BASE: expected an http(s) origin such as https://api.weixin.qq.com, got ${describe(apiBase)}`);
  }
  const lateReply = optional(env, 'WECHAT_LATE_REPLY')?.toLowerCase();
  if (lateReply !== undefined && lateReply !== 'retry' && lateReply !== 'kf' && lateReply !== 'off') {
    throw new ConfigError(`WECHAT_LATE_REPLY: expected retry (WeChat's retries, then "继续"; for subscription accounts without the customer-service API), kf (customer-service messages) or off, got ${describe(lateReply)}`);
  }
  return {
    token,
    appId,
    appSecret: optional(env, 'WECHAT_APP_SECRET'),
    encodingAESKey,
    path,
    port: intIn(env, 'PORT', defaults.port ?? 8000, 0, 65535),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    deadlineMs: intIn(env, 'WECHAT_REPLY_DEADLINE_MS', 4000, 100, 4800),
    mode,
    maxClockSkewSec: intIn(env, 'WECHAT_MAX_CLOCK_SKEW', 300, 0, 86_400),
    redisUrl: optional(env, 'REDIS_URL'),
    apiBase: apiBase.replace(/\/+$/, ''),
    lateReply,
  };
}
