/** Follower profiles (user/info and user/info/batchget). */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';

/** A follower's profile, with WeChat's field names. Nickname and avatar are no longer returned by WeChat. */
export interface UserInfo {
  /** 1 when the user follows the account; 0 and nothing else otherwise. */
  subscribe: 0 | 1;
  openid: string;
  language?: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
  [field: string]: unknown;
}

/** Language of the (few) localized fields. */
export type Lang = 'zh_CN' | 'zh_TW' | 'en';

/** @see userApi */
export interface UserApi {
  info(openid: string, lang?: Lang): Promise<UserInfo>;
  /** Profiles of many users, in order; split into calls of 100 (WeChat's limit). */
  batch(openids: string[], lang?: Lang): Promise<UserInfo[]>;
}

const BATCH = 100;

/**
 * @example
 * const { subscribe, subscribe_scene } = await client.user.info(openid);
 * const all = await client.user.batch([a, b, c]);
 */
export function userApi(ctx: ApiContext): UserApi {
  return {
    async info(openid, lang = 'zh_CN') {
      if (typeof openid !== 'string' || !openid) throw new ConfigError(`openid: expected a string, got ${JSON.stringify(openid)}`);
      return (await ctx.request({ method: 'GET', path: '/cgi-bin/user/info', query: { openid, lang }, idempotent: true })) as unknown as UserInfo;
    },
    async batch(openids, lang = 'zh_CN') {
      if (!Array.isArray(openids) || openids.some((o) => typeof o !== 'string' || !o)) {
        throw new ConfigError('openids: expected an array of openid strings');
      }
      const out: UserInfo[] = [];
      for (let i = 0; i < openids.length; i += BATCH) {
        const user_list = openids.slice(i, i + BATCH).map((openid) => ({ openid, lang }));
        const json = await ctx.request({ method: 'POST', path: '/cgi-bin/user/info/batchget', json: { user_list }, idempotent: true });
        out.push(...((json.user_info_list as UserInfo[] | undefined) ?? []));
      }
      return out;
    },
  };
}
