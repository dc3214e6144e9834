/**
 * The one shape every typed WeChat call has: where it goes, how its arguments
 * become the request (limits checked there, before anything is sent), how the
 * answer is read, whether it may be repeated, and its WeChat doc page. The
 * client's methods, the docs table and the mock's routes are all derived from
 * these entries (the mock's answer too, for a call with a fixed `example`).
 *
 * Field names: request bodies and answers keep WeChat's own names (`media_id`,
 * `tagid_list`, `begin_date`), so WeChat's doc page for a call applies as is.
 */
import type { ApiContext } from '../context.js';
import type { WechatJson } from '../http.js';

/** Query values; `undefined` ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** What a call's arguments become. */
export interface Req {
  query?: Query;
  json?: unknown;
  form?: FormData;
}

/** WeChat's doc page for a call: its English title, then its Chinese one. */
export type DocPage = readonly [en: string, zh: string];

/** Adds the account's own AppID (and AppSecret) to a call, under WeChat's names for them. */
export interface AppCredentialsIn {
  in: 'query' | 'json';
  appid?: string;
  secret?: string;
}

/** A declared WeChat call. Built with {@link get} or {@link post}. */
export interface CallEntry<A extends unknown[] = any[], R = any> {
  readonly kind: 'call';
  readonly method: 'GET' | 'POST';
  /** Path under the API origin, e.g. `/cgi-bin/tags/create`. */
  readonly path: string;
  /** Read-only or idempotent: retried after a timeout and, with backoff, on -1 (system busy). Sends are never retried. */
  readonly safe: boolean;
  /** False for calls that carry no account access_token (OAuth, token-free ops). */
  readonly token: boolean;
  readonly app?: AppCredentialsIn;
  /** The answer may be a file rather than JSON (media downloads). */
  readonly binary: boolean;
  /** An errcode that means "nothing there": the method resolves to `null` instead of throwing. */
  readonly nullOn?: number;
  readonly doc: DocPage;
  readonly request: (...args: A) => Req;
  readonly result: (json: WechatJson) => R;
  /**
   * WeChat's answer as its doc page shows it, which documents the shape. For a
   * call whose answer never depends on state, the mock answers with it, so such
   * a call needs no mock code.
   */
  readonly example?: WechatJson;
}

/** A method that is not one HTTP call (an iterator, a signed config), listed in the docs beside the calls. */
export interface HelperEntry<F extends (...args: any[]) => any = (...args: any[]) => any> {
  readonly kind: 'helper';
  readonly doc: DocPage;
  /** What it builds on, for the docs, e.g. `GET /cgi-bin/user/get (paged)`. */
  readonly uses: string;
  readonly build: (ctx: ApiContext, group: any) => F;
}

/** A group: calls, helpers and nested groups (`user.tags`). */
export interface Group {
  readonly [name: string]: CallEntry | HelperEntry | Group;
}

/** The client-side shape of a group: each entry becomes an async method. */
export type Bound<G> = {
  readonly [K in keyof G]: G[K] extends CallEntry<infer A, infer R>
    ? (...args: A) => Promise<R>
    : G[K] extends HelperEntry<infer F>
      ? F
      : Bound<G[K]>;
};

interface Options<A extends unknown[], R> {
  safe?: boolean;
  token?: boolean;
  app?: AppCredentialsIn;
  binary?: boolean;
  nullOn?: number;
  request?: (...args: A) => Req;
  result?: (json: WechatJson) => R;
  example?: WechatJson;
}

function entry<A extends unknown[], R>(method: 'GET' | 'POST', path: string, doc: DocPage, o: Options<A, R>): CallEntry<A, R> {
  return {
    kind: 'call',
    method,
    path,
    doc,
    safe: o.safe ?? method === 'GET',
    token: o.token ?? true,
    app: o.app,
    binary: o.binary ?? false,
    nullOn: o.nullOn,
    request: o.request ?? (() => ({})),
    result: o.result ?? ((json) => json as R),
    example: o.example,
  };
}

/**
 * A GET call (safe unless told otherwise).
 *
 * @example
 * const list = get('/cgi-bin/tags/get', ['Get tags', '获取公众号已创建的标签'], { result: as<{ tags: Tag[] }>() });
 */
export function get<A extends unknown[] = [], R = WechatJson>(path: string, doc: DocPage, o: Options<A, R> = {}): CallEntry<A, R> {
  return entry('GET', path, doc, o);
}

/**
 * A POST call with a JSON body (a send, so never retried, unless `safe: true`).
 *
 * @example
 * const del = post('/cgi-bin/tags/delete', ['Delete a tag', '删除标签'], { safe: true, request: (id: number) => ({ json: { tag: { id } } }) });
 */
export function post<A extends unknown[] = [], R = WechatJson>(path: string, doc: DocPage, o: Options<A, R> = {}): CallEntry<A, R> {
  return entry('POST', path, doc, o);
}

/**
 * A documented method that is not a single call.
 *
 * @example
 * helper(['List all followers', '获取用户列表'], 'GET /cgi-bin/user/get', (ctx, group) => () => iterate(group.list))
 */
export function helper<F extends (...args: any[]) => any>(doc: DocPage, uses: string, build: (ctx: ApiContext, group: any) => F): HelperEntry<F> {
  return { kind: 'helper', doc, uses, build };
}

/**
 * Reads the answer as `T` unchanged (WeChat's names kept).
 *
 * @example
 * result: as<{ menuid: string }>()
 */
export function as<T>(): (json: WechatJson) => T {
  return (json) => json as unknown as T;
}

/**
 * Picks one field of the answer.
 *
 * @example
 * result: pick<number>('msg_id')
 */
export function pick<T>(field: string): (json: WechatJson) => T {
  return (json) => json[field] as T;
}

/** Resolves to nothing: the call's answer is only `{ errcode: 0, errmsg: 'ok' }`. */
export const nothing = (): void => undefined;

/** True when `x` is a declared call. */
export function isCall(x: unknown): x is CallEntry {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'call';
}

/** True when `x` is a helper. */
export function isHelper(x: unknown): x is HelperEntry {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'helper';
}

/** Every entry under `group`, with its dotted name (`user.tags.create`), in declaration order. */
export function* walk(group: Group, prefix = ''): Generator<[name: string, entry: CallEntry | HelperEntry]> {
  for (const [key, value] of Object.entries(group)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isCall(value) || isHelper(value)) yield [name, value];
    else yield* walk(value as Group, name);
  }
}
