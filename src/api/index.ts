/**
 * The WeChat API client: access tokens that survive restarts and are shared
 * between instances, typed API groups, late replies and Redis stores.
 *
 * @example
 * import { createWechatClient } from './api/index.js';
 * const client = createWechatClient({ appId, appSecret });
 * await client.menu.create({ button: [{ type: 'click', name: '帮助', key: 'HELP' }] });
 */
export { createWechatClient, type WechatClient, type WechatClientOptions, type WechatApiGroups } from './client.js';
export { accessTokenFetcher, type TokenEndpoint } from './access-token.js';
export { callWechat, type CallSpec, type Fetch, type HttpSettings, type WechatJson, type MediaContent } from './http.js';
export { WechatApiError, ApiTimeoutError, ApiUnreachableError, hintFor, errcodeName, ERRCODES, ipFrom40164, redact, WHITELIST_WHERE } from './errors.js';
export { TokenCache, type TokenCacheOptions, type CredentialFetcher, type FetchedCredential } from './token-cache.js';
export { FileTokenStore, MemoryTokenStore, type TokenStore, type StoredCredential, type ReleaseLock } from './token-store.js';
export { RedisTokenStore, RedisDedupStore, connectRedis, type RedisOptions } from './redis.js';
export { createStores, clientFromConfig, parseApiConfig, type Stores, type ApiConfig } from './stores.js';
export { validateMenu, menuProblems, normalizeMenu, MenuValidationError, type Menu, type MenuButton } from './menu-validate.js';
export { csMessageBody, menuLink, type CsMessage } from './customer-service.js';
export { type UserInfo, type Lang } from './user.js';
export { API_GROUPS, GROUP_TITLES, allCalls } from './calls/index.js';
export { get, post, helper, as, pick, walk, type CallEntry, type HelperEntry, type Group, type Bound, type DocPage, type Req } from './calls/define.js';
export { bindGroup, invoke } from './calls/bind.js';
export { type MenuMatchRule, type MenuSet, type SelfMenuInfo } from './calls/menu.js';
export { type KfAccount, type KfOnline, type KfSession, type KfRecord } from './calls/customer-service.js';
export { type TemplateMessage, type PrivateTemplate } from './calls/template.js';
export { type SubscribeMessage, type SubscribeTemplate } from './calls/subscribe.js';
export { pages, type OpenidPage, type Tag } from './calls/user.js';
export { type MediaType, type MediaFile, type Material, type MaterialItem } from './calls/media.js';
export { type DraftArticle, type StoredArticle, type ItemPage, type PublishStatus } from './calls/draft.js';
export { type MassContent, type MassSent } from './calls/mass.js';
export { type QrCode, type QrCodeRequest } from './calls/qrcode.js';
export { type Comment } from './calls/comment.js';
export { DATACUBE_SPANS, type DatacubeRow } from './calls/datacube.js';
export { type ImageInput } from './calls/ai.js';
export { jssdkSignature, type JssdkConfig } from './calls/jssdk.js';
export { OAUTH_AUTHORIZE_URL, type OAuthGrant, type OAuthScope, type OAuthUserInfo } from './calls/oauth.js';
export { createLateReplySender, replyToCsMessage, type LateReplyLogger } from './late-reply.js';
export { apiServerOptions, type ApiServerOptions } from './server-options.js';

import type { WechatClient as Client } from './client.js';
/** The group types under their earlier names, kept for code that imported them. */
export type MenuApi = Client['menu'];
export type CustomerServiceApi = Client['customerService'];
export type TemplateApi = Client['template'];
export type UserApi = Client['user'];
export type MediaApi = Client['media'];
export type QrcodeApi = Client['qrcode'];
export type JssdkApi = Client['jssdk'];
export type OAuthApi = Client['oauth'];
