/** Operations, short keys, comments, analytics, OCR/image/voice and mini program links. */
import type { Context, Hono } from 'hono';
import { DATACUBE_SPANS } from '../../api/calls/datacube.js';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { AppCredentials } from './token-routes.js';

const DAY = 86_400_000;

function datacube(state: MockState, name: string, maxDays: number) {
  return jsonRoute((c, b) => {
    const valid = (d: unknown) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));
    if (!valid(b.begin_date) || !valid(b.end_date)) return c.json(wechatError(61500, 'date format error'));
    const begin = Date.parse(String(b.begin_date));
    const days = (Date.parse(String(b.end_date)) - begin) / DAY + 1;
    const today = Date.parse(new Date(state.settings.now() + 8 * 3600_000).toISOString().slice(0, 10));
    // WeChat answers 61501 for a reversed or too long range, or one reaching today (data is ready the next day).
    if (days < 1 || days > maxDays || Date.parse(String(b.end_date)) >= today) return c.json(wechatError(61501, 'date range error'));
    const list = Array.from({ length: days }, (_, i) => {
      const ref_date = new Date(begin + i * DAY).toISOString().slice(0, 10);
      if (name.startsWith('getuser') && name.includes('summary')) return { ref_date, user_source: 0, new_user: 0, cancel_user: 0 };
      if (name === 'getusercumulate') return { ref_date, cumulate_user: state.users.size };
      if (name.startsWith('getinterface')) return { ref_date, callback_count: 0, fail_count: 0, total_time_cost: 0, max_time_cost: 0, ...(name.endsWith('hour') ? { ref_hour: 0 } : {}) };
      if (name.startsWith('getupstream')) return { ref_date, msg_type: 1, msg_user: 0, msg_count: 0, ...(name.endsWith('hour') ? { ref_hour: 0 } : {}) };
      return { ref_date, int_page_read_user: 0, int_page_read_count: 0, share_user: 0, share_count: 0, ...(name.endsWith('hour') ? { ref_hour: 0 } : {}) };
    });
    return c.json({ list });
  });
}

/**
 * Adds the remaining routes to `app`.
 *
 * @example
 * miscRoutes(app, state, { appId, appSecret }); // inside createMockApi
 */
