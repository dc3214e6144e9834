/** Menu, users, temporary media and QR codes. */
import type { Hono } from 'hono';
import { objectBody, type MockEnv, INVALID } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { OpenidCheck } from './message-routes.js';

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

function profile(state: MockState, openid: string, lang: string): Record<string, unknown> {
  return {
    subscribe: 1,
    openid,
    language: lang,
    subscribe_time: Math.floor(state.settings.now() / 1000),
    remark: '',
    groupid: 0,
    tagid_list: [],
    subscribe_scene: 'ADD_SCENE_QR_CODE',
    qr_scene: 0,
    qr_scene_str: '',
    ...state.users.get(openid),
  };
}

/**
 * Adds the resource routes to `app`.
 *
 * @example
 * resourceRoutes(app, state, validOpenid); // inside createMockApi
 */
export function resourceRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck): void {
  app.post('/cgi-bin/menu/create', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    if (!body) return c.json(wechatError(44002));
    const bad = menuError(body);
    if (bad) return c.json(bad);
    state.menu = { button: body.button };
    state.emit({ kind: 'menu', menu: state.menu });
    return c.json(OK);
  });
  app.get('/cgi-bin/menu/get', (c) => c.json(state.menu ? { menu: asWechatReturnsIt(state.menu) } : wechatError(46003)));
  app.get('/cgi-bin/menu/delete', (c) => {
    state.menu = null;
    state.emit({ kind: 'menu', menu: null });
    return c.json(OK);
  });

  app.get('/cgi-bin/user/info', (c) => {
    const openid = c.req.query('openid');
    if (!validOpenid(openid)) return c.json(wechatError(40003));
    return c.json(profile(state, openid as string, c.req.query('lang') ?? 'zh_CN'));
  });
  app.post('/cgi-bin/user/info/batchget', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const list = objectBody(c)?.user_list;
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) return c.json(wechatError(40097));
    const entries = list as Array<{ openid?: unknown; lang?: unknown }>;
    if (!entries.every((u) => validOpenid(u?.openid))) return c.json(wechatError(40003));
    return c.json({ user_info_list: entries.map((u) => profile(state, String(u.openid), String(u.lang ?? 'zh_CN'))) });
  });

  app.post('/cgi-bin/media/upload', async (c) => {
    const type = c.req.query('type') ?? '';
    if (!['image', 'voice', 'video', 'thumb'].includes(type)) return c.json(wechatError(40004));
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const media = (form as Record<string, unknown>).media;
    if (!(media instanceof File) || media.size === 0) return c.json(wechatError(41005));
    const created_at = Math.floor(state.settings.now() / 1000);
    // WeChat names the id thumb_media_id for thumbnails.
    return c.json({ type, [type === 'thumb' ? 'thumb_media_id' : 'media_id']: state.settings.newId('MEDIA_'), created_at });
  });

  app.post('/cgi-bin/qrcode/create', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    const action = body?.action_name;
    const scene = (body?.action_info as { scene?: Record<string, unknown> } | undefined)?.scene;
    const permanent = action === 'QR_LIMIT_SCENE' || action === 'QR_LIMIT_STR_SCENE';
    const byString = action === 'QR_STR_SCENE' || action === 'QR_LIMIT_STR_SCENE';
    if (!body || !['QR_SCENE', 'QR_STR_SCENE', 'QR_LIMIT_SCENE', 'QR_LIMIT_STR_SCENE'].includes(String(action)) || !scene) return c.json(wechatError(40053));
    if (byString ? typeof scene.scene_str !== 'string' : typeof scene.scene_id !== 'number') return c.json(wechatError(40053));
    const ticket = state.settings.newId('gQ');
    const url = `http://weixin.qq.com/q/${ticket.slice(2, 24)}`;
    if (permanent) return c.json({ ticket, url });
    const expire = Math.min(Number(body.expire_seconds ?? 60), 2_592_000);
    return c.json({ ticket, expire_seconds: expire, url });
  });
}
