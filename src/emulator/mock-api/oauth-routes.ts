/**
 * OAuth 2 web authorization: the consent page a browser is sent to, the code
 * exchange (a code works once), refresh, userinfo and the token check. Codes
 * come from the consent page or from the mock's `issueOAuthCode()`.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { OK, wechatError } from './errors.js';
import type { MockEnv } from './http.js';
import type { MockState } from './state.js';
import type { AppCredentials } from './token-routes.js';

/** The openid the consent page offers when the mock knows no followers. */
export const MOCK_OAUTH_OPENID = 'oMockUser000000000000000001';

/** The profile /sns/userinfo answers for `openid`. */
function userinfo(state: MockState, openid: string): Record<string, unknown> {
  const p = state.users.get(openid) ?? {};
  return { openid, nickname: p.nickname ?? '微信用户', sex: 0, province: '', city: '', country: '', headimgurl: p.headimgurl ?? 'https://thirdwx.qlogo.cn/mmopen/mock/132', privilege: [], ...(p.unionid ? { unionid: p.unionid } : {}) };
}

/**
 * Adds the OAuth routes to `app`.
 *
 * @example
 * oauthRoutes(app, state, { appId, appSecret }); // inside createMockApi
 */
export function oauthRoutes(app: Hono<MockEnv>, state: MockState, creds: AppCredentials): void {
  const { snsTokens, snsRefresh } = state.store;
  const issue = (openid: string, scope: string) => {
    const access_token = state.settings.newId('OAUTH_');
    const refresh_token = state.settings.newId('REFRESH_');
    snsTokens.set(access_token, { openid, scope, expiresAt: state.settings.now() + 7200_000 });
    snsRefresh.set(refresh_token, { openid, scope });
    return { access_token, expires_in: 7200, refresh_token, openid, scope };
  };
  const code = (openid: string, scope: string) => {
    const c = state.settings.newId('CODE_').slice(0, 37);
    state.oauthCodes.set(c, { openid, scope, used: false });
    return c;
  };

  // WeChat's consent page, offline: snsapi_base passes straight through, snsapi_userinfo asks first.
  app.get('/connect/oauth2/authorize', (c) => {
    const q = c.req.query();
    const bad = (why: string) => c.html(html`<!doctype html><meta charset="utf-8"><title>授权错误</title><p>${why}</p>`, 400);
    if (q.appid !== creds.appId) return bad(`appid 参数错误 (expected ${creds.appId}, got ${q.appid ?? 'nothing'})`);
    if (!q.redirect_uri || !/^https?:\/\//.test(q.redirect_uri)) return bad('redirect_uri 参数错误 (expected an http(s) URL)');
    if (q.response_type !== 'code') return bad('response_type 参数错误 (expected code)');
    if (q.scope !== 'snsapi_base' && q.scope !== 'snsapi_userinfo') return bad('scope 参数错误 (expected snsapi_base or snsapi_userinfo)');
    const openid = q.openid ?? [...state.users.keys()][0] ?? MOCK_OAUTH_OPENID;
    const back = (o: string) => {
      const u = new URL(q.redirect_uri as string);
      u.searchParams.set('code', code(o, q.scope as string));
      u.searchParams.set('state', q.state ?? '');
      return u.toString();
    };
    if (q.scope === 'snsapi_base' || q.confirm === '1') return c.redirect(back(openid), 302);
    const params = new URLSearchParams({ ...q, confirm: '1' });
    params.delete('openid');
    return c.html(
      html`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>微信授权 (mock)</title>
<body><h1>网页授权 (wxmp mock)</h1><p>应用 ${creds.appId} 申请获得你的昵称、头像</p>
<form method="get" action=""><label>openid <input name="openid" value="${openid}"></label>
${[...params].map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button id="allow" type="submit">允许</button></form></body></html>`,
    );
  });

  app.get('/sns/oauth2/access_token', (c) => {
    const q = c.req.query();
    if (q.appid !== creds.appId) return c.json(wechatError(40013));
    if (q.secret !== creds.appSecret) return c.json(wechatError(40125));
    if (q.grant_type !== 'authorization_code') return c.json(wechatError(40002));
    const grant = q.code ? state.oauthCodes.get(q.code) : undefined;
    if (!grant) return c.json(wechatError(40029));
    if (grant.used) return c.json(wechatError(40163));
    grant.used = true;
    return c.json(issue(grant.openid, grant.scope));
  });
  app.get('/sns/oauth2/refresh_token', (c) => {
    const q = c.req.query();
    if (q.appid !== creds.appId) return c.json(wechatError(40013));
    if (q.grant_type !== 'refresh_token') return c.json(wechatError(40002));
    const r = snsRefresh.get(q.refresh_token ?? '');
    if (!r) return c.json(wechatError(40030));
    return c.json(issue(r.openid, r.scope));
  });
  const userToken = (token: string | undefined, openid: string | undefined) => {
    const t = token ? snsTokens.get(token) : undefined;
    if (!t) return 40001;
    if (state.settings.now() >= t.expiresAt) return 42001;
    if (t.openid !== openid) return 40003;
    return t;
  };
  app.get('/sns/userinfo', (c) => {
    const t = userToken(c.req.query('access_token'), c.req.query('openid'));
    if (typeof t === 'number') return c.json(wechatError(t));
    if (t.scope !== 'snsapi_userinfo') return c.json(wechatError(48001, 'api unauthorized'));
    return c.json(userinfo(state, t.openid));
  });
  app.get('/sns/auth', (c) => {
    const t = userToken(c.req.query('access_token'), c.req.query('openid'));
    return c.json(typeof t === 'number' ? wechatError(t) : OK);
  });
}
