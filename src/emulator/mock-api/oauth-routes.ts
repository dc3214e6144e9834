/** OAuth2 web authorization: trading a one-time code for the user's openid. */
import type { Hono } from 'hono';
import type { MockEnv } from './http.js';
import { wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { AppCredentials } from './token-routes.js';

/**
 * Adds /sns/oauth2/access_token to `app`. Codes come from the mock's `issueOAuthCode()`.
 *
 * @example
 * oauthRoutes(app, state, { appId, appSecret }); // inside createMockApi
 */
export function oauthRoutes(app: Hono<MockEnv>, state: MockState, creds: AppCredentials): void {
  app.get('/sns/oauth2/access_token', (c) => {
    const q = c.req.query();
    if (q.appid !== creds.appId) return c.json(wechatError(40013));
    if (q.secret !== creds.appSecret) return c.json(wechatError(40125));
    if (q.grant_type !== 'authorization_code') return c.json(wechatError(40002));
    const grant = q.code ? state.oauthCodes.get(q.code) : undefined;
    if (!grant) return c.json(wechatError(40029));
    if (grant.used) return c.json(wechatError(40163));
    grant.used = true;
    return c.json({
      access_token: state.settings.newId('OAUTH_'),
      expires_in: 7200,
      refresh_token: state.settings.newId('REFRESH_'),
      openid: grant.openid,
      scope: grant.scope,
    });
  });
}
