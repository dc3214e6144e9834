/**
 * One HTTP call to the WeChat API: URL, timeout, JSON, errcode. Knows nothing
 * about access tokens; the client adds them.
 */
import { ApiTimeoutError, ApiUnreachableError, WechatApiError, redact } from './errors.js';

/** The `fetch` the client uses; injected so tests and proxies can replace it. */
export type Fetch = typeof globalThis.fetch;

/** Where and how calls go. */
export interface HttpSettings {
  /** API origin, e.g. `https://api.weixin.qq.com` (no trailing slash). */
  apiBase: string;
  fetch: Fetch;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** Waits before each retry of a safe call that WeChat answered -1 (system busy). Default 300, 1200 ms. */
  busyRetryDelaysMs?: readonly number[];
}

/** One call. `idempotent: false` marks sends that must never be repeated blindly. */
export interface CallSpec {
  method: 'GET' | 'POST';
  /** Path under the origin, e.g. `/cgi-bin/menu/get`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body (POST). */
  json?: unknown;
  /** Multipart body (POST), e.g. media uploads. */
  form?: FormData;
  /** True when repeating the call is harmless (reads, token fetches, menu create). */
  idempotent: boolean;
  /** The answer may be a file: anything not JSON resolves to a {@link MediaContent}. */
  binary?: boolean;
}

/** A downloaded file (temporary or permanent media). */
export interface MediaContent {
  data: Uint8Array;
  contentType: string;
  /** From Content-Disposition, when WeChat names the file. */
  filename?: string;
}

/** A successful answer: WeChat's JSON, errcode 0 or absent. */
export type WechatJson = Record<string, unknown>;

function buildUrl(apiBase: string, spec: CallSpec): string {
  // Concatenate rather than resolve: an API base with a path (a mounted mock) must keep it.
  const url = new URL(`${apiBase}${spec.path}`);
  for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

async function attempt(http: HttpSettings, spec: CallSpec): Promise<WechatJson> {
  const init: RequestInit = { method: spec.method, signal: AbortSignal.timeout(http.timeoutMs) };
  if (spec.form) init.body = spec.form;
  else if (spec.json !== undefined) {
    // WeChat wants UTF-8 JSON without \u escapes for Chinese; JSON.stringify already emits raw UTF-8.
    init.body = JSON.stringify(spec.json);
    init.headers = { 'content-type': 'application/json; charset=utf-8' };
  }
  let text: string;
  let status: number;
  try {
    const response = await http.fetch(buildUrl(http.apiBase, spec), init);
    status = response.status;
    const type = response.headers.get('content-type') ?? '';
    if (spec.binary && status === 200 && !/json|text\/plain/i.test(type)) {
      const filename = /filename="?([^";]+)"?/i.exec(response.headers.get('content-disposition') ?? '')?.[1];
      return { data: new Uint8Array(await response.arrayBuffer()), contentType: type, filename } satisfies MediaContent as unknown as WechatJson;
    }
    text = await response.text();
  } catch (error) {
    if (isTimeout(error)) throw new ApiTimeoutError(spec.path, http.timeoutMs, !spec.idempotent, { cause: error });
    const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    // A refused connection or an unknown host means nothing was sent; anything else may have been.
    const code = (error as { cause?: { code?: string } })?.cause?.code;
    const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    throw new ApiUnreachableError(spec.path, `could not reach ${http.apiBase}: ${reason}`, { cause: error, maybeDelivered: !spec.idempotent && !notSent });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiUnreachableError(spec.path, `expected JSON from ${http.apiBase}, got HTTP ${status}: ${text.slice(0, 120)}`, { maybeDelivered: !spec.idempotent });
  }
  if (typeof body !== 'object' || body === null) {
    throw new ApiUnreachableError(spec.path, `expected a JSON object, got ${redact(text.slice(0, 120))}`);
  }
  const { errcode, errmsg } = body as { errcode?: unknown; errmsg?: unknown };
  if (typeof errcode === 'number' && errcode !== 0) {
    throw new WechatApiError(errcode, typeof errmsg === 'string' ? errmsg : '', spec.path);
  }
  return body as WechatJson;
}

/**
 * Calls the WeChat API and resolves to its JSON. A non-zero errcode throws
 * {@link WechatApiError}; no answer in time throws {@link ApiTimeoutError}. An
 * idempotent call is tried once more after a timeout or network failure, and
 * again with backoff while WeChat answers -1 (busy); a send is not, because
 * WeChat may already have delivered it.
 *
 * @example
 * const json = await callWechat(
 *   { apiBase: 'https://api.weixin.qq.com', fetch, timeoutMs: 10_000 },
 *   { method: 'GET', path: '/cgi-bin/menu/get', query: { access_token }, idempotent: true },
 * );
 */
export async function callWechat(http: HttpSettings, spec: CallSpec): Promise<WechatJson> {
  const delays = http.busyRetryDelaysMs ?? DEFAULT_BUSY_DELAYS;
  for (let busy = 0; ; busy++) {
    try {
      return await attemptTwice(http, spec);
    } catch (error) {
      // -1 means WeChat did nothing; a safe call may wait and ask again, a send may not (it may have been queued).
      const isBusy = error instanceof WechatApiError && error.errcode === -1;
      if (!isBusy || !spec.idempotent || busy >= delays.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, delays[busy]));
    }
  }
}

const DEFAULT_BUSY_DELAYS = [300, 1200];

/**
 * The longest a safe call can take before it gives up: two attempts (a timeout, then the
 * retry) per round, a round per busy retry, and the waits between. Locks held across calls use it.
 *
 * @example
 * worstCaseMs({ apiBase, fetch, timeoutMs: 10_000 }) // 61 500: 3 rounds × 2 × 10 s + 300 + 1200 ms
 */
export function worstCaseMs(http: HttpSettings): number {
  const delays = http.busyRetryDelaysMs ?? DEFAULT_BUSY_DELAYS;
  return (delays.length + 1) * 2 * http.timeoutMs + delays.reduce((sum, d) => sum + d, 0);
}

async function attemptTwice(http: HttpSettings, spec: CallSpec): Promise<WechatJson> {
  try {
    return await attempt(http, spec);
  } catch (error) {
    const transient = error instanceof ApiTimeoutError || error instanceof ApiUnreachableError;
    if (!transient || !spec.idempotent || spec.form) throw error;
    return attempt(http, spec);
  }
}
