/**
 * The WeChat API client: access tokens that survive restarts and are shared
 * between instances, typed API groups, late replies and Redis stores.
 *
 * @example
 * import { createWechatClient } from './api/index.js';
 * const client = createWechatClient({ appId, appSecret });
 * await client.menu.create({ button: [{ type: 'click', name: '帮助', key: 'HELP' }] });
 */
export { createWechatClient, type WechatClient, type WechatClientOptions } from './client.js';
export { accessTokenFetcher, type TokenEndpoint } from './access-token.js';
export { callWechat, type CallSpec, type Fetch, type HttpSettings, type WechatJson } from './http.js';
export { WechatApiError, ApiTimeoutError, ApiUnreachableError, hintFor, ipFrom40164, redact, WHITELIST_WHERE } from './errors.js';
export { TokenCache, type TokenCacheOptions, type CredentialFetcher, type FetchedCredential } from './token-cache.js';
export { FileTokenStore, MemoryTokenStore, type TokenStore, type StoredCredential, type ReleaseLock } from './token-store.js';
export { RedisTokenStore, RedisDedupStore, connectRedis, type RedisOptions } from './redis.js';
export { createStores, clientFromConfig, parseApiConfig, type Stores, type ApiConfig } from './stores.js';
export { validateMenu, menuProblems, normalizeMenu, MenuValidationError, type Menu, type MenuButton } from './menu-validate.js';
export { type MenuApi } from './menu.js';
export { csMessageBody, menuLink, type CsMessage, type CustomerServiceApi } from './customer-service.js';
export { type TemplateApi, type TemplateMessage } from './template.js';
export { type UserApi, type UserInfo, type Lang } from './user.js';
export { type MediaApi, type MediaType, type MediaFile } from './media.js';
export { type QrcodeApi, type QrCode, type QrCodeRequest } from './qrcode.js';
export { jssdkSignature, type JssdkApi, type JssdkConfig } from './jssdk.js';
export { OAUTH_AUTHORIZE_URL, type OAuthApi, type OAuthGrant, type OAuthScope } from './oauth.js';
export { createLateReplySender, replyToCsMessage, type LateReplyLogger } from './late-reply.js';
export { apiServerOptions, type ApiServerOptions } from './server-options.js';
