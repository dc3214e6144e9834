/**
 * The mock's memory: issued tokens and their lifetimes, quotas, the published
 * menu, users, one-time OAuth codes, and everything it received.
 */
import { EventEmitter } from 'node:events';
import { MockStore } from './store.js';

/** A request as the mock received it (secrets in the query are masked). */
export interface MockRequest {
  seq: number;
  at: number;
  ip: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, a multipart summary, or the raw text when it was not JSON. */
  body: unknown;
  /** The errcode answered (0 for success). */
  errcode: number;
}

/** What subscribers hear about, as it happens. */
export type MockEvent =
  | { kind: 'request'; request: MockRequest }
  | { kind: 'customer-message'; openid: string; message: Record<string, unknown> }
  | { kind: 'typing'; openid: string; command: string }
  | { kind: 'template-message'; openid: string; message: Record<string, unknown>; msgid: number }
  | { kind: 'menu'; menu: unknown | null }
  | { kind: 'publish'; publishId: string; articleId: string }
  | { kind: 'mass'; msgId: number; message: Record<string, unknown> }
  | { kind: 'token'; endpoint: string; force: boolean; issued: boolean };

interface TokenRecord {
  expiresAt: number;
  /** When it stops working before it expires: replaced by a forced or classic fetch. */
  revokedAt?: number;
}

/**
 * What a new token does to the previous one of its lineage, as WeChat documents it:
 * `revoke`, a forced stable_token, ends it at once; `grace`, a classic fetch, leaves it
 * `graceSeconds`; `keep`, stable_token renewing early, leaves it to run out.
 */
export type Replacement = 'revoke' | 'grace' | 'keep';

/** Why a token is refused, if it is: 40001 unknown or replaced, 42001 expired. */
export type TokenCheck = 0 | 40001 | 41001 | 42001;

/** WeChat keeps stable_token and classic /cgi-bin/token apart: one never replaces the other's token. */
export type TokenLineage = 'stable' | 'classic';

/**
 * The mock's state; routes read and change it, `createMockApi` exposes controls over it.
 *
 * @example
 * const state = new MockState({ tokenTtlSeconds: 7200, graceSeconds: 300, now: Date.now, newId: (p) => p + '1' }, null, {});
 * state.issueToken('stable', 'revoke'); // { token: 'ACCESS_TOKEN_1', expiresIn: 7200 }
 */
export class MockState {
  readonly requests: MockRequest[] = [];
  readonly events = new EventEmitter();
  readonly quotaUsed = new Map<string, number>();
  readonly oauthCodes = new Map<string, { openid: string; scope: string; used: boolean }>();
  readonly users = new Map<string, Record<string, unknown>>();
  menu: unknown | null = null;
  /** Resources of the stateful groups (tags, materials, drafts, ...). */
  readonly store = new MockStore();
  /** Errcodes to answer on the next calls of a path, oldest first (see `MockApi.failNext`). */
  readonly failures = new Map<string, number[]>();
  /** Error answers by their rid, for openapi/rid/get (the newest 1000). */
  readonly rids = new Map<string, MockRequest & { answer: string }>();
  allowedIps: Set<string> | null;
  quota: Record<string, number>;
  delays = new Map<string, number>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly current = new Map<TokenLineage, string>();
  private seq = 0;
  private quotaDay = '';

  constructor(
    readonly settings: { tokenTtlSeconds: number; graceSeconds: number; now: () => number; newId: (prefix: string) => string },
    allowedIps: string[] | null,
    quota: Record<string, number>,
    private readonly maxRecorded: number,
  ) {
    this.allowedIps = allowedIps ? new Set(allowedIps) : null;
    this.quota = { ...quota };
    // Subscribers are UI pages and tests; many of them are normal.
    this.events.setMaxListeners(0);
  }

  emit(event: MockEvent): void {
    this.events.emit('event', event);
  }

  record(entry: Omit<MockRequest, 'seq'>): MockRequest {
    const request = { seq: ++this.seq, ...entry };
    this.requests.push(request);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
    this.emit({ kind: 'request', request });
    return request;
  }

  /** A new token for the lineage; `previous` says what becomes of the one it replaces. */
  issueToken(lineage: TokenLineage, previous: Replacement): { token: string; expiresIn: number } {
    const now = this.settings.now();
    const before = this.current.get(lineage);
    const prev = before ? this.tokens.get(before) : undefined;
    if (prev && previous !== 'keep') {
      const end = previous === 'revoke' ? now : now + this.settings.graceSeconds * 1000;
      prev.revokedAt = Math.min(prev.revokedAt ?? end, end);
    }
    const token = this.settings.newId('ACCESS_TOKEN_');
    this.tokens.set(token, { expiresAt: now + this.settings.tokenTtlSeconds * 1000 });
    this.current.set(lineage, token);
    return { token, expiresIn: this.settings.tokenTtlSeconds };
  }

  /** The lineage's token in force and its remaining seconds, or null when there is none or it expired. */
  currentToken(lineage: TokenLineage): { token: string; expiresIn: number } | null {
    const token = this.current.get(lineage);
    const record = token ? this.tokens.get(token) : undefined;
    const left = record ? Math.floor((record.expiresAt - this.settings.now()) / 1000) : 0;
    return token && left > 0 ? { token, expiresIn: left } : null;
  }

  checkToken(token: string | undefined): TokenCheck {
    if (!token) return 41001;
    const record = this.tokens.get(token);
    if (!record) return 40001;
    const now = this.settings.now();
    if (record.revokedAt !== undefined && now >= record.revokedAt) return 40001;
    if (now >= record.expiresAt) return 42001;
    return 0;
  }

  /** Every token expires now (answers 42001). */
  expireTokens(): void {
    const now = this.settings.now();
    for (const record of this.tokens.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }

  /** Every token is forgotten (answers 40001), as after a secret reset. */
  invalidateTokens(): void {
    this.tokens.clear();
    this.current.clear();
  }

  /** Counts one call to `path`; false when its daily quota is used up. */
  useQuota(path: string): boolean {
    const day = new Date(this.settings.now() + 8 * 3600_000).toISOString().slice(0, 10); // Beijing day
    if (day !== this.quotaDay) {
      this.quotaDay = day;
      this.quotaUsed.clear();
    }
    const used = (this.quotaUsed.get(path) ?? 0) + 1;
    this.quotaUsed.set(path, used);
    const limit = this.quota[path];
    return limit === undefined || used <= limit;
  }
}
