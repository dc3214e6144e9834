/** Followers: the paged list, remarks, tags and the blacklist. */
import type { Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { OpenidCheck } from './message-routes.js';

/** A page of `ids` after `next` (exclusive), WeChat's way: next_openid is the last one returned. */
function page(ids: string[], next: string | undefined, size: number, withTotal: boolean): Record<string, unknown> {
  const sorted = [...ids].sort();
  const start = next ? sorted.findIndex((id) => id > next) : 0;
  const chunk = start < 0 ? [] : sorted.slice(start, start + size);
  const out: Record<string, unknown> = { count: chunk.length, next_openid: chunk.at(-1) ?? '' };
  if (chunk.length) out.data = { openid: chunk };
  if (withTotal) out.total = sorted.length;
  return out;
}

/**
 * Adds the user routes to `app`.
 *
 * @example
 * userRoutes(app, state, validOpenid, 10000); // inside createMockApi
 */
export function userRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck, pageSize: number): void {
  const { tags, userTags, blacklist } = state.store;
  const tagged = (id: number) => [...userTags].filter(([, set]) => set.has(id)).map(([openid]) => openid);

  app.get('/cgi-bin/user/get', (c) => c.json(page([...state.users.keys()], c.req.query('next_openid') || undefined, pageSize, true)));
  app.post(
    '/cgi-bin/user/info/updateremark',
    jsonRoute((c, b) => {
      if (!validOpenid(b.openid)) return c.json(wechatError(40003));
      if (typeof b.remark !== 'string' || [...b.remark].length > 30) return c.json(wechatError(45003, 'remark too long'));
      state.users.set(String(b.openid), { ...state.users.get(String(b.openid)), remark: b.remark });
      return c.json(OK);
    }),
  );
  app.post(
    '/cgi-bin/changeopenid',
    jsonRoute((c, b) => {
      const list = Array.isArray(b.openid_list) ? (b.openid_list as string[]) : [];
      return c.json({ errcode: 0, errmsg: 'ok', result_list: list.map((o) => ({ ori_openid: o, new_openid: `${o}_new`, err_msg: 'ok' })) });
    }),
  );

  app.post(
    '/cgi-bin/tags/create',
    jsonRoute((c, b) => {
      const name = (b.tag as { name?: unknown } | undefined)?.name;
      if (typeof name !== 'string' || !name) return c.json(wechatError(40097));
      if ([...name].length > 30) return c.json(wechatError(45158, 'tag name too long'));
      if ([...tags.values()].some((t) => t.name === name)) return c.json(wechatError(45157, 'invalid tag name'));
      if (tags.size >= 100) return c.json(wechatError(45056, 'too many tags now, no need to add new'));
      const tag = { id: 100 + state.store.nextId(), name };
      tags.set(tag.id, tag);
      return c.json({ tag });
    }),
  );
  app.get('/cgi-bin/tags/get', (c) => c.json({ tags: [...tags.values()].map((t) => ({ ...t, count: tagged(t.id).length })) }));
  app.post(
    '/cgi-bin/tags/update',
    jsonRoute((c, b) => {
      const t = b.tag as { id?: unknown; name?: unknown } | undefined;
      const tag = tags.get(Number(t?.id));
      if (!tag) return c.json(wechatError(45058, "can't modify sys tag"));
      if (typeof t?.name !== 'string' || [...t.name].length > 30) return c.json(wechatError(45158, 'tag name too long'));
      if ([...tags.values()].some((x) => x.name === t.name && x.id !== tag.id)) return c.json(wechatError(45157, 'invalid tag name'));
      tag.name = t.name;
      return c.json(OK);
    }),
  );
  app.post(
    '/cgi-bin/tags/delete',
    jsonRoute((c, b) => {
      const id = Number((b.tag as { id?: unknown } | undefined)?.id);
      if (id <= 2) return c.json(wechatError(45058, "can't modify sys tag"));
      if (!tags.delete(id)) return c.json(wechatError(45058, 'tag not exist'));
      for (const set of userTags.values()) set.delete(id);
      return c.json(OK);
    }),
  );
  const batch = (add: boolean) =>
    jsonRoute((c, b) => {
      const id = Number(b.tagid);
      const list = b.openid_list;
      if (!tags.has(id)) return c.json(wechatError(45159, 'invalid tag id'));
      if (!Array.isArray(list) || list.length === 0 || list.length > 50) return c.json(wechatError(40032, 'invalid openid list size'));
      if (!list.every(validOpenid)) return c.json(wechatError(40003));
      for (const o of list as string[]) {
        const set = userTags.get(o) ?? new Set<number>();
        if (add && !set.has(id) && set.size >= 20) return c.json(wechatError(45059, 'too many tags for this user'));
        if (add) set.add(id);
        else set.delete(id);
        userTags.set(o, set);
      }
      return c.json(OK);
    });
  app.post('/cgi-bin/tags/members/batchtagging', batch(true));
  app.post('/cgi-bin/tags/members/batchuntagging', batch(false));
  app.post(
    '/cgi-bin/tags/getidlist',
    jsonRoute((c, b) => (validOpenid(b.openid) ? c.json({ tagid_list: [...(userTags.get(String(b.openid)) ?? [])] }) : c.json(wechatError(40003)))),
  );
  app.post(
    '/cgi-bin/user/tag/get',
    jsonRoute((c, b) => (tags.has(Number(b.tagid)) ? c.json(page(tagged(Number(b.tagid)), String(b.next_openid ?? '') || undefined, pageSize, false)) : c.json(wechatError(45159, 'invalid tag id')))),
  );

  app.post(
    '/cgi-bin/tags/members/getblacklist',
    jsonRoute((c, b) => c.json(page([...blacklist], String(b.begin_openid ?? '') || undefined, pageSize, true))),
  );
  const black = (add: boolean) =>
    jsonRoute((c, b) => {
      const list = b.openid_list;
      if (!Array.isArray(list) || list.length === 0 || list.length > 20) return c.json(wechatError(40032, 'invalid openid list size'));
      if (!list.every(validOpenid)) return c.json(wechatError(40003));
      for (const o of list as string[]) add ? blacklist.add(o) : blacklist.delete(o);
      return c.json(OK);
    });
  app.post('/cgi-bin/tags/members/batchblacklist', black(true));
  app.post('/cgi-bin/tags/members/batchunblacklist', black(false));
}
