/**
 * wxmp: WeChat Official Account backends on Hono.
 *
 * @example
 * // src/app.ts — your bot
 * import { createRouter, reply } from 'wxmp';
 * export default createRouter()
 *   .on('text', (m) => `You said: ${m.content}`)
 *   .event('subscribe', () => 'Welcome!')
 *   .event('CLICK', 'NEWS', () => reply.news([{ title: 'Hello', url: 'https://example.com' }]));
 *
 * @example
 * // Mounting the callback in your own Hono app
 * import { Hono } from 'hono';
 * import { wechat, createRouter } from 'wxmp';
 * const app = new Hono();
 * app.all('/wechat', wechat({ token: process.env.WECHAT_TOKEN!, router: createRouter().on('text', (m) => m.content) }));
 */

// The bot: routing and replies.
export { Router, createRouter, toReply } from './wechat/router.js';
export type { Handler, HandlerContext, HandlerResult, Middleware, DispatchServices, RouterOptions, SessionData } from './wechat/router.js';
export { MemorySessionStore, SESSION_TTL_MS } from './wechat/session.js';
export type { SessionStore, StoredSession } from './wechat/session.js';
export { FileSessionStore } from './server/session-file.js';
export { RedisSessionStore } from './server/session-redis.js';
export { reply, renderReply, checkReply } from './wechat/replies.js';
export type { Reply, Article } from './wechat/replies.js';
export type * from './wechat/messages.js';

// The protocol, for tools and custom servers.
export { sign, signatureMatches } from './wechat/signature.js';
export { MessageCrypto, decodeAESKey } from './wechat/crypto.js';
export { parseXml, buildXml, cdata } from './wechat/xml.js';
export { parseMessage } from './wechat/parse-message.js';
export { openMessage, sealReply, verifyEcho } from './wechat/protocol.js';
export type { Mode, OpenedMessage } from './wechat/protocol.js';
export { MemoryDedupStore, dedupKey, messageDedupKey, DEDUP_TTL_MS } from './wechat/dedup.js';
export type { DedupStore, DedupEntry } from './wechat/dedup.js';

// The server.
export { wechat } from './server/wechat.js';
export type { WechatOptions, LateReply } from './server/wechat.js';
export type { LateReplyMode } from './server/late-retry.js';
export { createApp } from './server/app.js';
export type { AppOptions } from './server/app.js';
export { startServer, listen } from './server/start.js';
export type { Exchange } from './server/exchange.js';
export { formatExchange } from './server/request-log.js';
export type { Logger } from './server/logger.js';

// The WeChat API client: every typed call (docs/api.md lists them), errcodes, OAuth for web pages, the JS-SDK endpoint.
export { createWechatClient, API_GROUPS, allCalls, WechatApiError, ApiTimeoutError, ApiUnreachableError, ERRCODES, errcodeName, hintFor } from './api/index.js';
export type { WechatClient, WechatClientOptions, WechatApiGroups, CallEntry, Bound, MediaContent, OAuthGrant, OAuthScope, OAuthUserInfo, JssdkConfig } from './api/index.js';
export { wechatOAuth } from './server/wechat-oauth.js';
export type { WechatOAuthOptions, WechatOAuthEnv, WechatUser } from './server/wechat-oauth.js';
export { jssdkConfigRoute } from './server/jssdk-route.js';
export type { JssdkRouteOptions } from './server/jssdk-route.js';
export { createMockApi } from './emulator/mock-api/index.js';
export type { MockApi, MockApiOptions } from './emulator/mock-api/index.js';

// The emulator: send messages as WeChat does and judge the replies as WeChat does.
export { buildRequest, requestUrl, EMULATOR_USER, EMULATOR_ACCOUNT } from './emulator/request.js';
export type { UserAction, WechatRequest, RequestOptions, Credentials } from './emulator/request.js';
export { judgeReply, PHONE_ERROR, WECHAT_TIMEOUT_MS } from './emulator/judge.js';
export type { Verdict, Answer, JudgeContext } from './emulator/judge.js';
export { sendRequest, WECHAT_TRIES } from './emulator/send.js';
export type { SendOptions, SendResult, Try, DedupStatus } from './emulator/send.js';
export { createChatApp } from './emulator/chat/index.js';
export { devChatAccounts, devTarget } from './emulator/target.js';
export type { ChatOptions, ChatTarget, ChatMock, ChatAccount } from './emulator/chat/index.js';

// Deploy settings and the server files `wxmp deploy setup` writes (pure; the
// deploy itself runs from the CLI, so the bot's bundle never carries esbuild).
export { parseDeployConfig } from './deploy/config.js';
export type { DeployConfig } from './deploy/config.js';
export { systemdUnit, nginxServerBlock } from './deploy/templates.js';

// The dev loop. Only light pieces here: src/app.ts imports this module, and every hot reload
// loads it, so the dev server itself (esbuild, chokidar, the tunnel) stays out; it lives in src/dev/.
export { verifyCallback } from './dev/verify.js';
export type { VerifyResult, VerifyOptions } from './dev/verify.js';
export { createRedactor, redactLogger } from './server/redact.js';
export type { Redactor } from './server/redact.js';
export type { DevPanel } from './dev/apps.js';
export type { DevPanelContext, DevState } from './dev/types.js';

// Configuration and errors.
export { loadEnv, parseServerConfig } from './config.js';
export { parseAccounts } from './accounts.js';
export type { AccountConfig } from './accounts.js';
export type { ServerConfig, Env } from './config.js';
export { WxmpError, ConfigError, ProtocolError, ApiError, DeployError, isWxmpError } from './errors.js';
