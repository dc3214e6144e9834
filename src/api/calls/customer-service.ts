/** Customer service (客服): messages within 48 hours, agent accounts, sessions and chat records. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import { csMessageBody, type CsMessage } from '../customer-service.js';
import type { MediaFile } from './media.js';
import { as, get, nothing, post, type Req } from './define.js';
import { int, openid, text } from './limits.js';

/** An agent account as getkflist returns it. */
export interface KfAccount {
  kf_account: string;
  kf_nick: string;
  kf_id: string;
  kf_headimgurl: string;
  kf_wx?: string;
  invite_wx?: string;
  invite_expire_time?: number;
  invite_status?: 'waiting' | 'rejected' | 'expired';
}

/** An agent online now: status 1 = web client, accepted_case = sessions being served. */
export interface KfOnline {
  kf_account: string;
  status: number;
  kf_id: string;
  accepted_case: number;
}

/** A user's session: which agent serves them, since when (empty `kf_account` when nobody). */
export interface KfSession {
  kf_account: string;
  createtime: number;
}

/** One line of a chat record. opercode 2002 = agent sent, 2003 = agent received. */
export interface KfRecord {
  openid: string;
  opercode: number;
  text: string;
  time: number;
  worker: string;
}

const kfAccount = (v: unknown): string => {
  const s = text('kf_account', v);
  if (!/^[A-Za-z0-9_]{1,10}@\S+$/.test(s)) throw new ConfigError(`kf_account: expected prefix@wechat-id (prefix: up to 10 letters, digits or _), got ${JSON.stringify(s)}`);
  return s;
};

/** WeChat wants the agent password as an MD5 hex digest; one that already is one passes through. */
const password = (p: string): string => (/^[0-9a-f]{32}$/.test(p) ? p : createHash('md5').update(text('password', p)).digest('hex'));

function accountBody(a: { kf_account: string; nickname: string; password?: string }): Req {
  return { json: { kf_account: kfAccount(a.kf_account), nickname: text('nickname', a.nickname, 16), password: a.password === undefined ? undefined : password(a.password) } };
}

function avatarForm(file: MediaFile): FormData {
  const form = new FormData();
  const blob = file.data instanceof Blob ? file.data : new Blob([file.data], { type: file.contentType ?? 'image/jpeg' });
  form.append('media', blob, file.filename);
  return form;
}

export const customerServiceCalls = {
  /** Sends `message` (WeChat's JSON without `touser`) to `openid`. Never retried on a timeout. */
  send: post('/cgi-bin/message/custom/send', ['Send customer service messages', '客服接口-发消息'], {
    request: (to: string, message: CsMessage) => ({ json: csMessageBody(openid(to), message) }),
    result: nothing,
  }),
  /** A text message. */
  sendText: post('/cgi-bin/message/custom/send', ['Send customer service messages', '客服接口-发消息'], {
    request: (to: string, content: string) => ({ json: csMessageBody(openid(to), { msgtype: 'text', text: { content } }) }),
    result: nothing,
  }),
  /** Shows (or hides) "typing…" in the user's chat for up to 15 s. */
  typing: post('/cgi-bin/message/custom/typing', ['Customer service typing status', '客服输入状态'], {
    safe: true,
    request: (to: string, on = true) => ({ json: { touser: openid(to), command: on ? 'Typing' : 'CancelTyping' } }),
    result: nothing,
  }),
  /** Agent accounts (客服账号). */
  kf: {
    list: get('/cgi-bin/customservice/getkflist', ['Get all customer service accounts', '获取客服基本信息'], { result: (j) => j.kf_list as KfAccount[] }),
    online: get('/cgi-bin/customservice/getonlinekflist', ['Get online customer service accounts', '获取在线客服接待信息'], { result: (j) => j.kf_online_list as KfOnline[] }),
    /** Adds an agent; the password is sent as its MD5, as WeChat requires. Not retried: a repeat of an add that went through fails with "already exists". */
    add: post('/customservice/kfaccount/add', ['Add a customer service account', '添加客服帐号'], { request: (a: { kf_account: string; nickname: string; password?: string }) => accountBody(a), result: nothing }),
    update: post('/customservice/kfaccount/update', ['Update a customer service account', '设置客服信息'], { safe: true, request: (a: { kf_account: string; nickname: string; password?: string }) => accountBody(a), result: nothing }),
    delete: get('/customservice/kfaccount/del', ['Delete a customer service account', '删除客服帐号'], { request: (account: string) => ({ query: { kf_account: kfAccount(account) } }), result: nothing }),
    /** Invites a WeChat user to operate the agent account. Not retried: the invitation is a message to that user. */
    invite: post('/customservice/kfaccount/inviteworker', ['Invite a WeChat user to bind a customer service account', '邀请绑定客服帐号'], {
      request: (account: string, wechatId: string) => ({ json: { kf_account: kfAccount(account), invite_wx: text('invite_wx', wechatId) } }),
      result: nothing,
    }),
    /** Sets the agent's avatar (JPG, 640×640 recommended). */
    uploadAvatar: post('/customservice/kfaccount/uploadheadimg', ['Upload a customer service avatar', '上传客服头像'], {
      safe: true,
      request: (account: string, file: MediaFile) => ({ query: { kf_account: kfAccount(account) }, form: avatarForm(file) }),
      result: nothing,
    }),
  },
  /** Sessions between users and agents (会话控制). */
  session: {
    create: post('/customservice/kfsession/create', ['Create a session', '创建会话'], {
      request: (account: string, user: string) => ({ json: { kf_account: kfAccount(account), openid: openid(user) } }),
      result: nothing,
    }),
    close: post('/customservice/kfsession/close', ['Close a session', '关闭会话'], {
      request: (account: string, user: string) => ({ json: { kf_account: kfAccount(account), openid: openid(user) } }),
      result: nothing,
    }),
    /** Who serves `openid` now (empty kf_account: nobody). */
    get: get('/customservice/kfsession/getsession', ['Get the session status of a user', '获取客户会话状态'], { request: (user: string) => ({ query: { openid: openid(user) } }), result: as<KfSession>() }),
    /** The users an agent is serving. */
    list: get('/customservice/kfsession/getsessionlist', ['Get the session list of an agent', '获取客服会话列表'], {
      request: (account: string) => ({ query: { kf_account: kfAccount(account) } }),
      result: (j) => j.sessionlist as Array<{ openid: string; createtime: number }>,
    }),
    /** Users waiting for an agent. */
    waiting: get('/customservice/kfsession/getwaitcase', ['Get unaccepted sessions', '获取未接入会话列表'], {
      result: as<{ count: number; waitcaselist: Array<{ openid: string; latest_time: number }> }>(),
    }),
  },
  /** Chat records between `starttime` and `endtime` (Unix seconds, within one day), up to 10000 per call from `msgid`. */
  records: post('/customservice/msgrecord/getmsglist', ['Get chat records', '获取聊天记录'], {
    safe: true,
    request: (q: { starttime: number; endtime: number; msgid?: number; number?: number }) => {
      int('starttime', q.starttime, 0);
      int('endtime', q.endtime, q.starttime);
      if (q.endtime - q.starttime > 86_400) throw new ConfigError(`records: expected starttime and endtime within 24 hours, got ${q.endtime - q.starttime} s`);
      return { json: { starttime: q.starttime, endtime: q.endtime, msgid: int('msgid', q.msgid ?? 1, 1), number: int('number', q.number ?? 10_000, 1, 10_000) } };
    },
    result: as<{ recordlist: KfRecord[]; number: number; msgid: number }>(),
  }),
};
