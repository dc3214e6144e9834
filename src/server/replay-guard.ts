import * as nodeCrypto from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { DEDUP_TTL_MS, type DedupEntry, type DedupStore } from '../wechat/dedup.js';
import type { Query } from '../wechat/protocol.js';
import type { ReplayLedger } from '../wechat/replay-ledger.js';

/** Default for `maxClockSkewSec` / WECHAT_MAX_CLOCK_SKEW: five minutes, as Slack and Stripe allow for signed webhooks. */
export const DEFAULT_MAX_CLOCK_SKEW_SEC = 300;

export interface ReplayGuardOptions {
  /** Largest distance allowed between `timestamp` and this server's clock (s); 0 turns the checks off. */
  maxClockSkewSec: number;
  /** Where each signed query is recorded: the de-dup store, shared when it is Redis. `replays`: this process's memory, checked without a promise. */
  store: Required<Pick<DedupStore, 'remember'>> & Pick<DedupStore, 'admit'> & { replays?: ReplayLedger };
  now: () => number;
}

/** A signed request as the guard sees it. */
export interface SignedRequest {
  query: Query;
  kind: 'GET' | 'POST';
  /** What was received; none for a GET. */
  body?: string;
  /** The de-dup claim to make in the same round trip when the store can. */
  claim?: { key: string; ttlMs: number };
  /**
   * A verified signature that covers the body (safe and compatible modes' msg_signature):
   * recorded in place of a digest of the body, which it already is.
   */
  bodySignature?: string;
}

const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: string) => string }).hash;
const digest = (body: string, encoding: 'base64url' | 'hex') => (oneShot ? oneShot('sha1', body, encoding) : nodeCrypto.createHash('sha1').update(body).digest(encoding));
const EMPTY = digest('', 'base64url');
/** The body's digest as shared stores record it. */
const fingerprint = (body: string) => (body === '' ? EMPTY : digest(body, 'base64url'));
const SECONDS = /^\d{1,12}$/;

function age(seconds: number): string {
  const s = Math.abs(seconds);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} days`;
}

/**
 * Freshness and replay checks for signed requests. WeChat's `signature` covers
 * token, timestamp and nonce, not the body: without these checks one captured
 * query (from a log, a proxy, a GET verification) signs any forged message,
 * forever. Run after the signature check, so only WeChat's own queries are recorded.
 *
 * - `timestamp` must be within `maxClockSkewSec` of this server's clock (403 otherwise).
 * - Each (timestamp, nonce, signature) is recorded with a digest of its body. Seen
 *   again with another body, or after WeChat's retries are over (30 s), it is a
 *   replay: 403. The same body within 30 s passes: should WeChat retry with the
 *   query it used first, the retry goes on to de-duplication and gets the first answer.
 */
export class ReplayGuard {
  constructor(private readonly options: ReplayGuardOptions) {}

  /**
   * Throws a 403 {@link ProtocolError} for a stale or replayed request. With a store in this
   * process's memory it decides at once and returns undefined; with a shared one it returns a
   * promise (rejected for a replay), resolved to the outcome of `request.claim` when the store
   * made it in the same round trip ({@link DedupStore.admit}), else to undefined (the caller
   * claims on its own).
   *
   * @example
   * guard.check({ query, kind: 'GET' });
   * await guard.check({ query, kind: 'POST', body, claim: { key, ttlMs } });
   */
  check(request: SignedRequest): Promise<DedupEntry | null | undefined> | undefined {
    const { query, kind, claim, bodySignature } = request;
    const body = request.body ?? '';
    const max = this.options.maxClockSkewSec;
    if (!max) return undefined;
    const raw = query.timestamp ?? '';
    if (!SECONDS.test(raw)) {
      throw new ProtocolError('TIMESTAMP_INVALID', 403, `timestamp ${JSON.stringify(raw.slice(0, 20))} is not a number of seconds: WeChat sends Unix time in seconds`);
    }
    const nowMs = this.options.now();
    const skew = Math.floor(nowMs / 1000) - Number(raw);
    if (Math.abs(skew) > max) {
      throw new ProtocolError('TIMESTAMP_STALE', 403, `timestamp ${raw} is ${age(skew)} ${skew > 0 ? 'old' : 'ahead of this server'}; WeChat's requests are at most ${max} s off (WECHAT_MAX_CLOCK_SKEW): a replayed request, or this server's clock is wrong`);
    }
    const { store } = this.options;
    if (store.replays) {
      // The signature was verified before this check: it names the timestamp and nonce.
      const what = kind === 'GET' ? '' : (bodySignature ?? digest(body, 'hex'));
      const earlier = store.replays.record(Number(raw), query.signature ?? '', kind, what, nowMs, max);
      if (earlier === null) return undefined;
      if (earlier) return refuseUnlessRetry(earlier.same, earlier.kind, earlier.seenMs, nowMs, query);
    }
    const key = `${raw}:${query.nonce ?? ''}:${(query.signature ?? '').toLowerCase()}`;
    const what = bodySignature ? `${kind}:sig:${bodySignature.toLowerCase()}` : `${kind}:${fingerprint(body)}`;
    // Kept for minutes: joined into one flat string rather than a template's chain of pieces,
    // which every young-generation collection copies object by object until it is promoted.
    const seen = [what, nowMs].join('@');
    // Kept until the timestamp leaves the window: after that the freshness check refuses it anyway.
    const ttlMs = Math.max(1000, (Number(raw) + max) * 1000 - nowMs + 1000);
    const signed = bodySignature === undefined ? undefined : body;
    if (claim && store.admit) {
      // Claimed only when nothing was recorded before, so never for a request refused here.
      return store.admit({ key, value: seen, ttlMs }, claim).then(({ earlier, claimed }) => (judge(earlier, what, nowMs, query, signed), claimed));
    }
    return store.remember(key, seen, ttlMs).then((earlier) => judge(earlier, what, nowMs, query, signed));
  }
}

/**
 * Whether a record found for this query (`earlier`, or null for none) makes this request a replay.
 * `signedBody`: the body, when `what` names its signature. A record from a release that recorded
 * a digest of the body (in a shared store, during a deploy) then still matches a retry of its message.
 */
function judge(earlier: string | null, what: string, nowMs: number, query: Query, signedBody?: string): undefined {
  if (earlier === null) return undefined;
  const at = earlier.lastIndexOf('@');
  const recorded = earlier.slice(0, at);
  const sameBody = recorded === what || (signedBody !== undefined && recorded === `${what.slice(0, what.indexOf(':'))}:${fingerprint(signedBody)}`);
  return refuseUnlessRetry(sameBody, earlier.startsWith('GET') ? 'GET' : 'POST', Number(earlier.slice(at + 1)), nowMs, query);
}

/** Lets a retry through (the same body, within WeChat's retries); throws for anything else. */
function refuseUnlessRetry(sameBody: boolean, earlierKind: 'GET' | 'POST', seenMs: number, nowMs: number, query: Query): undefined {
  if (sameBody && nowMs - seenMs <= DEDUP_TTL_MS) return undefined;
  throw new ProtocolError('REPLAYED', 403, sameBody
    ? `this signed request (timestamp ${query.timestamp}, nonce ${query.nonce}) was already received more than ${DEDUP_TTL_MS / 1000} s ago: refused as a replay`
    : `this signature (timestamp ${query.timestamp}, nonce ${query.nonce}) was already used for another ${earlierKind === 'GET' ? 'request (a GET verification)' : 'message'}: refused as a replay; WeChat signs each request anew`);
}
