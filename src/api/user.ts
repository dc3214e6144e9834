/** Follower profile types; the calls are in `calls/user.ts`. */

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
