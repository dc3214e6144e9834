/**
 * What every API module receives from the client: a way to make an
 * authenticated call, plus the injected clock, randomness and stores.
 */
import type { CallSpec, HttpSettings, WechatJson } from './http.js';
import type { TokenStore } from './token-store.js';

/** Makes a call with the current access token, refreshing and retrying once when WeChat rejects it. */
export type AuthedRequest = (spec: CallSpec) => Promise<WechatJson>;

/** Shared by the API modules; built by `createWechatClient`. */
export interface ApiContext {
  appId: string;
  appSecret: string;
  http: HttpSettings;
  request: AuthedRequest;
  tokenStore: TokenStore;
  /** Prefix-free part of store keys: the AppID, plus a hash of the API base when it is not WeChat's. */
  storeScope: string;
  now: () => number;
  random: (size: number) => Buffer;
  refreshEarlyMs?: number;
  /** WeChat's OAuth consent page, or the mock's when the API base is not WeChat's. */
  authorizeBase?: string;
}
