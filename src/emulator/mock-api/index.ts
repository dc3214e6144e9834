/**
 * A local stand-in for api.weixin.qq.com: WeChat's request and response
 * shapes and errcodes, token lifetimes, IP allowlist and quotas, with a record
 * of everything received. Tests, the emulator and the dev loop mount it and
 * point WECHAT_API_BASE at it. This file wires the parts: options.ts, gate.ts
 * (checks and the record), the *-routes.ts groups, control.ts.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { wechatError } from './errors.js';
import type { MockEnv } from './http.js';
import { allCalls } from '../../api/calls/index.js';
import { controls, type MockApi } from './control.js';
import { derivedRoutes } from './derived-routes.js';
import { draftRoutes } from './draft-routes.js';
import { apiPath, gate } from './gate.js';
import { kfRoutes } from './kf-routes.js';
import { materialRoutes } from './material-routes.js';
import { menuRoutes } from './menu-routes.js';
import { messageRoutes } from './message-routes.js';
import { miscRoutes } from './misc-routes.js';
import { noticeRoutes } from './notice-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { checkOptions, type MockApiOptions } from './options.js';
import { resourceRoutes } from './resource-routes.js';
import { userRoutes } from './user-routes.js';
import { MockState } from './state.js';
import { tokenRoutes } from './token-routes.js';

export type { MockEvent, MockRequest } from './state.js';
export type { MockApi } from './control.js';
export type { MockApiOptions } from './options.js';
export { MOCK_OAUTH_OPENID } from './oauth-routes.js';

const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

/**
 * @example
 * const mock = createMockApi({ tokenTtlSeconds: 7200 });
 * const server = serve({ fetch: mock.app.fetch, hostname: '127.0.0.1', port: 0 });
 * mock.subscribe((e) => { if (e.kind === 'customer-message') console.log(e.openid, e.message) });
 */
export function createMockApi(options: MockApiOptions = {}): MockApi {
  checkOptions(options);
  const random = options.random ?? randomBytes;
  const creds = { appId: options.appId ?? 'wxmock0000000000', appSecret: options.appSecret ?? 'mock-secret' };
  const state = new MockState(
    {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
      graceSeconds: options.graceSeconds ?? 300,
      now: options.now ?? Date.now,
      newId: (prefix) => `${prefix}${random(24).toString('base64url')}`,
    },
    options.allowedIps ?? null,
    options.dailyQuota ?? {},
    options.maxRecorded ?? 5000,
  );
  for (const [openid, p] of Object.entries(options.users ?? {})) state.users.set(openid, p);
  const strictUsers = options.users !== undefined;
  const validOpenid = (o: unknown) => typeof o === 'string' && (strictUsers ? state.users.has(o) : OPENID.test(o));
  const app = new Hono<MockEnv>();
  gate(app, state);

  const templates = options.templates ? new Set(options.templates) : null;
  for (const id of options.templates ?? []) state.store.privateTemplates.set(id, { template_id: id, title: id, primary_industry: '', deputy_industry: '', content: '{{first.DATA}}', example: '' });
  tokenRoutes(app, state, creds);
  oauthRoutes(app, state, creds);
  messageRoutes(app, state, validOpenid, templates);
  resourceRoutes(app, state, validOpenid);
  menuRoutes(app, state);
  userRoutes(app, state, validOpenid, options.pageSize ?? 10_000);
  kfRoutes(app, state, validOpenid);
  materialRoutes(app, state);
  draftRoutes(app, state);
  noticeRoutes(app, state, validOpenid, templates);
  miscRoutes(app, state, creds);
  derivedRoutes(app, allCalls());
  app.notFound((c) => c.json(wechatError(-1, `invalid url ${c.req.path}: the mock WeChat API has no ${c.req.method} route for ${apiPath(c.req.path)}`), 404));
  return controls(app, creds, state);
}
