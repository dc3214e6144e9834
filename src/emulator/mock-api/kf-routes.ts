/** Customer-service agents, sessions, the waiting list and chat records. */
import type { Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { OpenidCheck } from './message-routes.js';

const ACCOUNT = /^[A-Za-z0-9_]{1,10}@\S+$/;

/**
 * Adds the customer-service management routes to `app`.
 *
 * @example
 * kfRoutes(app, state, validOpenid); // inside createMockApi
 */
export function kfRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck): void {
  const { kf, sessions, waiting } = state.store;
  const now = () => Math.floor(state.settings.now() / 1000);

  app.get('/cgi-bin/customservice/getkflist', (c) => c.json({ kf_list: [...kf.values()] }));
  app.get('/cgi-bin/customservice/getonlinekflist', (c) =>
    c.json({ kf_online_list: [...kf.values()].map((a) => ({ kf_account: a.kf_account, status: 1, kf_id: a.kf_id, accepted_case: [...sessions.values()].filter((s) => s.kf_account === a.kf_account).length })) }),
  );
  app.post(
    '/customservice/kfaccount/add',
    jsonRoute((c, b) => {
      const account = String(b.kf_account ?? '');
      if (!ACCOUNT.test(account)) return c.json(wechatError(61455, 'invalid kf_account'));
      if (typeof b.nickname !== 'string' || !b.nickname || [...b.nickname].length > 16) return c.json(wechatError(65403, 'invalid nickname'));
      if (kf.has(account)) return c.json(wechatError(61453, 'kf_account exsited'));
      if (kf.size >= 100) return c.json(wechatError(61456, 'kf_account count exceeded'));
      kf.set(account, { kf_account: account, kf_nick: b.nickname, kf_id: String(1000 + state.store.nextId()), kf_headimgurl: '' });
      return c.json(OK);
    }),
  );
  app.post(
    '/customservice/kfaccount/update',
    jsonRoute((c, b) => {
      const a = kf.get(String(b.kf_account));
      if (!a) return c.json(wechatError(65401, 'invalid kf_account'));
      if (typeof b.nickname === 'string' && b.nickname) a.kf_nick = b.nickname;
      return c.json(OK);
    }),
  );
  app.get('/customservice/kfaccount/del', (c) => (kf.delete(c.req.query('kf_account') ?? '') ? c.json(OK) : c.json(wechatError(65401, 'invalid kf_account'))));
  app.post(
    '/customservice/kfaccount/inviteworker',
    jsonRoute((c, b) => {
      const a = kf.get(String(b.kf_account));
      if (!a) return c.json(wechatError(65401, 'invalid kf_account'));
      if (a.invite_status === 'waiting') return c.json(wechatError(65411, 'this kf_account already has a pending invitation'));
      a.invite_wx = String(b.invite_wx);
      a.invite_status = 'waiting';
      return c.json(OK);
    }),
  );
  app.post('/customservice/kfaccount/uploadheadimg', async (c) => {
    const a = kf.get(c.req.query('kf_account') ?? '');
    if (!a) return c.json(wechatError(65401, 'invalid kf_account'));
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (!((form as Record<string, unknown>).media instanceof File)) return c.json(wechatError(41005));
    a.kf_headimgurl = `http://mmbiz.qpic.cn/mmbiz_jpg/${a.kf_id}/0`;
    return c.json(OK);
  });

  const session = (open: boolean) =>
    jsonRoute((c, b) => {
      const account = String(b.kf_account ?? '');
      if (!kf.has(account)) return c.json(wechatError(65401, 'invalid kf_account'));
      if (!validOpenid(b.openid)) return c.json(wechatError(40003));
      const openid = String(b.openid);
      if (open) {
        const current = sessions.get(openid);
        if (current && current.kf_account !== account) return c.json(wechatError(65414, 'the user is being served by another agent'));
        sessions.set(openid, { kf_account: account, createtime: now() });
        waiting.delete(openid);
      } else {
        if (sessions.get(openid)?.kf_account !== account) return c.json(wechatError(65413, 'no session for this user'));
        sessions.delete(openid);
      }
      return c.json(OK);
    });
  app.post('/customservice/kfsession/create', session(true));
  app.post('/customservice/kfsession/close', session(false));
  app.get('/customservice/kfsession/getsession', (c) => {
    const openid = c.req.query('openid');
    if (!validOpenid(openid)) return c.json(wechatError(40003));
    return c.json(sessions.get(String(openid)) ?? { kf_account: '', createtime: 0 });
  });
  app.get('/customservice/kfsession/getsessionlist', (c) => {
    const account = c.req.query('kf_account') ?? '';
    if (!kf.has(account)) return c.json(wechatError(65401, 'invalid kf_account'));
    return c.json({ sessionlist: [...sessions].filter(([, s]) => s.kf_account === account).map(([openid, s]) => ({ openid, createtime: s.createtime })) });
  });
  app.get('/customservice/kfsession/getwaitcase', (c) => c.json({ count: waiting.size, waitcaselist: [...waiting].map(([openid, latest_time]) => ({ openid, latest_time })) }));
  app.post(
    '/customservice/msgrecord/getmsglist',
    jsonRoute((c, b) => {
      const start = Number(b.starttime);
      const end = Number(b.endtime);
      if (!(end >= start)) return c.json(wechatError(65416, 'invalid query parameters'));
      if (end - start > 86_400) return c.json(wechatError(65417, 'time range too long'));
      // The record is built from the customer-service messages the mock delivered in that window.
      const recordlist = state.requests
        .filter((r) => r.path === '/cgi-bin/message/custom/send' && r.errcode === 0 && r.at / 1000 >= start && r.at / 1000 <= end)
        .map((r) => {
          const m = r.body as { touser?: string; text?: { content?: string }; customservice?: { kf_account?: string } };
          return { openid: m.touser ?? '', opercode: 2002, text: m.text?.content ?? '', time: Math.floor(r.at / 1000), worker: m.customservice?.kf_account ?? '' };
        });
      return c.json({ recordlist, number: recordlist.length, msgid: Number(b.msgid ?? 1) + recordlist.length });
    }),
  );
}