export function miscRoutes(app: Hono<MockEnv>, state: MockState, creds: AppCredentials): void {
  const { shortKeys, comments } = state.store;
  const now = () => Math.floor(state.settings.now() / 1000);

  app.post(
    '/cgi-bin/callback/check',
    jsonRoute((c, b) => {
      if (!['dns', 'ping', 'all'].includes(String(b.action))) return c.json(wechatError(40202, 'invalid action'));
      if (!['CHINANET', 'UNICOM', 'CAP', 'DEFAULT'].includes(String(b.check_operator))) return c.json(wechatError(40203, 'invalid check_operator'));
      return c.json({ dns: [{ ip: '127.0.0.1', real_operator: 'UNICOM' }], ping: [{ ip: '127.0.0.1', from_operator: 'CHINANET', package_loss: '0%', time: '1.2ms' }] });
    }),
  );
  const clear = (c: Context<MockEnv>, appid: unknown) => {
    if (appid !== creds.appId) return c.json(wechatError(40013));
    state.quotaUsed.clear();
    return c.json(OK);
  };
  app.post('/cgi-bin/clear_quota', jsonRoute((c, b) => clear(c, b.appid)));
  app.post('/cgi-bin/clear_quota/v2', (c) => (c.req.query('appsecret') === creds.appSecret ? clear(c, c.req.query('appid')) : c.json(wechatError(40125))));
  app.post(
    '/cgi-bin/openapi/quota/get',
    jsonRoute((c, b) => {
      const path = String(b.cgi_path ?? '');
      if (!path.startsWith('/')) return c.json(wechatError(76021, 'cgi_path not found'));
      const limit = state.quota[path] ?? 10_000_000;
      const used = state.quotaUsed.get(path) ?? 0;
      return c.json({ errcode: 0, errmsg: 'ok', quota: { daily_limit: limit, used, remain: Math.max(0, limit - used) } });
    }),
  );
  app.post(
    '/cgi-bin/openapi/rid/get',
    jsonRoute((c, b) => {
      const r = state.rids.get(String(b.rid));
      if (!r) return c.json(wechatError(76001, 'rid not found'));
      return c.json({ errcode: 0, errmsg: 'ok', request: { invoke_time: Math.floor(r.at / 1000), cost_in_ms: 1, request_url: `${r.path}?${new URLSearchParams(r.query)}`, request_body: JSON.stringify(r.body ?? ''), response_body: r.answer, client_ip: r.ip } });
    }),
  );
  app.post(
    '/semantic/semproxy/search',
    jsonRoute((c, b) => (b.appid === creds.appId ? c.json({ errcode: 0, query: b.query, type: b.category, semantic: { details: {}, intent: 'SEARCH' } }) : c.json(wechatError(40013)))),
  );

  app.post(
    '/cgi-bin/shorten/gen',
    jsonRoute((c, b) => {
      if (typeof b.long_data !== 'string' || !b.long_data) return c.json(wechatError(40097));
      const key = state.settings.newId('').slice(0, 20);
      shortKeys.set(key, { long_data: b.long_data, create_time: now(), expire_seconds: Number(b.expire_seconds ?? 2_592_000) });
      return c.json({ errcode: 0, errmsg: 'ok', short_key: key });
    }),
  );
  app.post(
    '/cgi-bin/shorten/fetch',
    jsonRoute((c, b) => {
      const k = shortKeys.get(String(b.short_key));
      if (!k || now() > k.create_time + k.expire_seconds) return c.json(wechatError(40097, 'invalid short_key'));
      return c.json({ errcode: 0, errmsg: 'ok', long_data: k.long_data, create_time: k.create_time, expire_seconds: k.create_time + k.expire_seconds - now() });
    }),
  );

  const thread = (b: Record<string, unknown>) => {
    const key = `${b.msg_data_id}:${b.index ?? 0}`;
    let t = comments.get(key);
    if (!t) comments.set(key, (t = { open: false, list: [] }));
    return t;
  };
  const commentOp = (op: (t: ReturnType<typeof thread>, b: Record<string, unknown>) => boolean) =>
    jsonRoute((c, b) => (b.msg_data_id === undefined ? c.json(wechatError(88000, 'without comment privilege')) : op(thread(b), b) ? c.json(OK) : c.json(wechatError(88008, 'comment not exists'))));
  const byId = (t: ReturnType<typeof thread>, b: Record<string, unknown>) => t.list.find((x) => x.user_comment_id === Number(b.user_comment_id));
  app.post('/cgi-bin/comment/open', commentOp((t) => ((t.open = true), true)));
  app.post('/cgi-bin/comment/close', commentOp((t) => ((t.open = false), true)));
  app.post(
    '/cgi-bin/comment/list',
    jsonRoute((c, b) => {
      const t = thread(b);
      const type = Number(b.type ?? 0);
      const all = t.list.filter((x) => type === 0 || (type === 1 ? x.comment_type === 0 : x.comment_type === 1));
      return c.json({ errcode: 0, errmsg: 'ok', total: all.length, comment: all.slice(Number(b.begin ?? 0), Number(b.begin ?? 0) + Number(b.count ?? 50)) });
    }),
  );
  app.post('/cgi-bin/comment/markelect', commentOp((t, b) => { const x = byId(t, b); if (x) x.comment_type = 1; return !!x; }));
  app.post('/cgi-bin/comment/unmarkelect', commentOp((t, b) => { const x = byId(t, b); if (x) x.comment_type = 0; return !!x; }));
  app.post('/cgi-bin/comment/delete', commentOp((t, b) => { const i = t.list.findIndex((x) => x.user_comment_id === Number(b.user_comment_id)); if (i >= 0) t.list.splice(i, 1); return i >= 0; }));
  app.post('/cgi-bin/comment/reply/add', commentOp((t, b) => { const x = byId(t, b); if (x) x.reply = { content: String(b.content), create_time: now() }; return !!x; }));
  app.post('/cgi-bin/comment/reply/delete', commentOp((t, b) => { const x = byId(t, b); if (x) delete x.reply; return !!x; }));

  app.get('/publisher/stat', (c) => {
    const q = c.req.query();
    if (!['publisher_adpos_general', 'publisher_cps_general', 'publisher_settlement'].includes(q.action ?? '')) return c.json({ base_resp: { err_msg: 'invalid action', ret: 2009 } });
    if (!q.start_date || !q.end_date) return c.json({ base_resp: { err_msg: 'invalid date', ret: 2009 } });
    return c.json({ base_resp: { err_msg: 'ok', ret: 0 }, list: [], summary: {}, total_num: 0 });
  });

  const jump = state.store.qrcodeJump;
  app.post('/cgi-bin/wxopen/qrcodejumpget', jsonRoute((c, b) => {
    const rules = [...jump.values()].filter((r) => !b.appid || r.appid === b.appid);
    return c.json({ errcode: 0, errmsg: 'ok', rule_list: rules, qrcodejump_open: 1, list_size: rules.length, total_count: rules.length });
  }));
  app.post('/cgi-bin/wxopen/qrcodejumpadd', jsonRoute((c, b) => {
    if (typeof b.prefix !== 'string' || !/^https?:\/\//.test(b.prefix)) return c.json(wechatError(85066, 'invalid prefix'));
    if (jump.has(b.prefix) && b.is_edit !== 1) return c.json(wechatError(85068, 'prefix already exists; set is_edit to 1 to change it'));
    jump.set(b.prefix, { ...b, state: 1 });
    return c.json(OK);
  }));
  app.post('/cgi-bin/wxopen/qrcodejumppublish', jsonRoute((c, b) => {
    const r = jump.get(String(b.prefix));
    if (!r) return c.json(wechatError(85073, 'prefix not found'));
    r.state = 2;
    return c.json(OK);
  }));
  app.post('/cgi-bin/wxopen/qrcodejumpdelete', jsonRoute((c, b) => (jump.delete(String(b.prefix)) ? c.json(OK) : c.json(wechatError(85073, 'prefix not found')))));

  for (const [name, maxDays] of Object.entries(DATACUBE_SPANS)) app.post(`/datacube/${name}`, datacube(state, name, maxDays));

  app.post('/cgi-bin/media/voice/addvoicetorecofortext', async (c) => {
    const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
    const id = c.req.query('voice_id');
    if (!id || !(form.media instanceof File)) return c.json(wechatError(41005));
    state.store.voices.set(id, '你好，这是模拟的语音识别结果');
    return c.json(OK);
  });
  app.post('/cgi-bin/media/voice/queryrecoresultfortext', (c) => {
    const text = state.store.voices.get(c.req.query('voice_id') ?? '');
    return text === undefined ? c.json(wechatError(46001, 'voice_id not found')) : c.json({ result: text });
  });
  app.post('/cgi-bin/media/voice/translatecontent', async (c) => {
    const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
    const content = typeof form.content === 'string' ? form.content : '';
    if (!content) return c.json(wechatError(44004));
    return c.json({ from_content: content, to_content: `[${c.req.query('lto') ?? 'en_US'}] ${content}` });
  });

  const { linkedMiniPrograms: linked } = state.store;
  app.post('/cgi-bin/wxopen/wxamplinkget', (c) => c.json({ errcode: 0, errmsg: 'ok', wxopens: { items: [...linked.values()].map((m) => ({ ...m, username: `gh_${m.appid}`, nickname: '小程序', source: 'API' })) } }));
  app.post('/cgi-bin/wxopen/wxamplink', jsonRoute((c, b) => (typeof b.appid === 'string' && b.appid ? (linked.set(b.appid, { appid: b.appid, status: 2 }), c.json(OK)) : c.json(wechatError(40013)))));
  app.post('/cgi-bin/wxopen/wxampunlink', jsonRoute((c, b) => (linked.delete(String(b.appid)) ? c.json(OK) : c.json(wechatError(40097, 'invalid args hint: [appid is not linked]')))));
}
