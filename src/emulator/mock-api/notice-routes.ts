/** Template management, subscribe messages (订阅通知) and mass messages. */
import type { Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { OpenidCheck } from './message-routes.js';

/** A small public template library: category 1 holds two titles with their keywords. */
const CATEGORIES = [{ id: 1, name: '商业服务' }, { id: 2, name: '物流服务' }];
const LIBRARY = [
  { tid: 1001, title: '订单发货通知', type: 2, categoryId: '1', keywords: ['订单号', '商品名称', '发货时间', '快递公司'] },
  { tid: 1002, title: '预约成功通知', type: 2, categoryId: '1', keywords: ['预约项目', '预约时间', '门店'] },
  { tid: 2001, title: '快递签收提醒', type: 3, categoryId: '2', keywords: ['快递单号', '签收时间'] },
];
const KINDS = ['character_string', 'thing', 'time', 'phrase'];

/**
 * Adds the template, subscribe and mass routes to `app`.
 *
 * @example
 * noticeRoutes(app, state, validOpenid, null); // inside createMockApi
 */
export function noticeRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck, templates: Set<string> | null): void {
  const { privateTemplates, subscribeTemplates, mass } = state.store;

  app.post(
    '/cgi-bin/template/api_set_industry',
    jsonRoute((c, b) => {
      if (!b.industry_id1 || !b.industry_id2) return c.json(wechatError(40097));
      state.store.industry = { primary: String(b.industry_id1), secondary: String(b.industry_id2) };
      return c.json(OK);
    }),
  );
  app.get('/cgi-bin/template/get_industry', (c) => {
    const i = state.store.industry;
    const cls = (id?: string) => ({ first_class: id ? 'IT科技' : '', second_class: id ? `行业${id}` : '' });
    return c.json({ primary_industry: cls(i?.primary), secondary_industry: cls(i?.secondary) });
  });
  app.post(
    '/cgi-bin/template/api_add_template',
    jsonRoute((c, b) => {
      const short = String(b.template_id_short ?? '');
      if (!/^(TM|OPENTM)\d+$|^\d+$/.test(short)) return c.json(wechatError(40037));
      const id = state.settings.newId('TPL_').slice(0, 30);
      privateTemplates.set(id, { template_id: id, title: `模板 ${short}`, primary_industry: 'IT科技', deputy_industry: '互联网', content: '{{first.DATA}}\n{{keyword1.DATA}}\n{{remark.DATA}}', example: '' });
      templates?.add(id);
      return c.json({ errcode: 0, errmsg: 'ok', template_id: id });
    }),
  );
  app.get('/cgi-bin/template/get_all_private_template', (c) => c.json({ template_list: [...privateTemplates.values()] }));
  app.post(
    '/cgi-bin/template/del_private_template',
    jsonRoute((c, b) => {
      const id = String(b.template_id);
      if (!privateTemplates.delete(id)) return c.json(wechatError(40037));
      templates?.delete(id);
      return c.json(OK);
    }),
  );
  app.post(
    '/cgi-bin/message/template/subscribe',
    jsonRoute((c, b) => (validOpenid(b.touser) ? c.json(OK) : c.json(wechatError(40003)))),
  );

  app.get('/wxaapi/newtmpl/getcategory', (c) => c.json({ errcode: 0, errmsg: 'ok', data: CATEGORIES }));
  app.get('/wxaapi/newtmpl/getpubtemplatetitles', (c) => {
    const ids = (c.req.query('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return c.json(wechatError(200018, 'missing category ids'));
    const start = Number(c.req.query('start') ?? 0);
    const limit = Number(c.req.query('limit') ?? 30);
    if (!Number.isInteger(limit) || limit < 1 || limit > 30) return c.json(wechatError(200017, 'invalid limit'));
    const all = LIBRARY.filter((t) => ids.includes(t.categoryId));
    return c.json({ errcode: 0, errmsg: 'ok', count: all.length, data: all.slice(start, start + limit).map(({ keywords: _k, ...t }) => t) });
  });
  app.get('/wxaapi/newtmpl/getpubtemplatekeywords', (c) => {
    const t = LIBRARY.find((x) => String(x.tid) === c.req.query('tid'));
    if (!t) return c.json(wechatError(200014, 'invalid tid'));
    return c.json({ errcode: 0, errmsg: 'ok', count: t.keywords.length, data: t.keywords.map((name, i) => ({ kid: i + 1, name, example: `${name}示例`, rule: KINDS[i % KINDS.length] })) });
  });
  app.post(
    '/wxaapi/newtmpl/addtemplate',
    jsonRoute((c, b) => {
      const t = LIBRARY.find((x) => String(x.tid) === String(b.tid));
      if (!t) return c.json(wechatError(200014, 'invalid tid'));
      const kids = b.kidList;
      if (!Array.isArray(kids) || kids.length < 2 || kids.length > 5 || !kids.every((k) => Number.isInteger(k) && k >= 1 && k <= t.keywords.length)) return c.json(wechatError(200020, 'invalid kidList'));
      if (subscribeTemplates.size >= 50) return c.json(wechatError(200012, 'too many private templates'));
      const priTmplId = state.settings.newId('SUB_').slice(0, 43);
      const content = (kids as number[]).map((k) => `${t.keywords[k - 1]}:{{${KINDS[(k - 1) % KINDS.length]}${k}.DATA}}`).join('\n');
      subscribeTemplates.set(priTmplId, { priTmplId, title: t.title, content, example: '', type: t.type });
      return c.json({ errcode: 0, errmsg: 'ok', priTmplId });
    }),
  );
  app.get('/wxaapi/newtmpl/gettemplate', (c) => c.json({ errcode: 0, errmsg: 'ok', data: [...subscribeTemplates.values()] }));
  app.post(
    '/wxaapi/newtmpl/deltemplate',
    jsonRoute((c, b) => (subscribeTemplates.delete(String(b.priTmplId)) ? c.json(OK) : c.json(wechatError(40037)))),
  );
  app.post(
    '/cgi-bin/message/subscribe/bizsend',
    jsonRoute((c, b) => {
      if (!validOpenid(b.touser)) return c.json(wechatError(40003));
      const t = subscribeTemplates.get(String(b.template_id));
      if (!t) return c.json(wechatError(40037));
      const data = b.data as Record<string, { value?: unknown }> | undefined;
      const needed = [...t.content.matchAll(/\{\{(\w+)\.DATA\}\}/g)].map((m) => m[1] as string);
      if (!data || needed.some((k) => typeof data[k]?.value !== 'string')) return c.json(wechatError(47003, `argument invalid! data.${needed.find((k) => typeof data?.[k]?.value !== 'string')}.value is empty`));
      state.emit({ kind: 'template-message', openid: String(b.touser), message: b, msgid: state.store.nextId() });
      return c.json(OK);
    }),
  );

  const send = (toUsers: boolean) =>
    jsonRoute((c, b) => {
      const msgtype = String(b.msgtype ?? '');
      if (typeof b[msgtype] !== 'object' || b[msgtype] === null) return c.json(wechatError(40008));
      if (toUsers) {
        const list = b.touser;
        if (!Array.isArray(list) || list.length < 2 || list.length > 10_000) return c.json(wechatError(40130, 'invalid openid list size, at least two openid'));
        if (!list.every(validOpenid)) return c.json(wechatError(40003));
      } else {
        const filter = b.filter as { is_to_all?: unknown; tag_id?: unknown } | undefined;
        if (!filter || (filter.is_to_all !== true && !state.store.tags.has(Number(filter.tag_id)))) return c.json(wechatError(40050, 'invalid tag id'));
      }
      const msgId = 3_147_483_000 + state.store.nextId();
      const msgDataId = 2_247_000_000 + state.store.nextId();
      mass.set(msgId, { status: 'SEND_SUCCESS', msgDataId });
      state.emit({ kind: 'mass', msgId, message: b });
      return c.json({ errcode: 0, errmsg: 'send job submission success', msg_id: msgId, msg_data_id: msgDataId });
    });
  app.post('/cgi-bin/message/mass/sendall', send(false));
  app.post('/cgi-bin/message/mass/send', send(true));
  app.post(
    '/cgi-bin/message/mass/preview',
    jsonRoute((c, b) => (b.towxname || validOpenid(b.touser) ? c.json({ errcode: 0, errmsg: 'preview success', msg_id: state.store.nextId() }) : c.json(wechatError(40003)))),
  );
  app.post(
    '/cgi-bin/message/mass/delete',
    jsonRoute((c, b) => {
      const m = mass.get(Number(b.msg_id));
      if (!m) return c.json(wechatError(40097, 'invalid msg_id'));
      m.status = 'DELETE';
      return c.json(OK);
    }),
  );
  app.post(
    '/cgi-bin/message/mass/get',
    jsonRoute((c, b) => {
      const m = mass.get(Number(b.msg_id));
      return m ? c.json({ msg_id: Number(b.msg_id), msg_status: m.status }) : c.json(wechatError(40097, 'invalid msg_id'));
    }),
  );
  app.post('/cgi-bin/message/mass/speed/get', (c) => c.json({ speed: state.store.massSpeed, realspeed: [80, 60, 45, 30, 10][state.store.massSpeed] }));
  app.post(
    '/cgi-bin/message/mass/speed/set',
    jsonRoute((c, b) => {
      const speed = Number(b.speed);
      if (!Number.isInteger(speed) || speed < 0 || speed > 4) return c.json(wechatError(45083, 'speed out of range'));
      state.store.massSpeed = speed;
      return c.json(OK);
    }),
  );
}
