/** Followers (用户管理): profiles, the follower list, remarks, tags and the blacklist. */
import { ConfigError } from '../../errors.js';
import type { UserInfo, Lang } from '../user.js';
import { as, get, helper, nothing, post } from './define.js';
import { int, openid, openids, text } from './limits.js';

/** One page of openids: user/get, user/tag/get and getblacklist all answer this. */
export interface OpenidPage {
  total?: number;
  count: number;
  data?: { openid: string[] };
  next_openid: string;
}

/** A tag; `count` is how many users carry it. */
export interface Tag {
  id: number;
  name: string;
  count?: number;
}

const BATCH = 100;
const tagId = (id: unknown) => int('tag id', id, 0);

/**
 * Walks a paged openid list: calls `page(next)` until WeChat returns an empty page.
 *
 * @example
 * for await (const id of pages((next) => client.user.list(next))) console.log(id);
 */
export async function* pages(page: (next?: string) => Promise<OpenidPage>): AsyncGenerator<string> {
  let next: string | undefined;
  for (;;) {
    const p = await page(next);
    const ids = p.data?.openid ?? [];
    yield* ids;
    // WeChat repeats the last openid as next_openid on the final page; an empty page ends it too.
    if (ids.length === 0 || !p.next_openid || p.next_openid === next) return;
    next = p.next_openid;
  }
}

