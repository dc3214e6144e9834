/** User profiles, temporary media upload and QR codes. */
import type { Hono } from 'hono';
import { objectBody, type MockEnv, INVALID } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { OpenidCheck } from './message-routes.js';

function profile(state: MockState, openid: string, lang: string): Record<string, unknown> {
  return {
    subscribe: 1,
    openid,
    language: lang,
    subscribe_time: Math.floor(state.settings.now() / 1000),
    remark: '',
    groupid: 0,
    subscribe_scene: 'ADD_SCENE_QR_CODE',
    qr_scene: 0,
    qr_scene_str: '',
    ...state.users.get(openid),
    tagid_list: [...(state.store.userTags.get(openid) ?? [])],
  };
}

/**
 * Adds the resource routes to `app`.
 *
 * @example
 * resourceRoutes(app, state, validOpenid); // inside createMockApi
 */
export function resourceRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck): void {
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
    const id = state.settings.newId('MEDIA_');
    state.store.media.set(id, { type, data: new Uint8Array(await media.arrayBuffer()), contentType: media.type || 'application/octet-stream', filename: media.name, createdAt: created_at });
    // WeChat names the id thumb_media_id for thumbnails.
    return c.json({ type, [type === 'thumb' ? 'thumb_media_id' : 'media_id']: id, created_at });
  });

  // Stands in for mmbiz.qpic.cn, where WeChat hosts users' pictures (a message's PicUrl): no token needed.
  app.get('/mmbiz/:id', (c) => {
    const f = state.store.media.get(c.req.param('id'));
    if (!f) return c.json(wechatError(40007), 404);
    return new Response(f.data, { headers: { 'Content-Type': f.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } });
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
