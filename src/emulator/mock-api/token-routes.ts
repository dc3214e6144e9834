/**
 * Token issuance: GET /cgi-bin/token (every call replaces the token, the old
 * one works 5 more minutes) and POST /cgi-bin/stable_token (returns the token
 * in force, a new one in its last 5 minutes; forced, a new one that ends the
 * old at once), plus the jsapi ticket.
 */
import type { Hono } from 'hono';
import { objectBody, type MockEnv, INVALID } from './http.js';
import { wechatError } from './errors.js';
import type { MockState } from './state.js';

/** The one account the mock serves. */
export interface AppCredentials {
  appId: string;
  appSecret: string;
}

/** WeChat renews a stable token this long before it expires. */
const RENEW_EARLY_SECONDS = 300;

function credentialsError(app: AppCredentials, appid: unknown, secret: unknown) {
  if (appid === undefined || appid === '') return wechatError(41002);
  if (secret === undefined || secret === '') return wechatError(41004);
  if (appid !== app.appId) return wechatError(40013);
  if (secret !== app.appSecret) return wechatError(40125);
  return null;
}

/**
 * Adds the token routes to `app`.
 *
 * @example
 * tokenRoutes(app, state, { appId, appSecret }); // inside createMockApi
 */
export function tokenRoutes(app: Hono<MockEnv>, state: MockState, creds: AppCredentials): void {
  app.get('/cgi-bin/token', (c) => {
    const q = c.req.query();
    if (q.grant_type !== 'client_credential') return c.json(wechatError(40002));
    const bad = credentialsError(creds, q.appid, q.secret);
    if (bad) return c.json(bad);
    const { token, expiresIn } = state.issueToken('classic', 'grace');
    state.emit({ kind: 'token', endpoint: 'token', force: true, issued: true });
    return c.json({ access_token: token, expires_in: expiresIn });
  });

  app.post('/cgi-bin/stable_token', (c) => {
    if (c.get('json') === INVALID) return c.json(wechatError(47001));
    const body = objectBody(c);
    if (!body) return c.json(wechatError(44002));
    if (body.grant_type !== 'client_credential') return c.json(wechatError(40002));
    const bad = credentialsError(creds, body.appid, body.secret);
    if (bad) return c.json(bad);
    const force = body.force_refresh === true;
    const current = force ? null : state.currentToken('stable');
    // A short tokenTtlSeconds (tests) scales the early window down, or every call would renew.
    const early = Math.min(RENEW_EARLY_SECONDS, Math.floor(state.settings.tokenTtlSeconds / 2));
    const reuse = current && current.expiresIn > early ? current : null;
    const result = reuse ?? state.issueToken('stable', force ? 'revoke' : 'keep');
    state.emit({ kind: 'token', endpoint: 'stable_token', force, issued: !reuse });
    return c.json({ access_token: result.token, expires_in: result.expiresIn });
  });

  app.get('/cgi-bin/ticket/getticket', (c) => {
    if (c.req.query('type') !== 'jsapi' && c.req.query('type') !== 'wx_card') return c.json(wechatError(40097));
    return c.json({ errcode: 0, errmsg: 'ok', ticket: state.settings.newId('TICKET_'), expires_in: state.settings.tokenTtlSeconds });
  });
}