export const userCalls = {
  /** A follower's profile (nickname and avatar are no longer returned by WeChat). */
  info: get('/cgi-bin/user/info', ['Getting user basic information', '获取用户基本信息'], {
    request: (id: string, lang: Lang = 'zh_CN') => ({ query: { openid: openid(id), lang } }),
    result: as<UserInfo>(),
  }),
  /** Profiles of many users, in order (split into calls of 100, WeChat's limit). */
  batch: helper(['Batch getting user basic information', '批量获取用户基本信息'], 'POST /cgi-bin/user/info/batchget', (_ctx, group) => async (ids: string[], lang: Lang = 'zh_CN') => {
    if (!Array.isArray(ids)) throw new ConfigError('openids: expected an array of openid strings');
    ids.forEach((o, i) => openid(o, `openids[${i}]`));
    const out: UserInfo[] = [];
    for (let i = 0; i < ids.length; i += BATCH) out.push(...(await group.batchGet(ids.slice(i, i + BATCH), lang)));
    return out;
  }),
  /** Up to 100 profiles in one call. */
  batchGet: post('/cgi-bin/user/info/batchget', ['Batch getting user basic information', '批量获取用户基本信息'], {
    safe: true,
    request: (ids: string[], lang: Lang = 'zh_CN') => ({ json: { user_list: openids(ids, BATCH, 'openids').map((o) => ({ openid: o, lang })) } }),
    result: (j) => (j.user_info_list as UserInfo[] | undefined) ?? [],
  }),
  /** One page of up to 10000 follower openids, after `nextOpenid`. */
  list: get('/cgi-bin/user/get', ['Getting the user list', '获取用户列表'], { request: (nextOpenid?: string) => ({ query: { next_openid: nextOpenid } }), result: as<OpenidPage>() }),
  /** Every follower's openid, fetching pages as you iterate. */
  followers: helper(['Getting the user list', '获取用户列表'], 'GET /cgi-bin/user/get (paged by next_openid)', (_ctx, group) => () => pages((next) => group.list(next))),
  /** Sets the remark (备注名) shown for a follower, up to 30 characters. */
  updateRemark: post('/cgi-bin/user/info/updateremark', ['Setting user remarks', '设置用户备注名'], {
    safe: true,
    request: (id: string, remark: string) => ({ json: { openid: openid(id), remark: typeof remark === 'string' && [...remark].length <= 30 ? remark : text('remark', remark, 30) } }),
    result: nothing,
  }),
  /** Maps openids from a migrated account (`fromAppid`) to this one's. */
  changeOpenid: post('/cgi-bin/changeopenid', ['Converting openids after an account migration', '公众号迁移 openid转换'], {
    safe: true,
    request: (fromAppid: string, ids: string[]) => ({ json: { from_appid: text('from_appid', fromAppid), openid_list: openids(ids, 100) } }),
    result: (j) => j.result_list as Array<{ ori_openid: string; new_openid?: string; err_msg?: string }>,
  }),
  /** Tags (标签): up to 100 per account, 20 per user. */
  tags: {
    create: post('/cgi-bin/tags/create', ['User tag management: create a tag', '用户标签管理 创建标签'], { request: (name: string) => ({ json: { tag: { name: text('tag name', name, 30) } } }), result: (j) => (j.tag as Tag) }),
    list: get('/cgi-bin/tags/get', ['User tag management: get tags', '用户标签管理 获取公众号已创建的标签'], { result: (j) => j.tags as Tag[] }),
    update: post('/cgi-bin/tags/update', ['User tag management: edit a tag', '用户标签管理 编辑标签'], {
      safe: true,
      request: (id: number, name: string) => ({ json: { tag: { id: tagId(id), name: text('tag name', name, 30) } } }),
      result: nothing,
    }),
    delete: post('/cgi-bin/tags/delete', ['User tag management: delete a tag', '用户标签管理 删除标签'], { safe: true, request: (id: number) => ({ json: { tag: { id: tagId(id) } } }), result: nothing }),
    /** Tags up to 50 users at once. */
    tagUsers: post('/cgi-bin/tags/members/batchtagging', ['User tag management: tag users in batch', '用户标签管理 批量为用户打标签'], {
      safe: true,
      request: (id: number, ids: string[]) => ({ json: { tagid: tagId(id), openid_list: openids(ids, 50) } }),
      result: nothing,
    }),
    untagUsers: post('/cgi-bin/tags/members/batchuntagging', ['User tag management: untag users in batch', '用户标签管理 批量为用户取消标签'], {
      safe: true,
      request: (id: number, ids: string[]) => ({ json: { tagid: tagId(id), openid_list: openids(ids, 50) } }),
      result: nothing,
    }),
    /** The tag ids a user carries. */
    ofUser: post('/cgi-bin/tags/getidlist', ['User tag management: get tags of a user', '用户标签管理 获取用户身上的标签列表'], {
      safe: true,
      request: (id: string) => ({ json: { openid: openid(id) } }),
      result: (j) => j.tagid_list as number[],
    }),
    /** One page of the users carrying a tag. */
    users: post('/cgi-bin/user/tag/get', ['User tag management: get users of a tag', '用户标签管理 获取标签下粉丝列表'], {
      safe: true,
      request: (id: number, nextOpenid?: string) => ({ json: { tagid: tagId(id), next_openid: nextOpenid ?? '' } }),
      result: as<OpenidPage>(),
    }),
    /** Every user carrying a tag, fetching pages as you iterate. */
    allUsers: helper(['User tag management: get users of a tag', '用户标签管理 获取标签下粉丝列表'], 'POST /cgi-bin/user/tag/get (paged)', (_ctx, group) => (id: number) => pages((next) => group.users(id, next))),
  },
  /** The blacklist (黑名单). */
  blacklist: {
    /** One page of up to 10000 blocked openids, after `beginOpenid`. */
    list: post('/cgi-bin/tags/members/getblacklist', ['Blacklist management: get the blacklist', '黑名单管理 获取公众号的黑名单列表'], {
      safe: true,
      request: (beginOpenid?: string) => ({ json: { begin_openid: beginOpenid ?? '' } }),
      result: as<OpenidPage>(),
    }),
    all: helper(['Blacklist management: get the blacklist', '黑名单管理 获取公众号的黑名单列表'], 'POST /cgi-bin/tags/members/getblacklist (paged)', (_ctx, group) => () => pages((next) => group.list(next))),
    /** Blocks up to 20 users. */
    block: post('/cgi-bin/tags/members/batchblacklist', ['Blacklist management: block users', '黑名单管理 拉黑用户'], { safe: true, request: (ids: string[]) => ({ json: { openid_list: openids(ids, 20) } }), result: nothing }),
    unblock: post('/cgi-bin/tags/members/batchunblacklist', ['Blacklist management: unblock users', '黑名单管理 取消拉黑用户'], { safe: true, request: (ids: string[]) => ({ json: { openid_list: openids(ids, 20) } }), result: nothing }),
  },
};
