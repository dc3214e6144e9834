/** Custom menus: the default menu, conditional menus, trymatch and the self-menu info. */
import type { Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';

const BUTTON_TYPES = new Set([
  'click', 'view', 'miniprogram', 'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album',
  'pic_weixin', 'location_select', 'media_id', 'view_limited', 'article_id', 'article_view_limited',
]);

/** WeChat's menu checks, in its own errcodes (deliberately independent of the client's validator). */
function menuError(menu: Record<string, unknown>) {
  const buttons = menu.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return wechatError(40016);
  for (const b of buttons as Array<Record<string, unknown>>) {
    if (typeof b?.name !== 'string' || !b.name) return wechatError(40018);
    const subs = b.sub_button;
    const leaves = Array.isArray(subs) ? (subs as Array<Record<string, unknown>>) : [b];
    if (Array.isArray(subs) && (subs.length < 1 || subs.length > 5)) return wechatError(40023);
    for (const leaf of leaves) {
      if (typeof leaf?.name !== 'string' || !leaf.name) return wechatError(40018);
      if (typeof leaf.type !== 'string' || !BUTTON_TYPES.has(leaf.type)) return wechatError(40017);
      if (leaf.type === 'click' && (typeof leaf.key !== 'string' || !leaf.key)) return wechatError(40019);
      if (leaf.type === 'view' && (typeof leaf.url !== 'string' || !leaf.url)) return wechatError(40020);
    }
  }
  return null;
}

/** WeChat's menu/get adds `sub_button: []` to every leaf button; clients must cope. */
function asWechatReturnsIt(menu: unknown): unknown {
  const add = (b: Record<string, unknown>): Record<string, unknown> =>
    Array.isArray(b.sub_button) && b.sub_button.length ? { ...b, sub_button: (b.sub_button as Array<Record<string, unknown>>).map(add) } : { ...b, sub_button: [] };
  return { button: ((menu as { button: Array<Record<string, unknown>> }).button ?? []).map(add) };
}

/** The live menu as get_current_selfmenu_info describes it: sub-buttons wrapped in `{ list }`. */
function selfMenu(menu: unknown): Record<string, unknown> {
  if (!menu) return { is_menu_open: 0 };
  const wrap = (b: Record<string, unknown>): Record<string, unknown> =>
    Array.isArray(b.sub_button) ? { name: b.name, sub_button: { list: (b.sub_button as Array<Record<string, unknown>>).map(wrap) } } : { ...b, type: b.type === 'view' ? 'view' : b.type, value: b.key ?? b.url ?? b.media_id };
  return { is_menu_open: 1, selfmenu_info: { button: (menu as { button: Array<Record<string, unknown>> }).button.map(wrap) } };
}

/**
 * Adds the menu routes to `app`.
 *
 * @example
 * menuRoutes(app, state); // inside createMockApi
 */
export function menuRoutes(app: Hono<MockEnv>, state: MockState): void {
  const { conditionalMenus } = state.store;
  app.post(
    '/cgi-bin/menu/create',
    jsonRoute((c, body) => {
      const bad = menuError(body);
      if (bad) return c.json(bad);
      state.menu = { button: body.button };
      state.emit({ kind: 'menu', menu: state.menu });
      return c.json(OK);
    }),
  );
  app.get('/cgi-bin/menu/get', (c) => {
    if (!state.menu) return c.json(wechatError(46003));
    const conditionalmenu = [...conditionalMenus].map(([menuid, m]) => ({ ...(asWechatReturnsIt(m) as object), matchrule: m.matchrule, menuid: Number(menuid) }));
    return c.json({ menu: asWechatReturnsIt(state.menu), ...(conditionalmenu.length ? { conditionalmenu } : {}) });
  });
  app.get('/cgi-bin/menu/delete', (c) => {
    state.menu = null;
    conditionalMenus.clear();
    state.emit({ kind: 'menu', menu: null });
    return c.json(OK);
  });
  app.post(
    '/cgi-bin/menu/addconditional',
    jsonRoute((c, body) => {
      const bad = menuError(body);
      if (bad) return c.json(bad);
      const rule = body.matchrule;
      if (typeof rule !== 'object' || rule === null || Object.keys(rule).length === 0) return c.json(wechatError(65303, 'there is no selfmenu, please create selfmenu first'));
      // WeChat only allows conditional menus once a default menu exists.
      if (!state.menu) return c.json(wechatError(65303, 'there is no selfmenu, please create selfmenu first'));
      const tag = (rule as Record<string, unknown>).tag_id;
      if (tag !== undefined && !state.store.tags.has(Number(tag))) return c.json(wechatError(65301, 'no tag'));
      const menuid = String(400_000_000 + state.store.nextId());
      conditionalMenus.set(menuid, { button: body.button as unknown[], matchrule: rule as Record<string, unknown> });
      return c.json({ menuid });
    }),
  );
  app.post(
    '/cgi-bin/menu/delconditional',
    jsonRoute((c, body) => (conditionalMenus.delete(String(body.menuid)) ? c.json(OK) : c.json(wechatError(65301, 'menuid not exist')))),
  );
  app.post(
    '/cgi-bin/menu/trymatch',
    jsonRoute((c, body) => {
      const user = String(body.user_id ?? '');
      if (!user) return c.json(wechatError(40003));
      if (!state.menu) return c.json(wechatError(46003));
      const tags = state.store.userTags.get(user) ?? new Set<number>();
      const match = [...conditionalMenus.values()].reverse().find((m) => m.matchrule.tag_id !== undefined && tags.has(Number(m.matchrule.tag_id)));
      return c.json({ button: (asWechatReturnsIt(match ?? state.menu) as { button: unknown[] }).button });
    }),
  );
  app.get('/cgi-bin/get_current_selfmenu_info', (c) => c.json(selfMenu(state.menu)));
}
