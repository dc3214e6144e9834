/** The mock's options, checked up front so a typo fails at creation, not at the first call. */
import { ConfigError } from '../../errors.js';

/** Options of {@link createMockApi}; all optional. */
export interface MockApiOptions {
  /** The one account the mock serves. Default `wxmock0000000000`. */
  appId?: string;
  /** Default `mock-secret`. */
  appSecret?: string;
  /** Lifetime of tokens and tickets. Default 7200 (WeChat's). */
  tokenTtlSeconds?: number;
  /** How long a classic token replaced by a newer classic fetch keeps working. Default 300 (WeChat's 5 minutes). A forced stable_token ends the old one at once, as WeChat does. */
  graceSeconds?: number;
  /** Caller IPs allowed; `null` (default) allows any. Others get 40164. */
  allowedIps?: string[] | null;
  /** Daily call limit per API path, e.g. `{ '/cgi-bin/message/custom/send': 100 }`; beyond it 45009. */
  dailyQuota?: Record<string, number>;
  /** Known followers (openid → profile fields). When given, other openids get 40003. */
  users?: Record<string, Record<string, unknown>>;
  /** Template ids that exist. When given, others get 40037. */
  templates?: string[];
  /** Openids per page of user/get, user/tag/get and getblacklist. Default 10000 (WeChat's). */
  pageSize?: number;
  /** Requests kept in `requests` (oldest dropped first), so a long emulator session stays small. Default 5000. */
  maxRecorded?: number;
  now?: () => number;
  random?: (size: number) => Buffer;
}

/** Throws a ConfigError naming the first option that is out of range. */
export function checkOptions(o: MockApiOptions): void {
  const int = (name: string, v: unknown, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) throw new ConfigError(`mock ${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  int('tokenTtlSeconds', o.tokenTtlSeconds, 1);
  int('graceSeconds', o.graceSeconds, 0);
  int('maxRecorded', o.maxRecorded, 1);
  int('pageSize', o.pageSize, 1);
  if (o.allowedIps != null && !Array.isArray(o.allowedIps)) throw new ConfigError(`mock allowedIps: expected an array of IPs or null, got ${typeof o.allowedIps}`);
}
