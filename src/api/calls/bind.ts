/**
 * Turns declared entries into the client's methods: arguments → request (limits
 * checked), the account token or app credentials added, the answer read.
 */
import type { ApiContext } from '../context.js';
import { WechatApiError } from '../errors.js';
import { callWechat, type CallSpec, type WechatJson } from '../http.js';
import { isCall, isHelper, type Bound, type CallEntry, type Group } from './define.js';

/**
 * Makes one declared call.
 *
 * @example
 * await invoke(ctx, tagCalls.create, ['星标']);
 */
export async function invoke<A extends unknown[], R>(ctx: ApiContext, entry: CallEntry<A, R>, args: A): Promise<R> {
  const req = entry.request(...args);
  const spec: CallSpec = { method: entry.method, path: entry.path, query: req.query, json: req.json, form: req.form, idempotent: entry.safe, binary: entry.binary };
  if (entry.app) {
    const add: Record<string, string> = {};
    if (entry.app.appid) add[entry.app.appid] = ctx.appId;
    if (entry.app.secret) add[entry.app.secret] = ctx.appSecret;
    if (entry.app.in === 'query') spec.query = { ...add, ...spec.query };
    else spec.json = { ...add, ...(spec.json as object) };
  }
  let json: WechatJson;
  try {
    json = entry.token ? await ctx.request(spec) : await callWechat(ctx.http, spec);
  } catch (error) {
    if (entry.nullOn !== undefined && error instanceof WechatApiError && error.errcode === entry.nullOn) return null as R;
    throw error;
  }
  return entry.result(json);
}

/**
 * The client-side methods of a group, nested groups included.
 *
 * @example
 * const menu = bindGroup(ctx, menuCalls); await menu.create({ button: [...] });
 */
export function bindGroup<G extends Group>(ctx: ApiContext, group: G): Bound<G> {
  const out: Record<string, unknown> = {};
  const helpers: Array<[string, (ctx: ApiContext, group: unknown) => unknown]> = [];
  for (const [key, value] of Object.entries(group)) {
    if (isCall(value)) out[key] = (...args: unknown[]) => invoke(ctx, value, args);
    else if (isHelper(value)) helpers.push([key, value.build]);
    else out[key] = bindGroup(ctx, value as Group);
  }
  // Helpers are built last, so they can use the group's own calls.
  for (const [key, build] of helpers) out[key] = build(ctx, out);
  return out as Bound<G>;
}
