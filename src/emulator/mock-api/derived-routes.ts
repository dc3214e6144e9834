/**
 * The mock's answers for stateless calls, taken from the calls' own entries:
 * a call declared with an `example` answer and no hand-written route is
 * answered with that example, so adding such a call needs no mock code. Calls
 * whose answer depends on state (menus, tags, materials, drafts ...) keep their
 * hand-written routes, which win.
 */
import type { Context, Hono } from 'hono';
import type { CallEntry } from '../../api/calls/define.js';
import { wechatError } from './errors.js';
import type { MockEnv } from './http.js';

/** A check a derived route runs first; a non-null answer is sent instead of the example. */
export type DerivedGuard = (c: Context<MockEnv>) => Promise<Record<string, unknown> | null>;

/** OCR and image processing take a picture as `img_url` or a multipart `img`: without one WeChat answers 101000. */
const needsImage: DerivedGuard = async (c) => {
  if (c.req.query('img_url')) return null;
  const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
  return form.img instanceof File ? null : wechatError(101000, 'invalid image url or image data');
};

/** Guards by path prefix. */
export const DERIVED_GUARDS: ReadonlyArray<readonly [prefix: string, guard: DerivedGuard]> = [['/cv/', needsImage]];

/**
 * Adds a route for every call in `calls` that has an `example` and no route yet.
 * Returns the dotted names of the calls it added.
 *
 * @example
 * derivedRoutes(app, allCalls()); // after the hand-written routes
 */
export function derivedRoutes(app: Hono<MockEnv>, calls: ReadonlyArray<readonly [name: string, entry: CallEntry]>, guards = DERIVED_GUARDS): string[] {
  const routed = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
  const added: string[] = [];
  for (const [name, entry] of calls) {
    const key = `${entry.method} ${entry.path}`;
    if (!entry.example || routed.has(key)) continue;
    routed.add(key);
    added.push(name);
    const answer = { errcode: 0, errmsg: 'ok', ...entry.example };
    const guard = guards.find(([prefix]) => entry.path.startsWith(prefix))?.[1];
    app.on(entry.method, entry.path, async (c) => c.json((guard && (await guard(c))) || answer));
  }
  return added;
}
