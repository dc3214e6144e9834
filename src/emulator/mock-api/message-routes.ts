/** Customer-service messages, typing status and template messages. */
import type { Hono } from 'hono';
import { objectBody, type MockEnv, INVALID } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';

/** The field each customer-service msgtype must carry, and what must be inside it. */
const CS_TYPES: Record<string, string[]> = {
  text: ['content'],
  image: ['media_id'],
  voice: ['media_id'],
  video: ['media_id'],
  music: ['thumb_media_id'],
  news: ['articles'],
  msgmenu: ['list'],
  mpnews: ['media_id'],
  mpnewsarticle: ['article_id'],
  wxcard: ['card_id'],
  miniprogrampage: ['appid', 'pagepath', 'thumb_media_id'],
};

/** Answers 40003 for an openid the mock does not accept. */
export type OpenidCheck = (openid: unknown) => boolean;

function csError(body: Record<string, unknown>) {
  const msgtype = body.msgtype;
  if (typeof msgtype !== 'string' || !(msgtype in CS_TYPES)) return wechatError(40008);
  const inner = body[msgtype];
  if (typeof inner !== 'object' || inner === null) return wechatError(47001, `data format error hint: [${msgtype} missing]`);
  for (const field of CS_TYPES[msgtype] ?? []) {
    const value = (inner as Record<string, unknown>)[field];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      return wechatError(47001, `data format error hint: [${msgtype}.${field} missing]`);
    }
  }
  return null;
}

/**
 * Adds the message routes to `app`.
 *
 * @example
 * messageRoutes(app, state, validOpenid, null); // inside createMockApi
 */
export function messageRoutes(app: Hono<MockEnv>, state: MockState, validOpenid: OpenidCheck, templates: Set<string> | null): void {
  app.post('/cgi-bin/message/custom/send', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    if (!body) return c.json(wechatError(44002));
    if (!validOpenid(body.touser)) return c.json(wechatError(40003));
    const bad = csError(body);
    if (bad) return c.json(bad);
    state.emit({ kind: 'customer-message', openid: String(body.touser), message: body });
    return c.json(OK);
  });

  app.post('/cgi-bin/message/custom/typing', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    if (!body) return c.json(wechatError(44002));
    if (!validOpenid(body.touser)) return c.json(wechatError(40003));
    if (body.command !== 'Typing' && body.command !== 'CancelTyping') return c.json(wechatError(40097));
    state.emit({ kind: 'typing', openid: String(body.touser), command: body.command });
    return c.json(OK);
  });

  let msgid = 1_000_000;
  app.post('/cgi-bin/message/template/send', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    if (!body) return c.json(wechatError(44002));
    if (!validOpenid(body.touser)) return c.json(wechatError(40003));
    if (typeof body.template_id !== 'string' || (templates && !templates.has(body.template_id))) return c.json(wechatError(40037));
    if (typeof body.data !== 'object' || body.data === null) return c.json(wechatError(47001, 'data format error hint: [data missing]'));
    const id = ++msgid;
    state.emit({ kind: 'template-message', openid: String(body.touser), message: body, msgid: id });
    return c.json({ ...OK, msgid: id });
  });
}
