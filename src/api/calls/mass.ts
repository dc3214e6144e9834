/** Mass messages (群发): to a tag or everyone, to a list of openids, previews, status and speed. */
import { ConfigError } from '../../errors.js';
import { as, nothing, post } from './define.js';
import { int, openid, openids, text } from './limits.js';

/** The content of a mass message, in WeChat's shape (`mpnews` needs an uploaded news media_id or a draft's). */
export type MassContent =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'images'; images: { media_ids: string[]; recommend?: string; need_open_comment?: 0 | 1; only_fans_can_comment?: 0 | 1 } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | { msgtype: 'mpvideo'; mpvideo: { media_id: string } }
  | { msgtype: 'mpnews'; mpnews: { media_id: string }; send_ignore_reprint?: 0 | 1 }
  | { msgtype: 'wxcard'; wxcard: { card_id: string } };

/** What a mass send returns: msg_id to query or delete, msg_data_id for comments. */
export interface MassSent {
  msg_id: number;
  msg_data_id?: number;
}

function content(c: MassContent): MassContent {
  const inner = (c as Record<string, unknown>)?.[c?.msgtype];
  if (typeof c?.msgtype !== 'string' || typeof inner !== 'object' || inner === null) {
    throw new ConfigError(`mass content: expected { msgtype, [msgtype]: {...} } such as { msgtype: 'text', text: { content: '...' } }, got ${JSON.stringify(c)}`);
  }
  return c;
}

const clientId = (id?: string) => (id === undefined ? undefined : text('clientmsgid', id, 64));

export const massCalls = {
  /** Sends to everyone with tag `tagId`, or to all followers when `tagId` is `'all'`. `clientmsgid` makes a resend harmless. */
  sendToTag: post('/cgi-bin/message/mass/sendall', ['Mass messages: send by tag', '群发接口 根据标签进行群发'], {
    request: (tagId: number | 'all', c: MassContent, clientmsgid?: string) => ({
      json: { filter: tagId === 'all' ? { is_to_all: true } : { is_to_all: false, tag_id: int('tag_id', tagId, 0) }, ...content(c), clientmsgid: clientId(clientmsgid) },
    }),
    result: as<MassSent>(),
  }),
  /** Sends to 2 to 10000 openids (a service account only). */
  sendToUsers: post('/cgi-bin/message/mass/send', ['Mass messages: send by openid list', '群发接口 根据OpenID列表群发'], {
    request: (ids: string[], c: MassContent, clientmsgid?: string) => {
      if (Array.isArray(ids) && ids.length < 2) throw new ConfigError('mass send touser: expected at least 2 openids (WeChat\'s minimum); for one user use customer-service messages or preview');
      return { json: { touser: openids(ids, 10_000, 'touser'), ...content(c), clientmsgid: clientId(clientmsgid) } };
    },
    result: as<MassSent>(),
  }),
  /** Sends the message to one follower (by openid or `{ towxname }`) to check it first (100 a day). */
  preview: post('/cgi-bin/message/mass/preview', ['Mass messages: preview', '群发接口 预览接口'], {
    request: (to: string | { towxname: string }, c: MassContent) => ({ json: { ...(typeof to === 'string' ? { touser: openid(to) } : { towxname: text('towxname', to?.towxname) }), ...content(c) } }),
    result: nothing,
  }),
  /** Deletes a sent mass message's article (`article_idx` 1-based; absent = all). */
  delete: post('/cgi-bin/message/mass/delete', ['Mass messages: delete', '群发接口 删除群发'], {
    safe: true,
    request: (msgId: number | string, articleIdx?: number, url?: string) => ({ json: { msg_id: msgId, article_idx: articleIdx, url } }),
    result: nothing,
  }),
  status: post('/cgi-bin/message/mass/get', ['Mass messages: query status', '群发接口 查询群发消息发送状态'], {
    safe: true,
    request: (msgId: number | string) => ({ json: { msg_id: msgId } }),
    result: as<{ msg_id: number; msg_status: 'SEND_SUCCESS' | 'SENDING' | 'SEND_FAIL' | 'DELETE' }>(),
  }),
  /** Send speed level: 0 = 80 万/min ... 4 = 10 万/min. */
  getSpeed: post('/cgi-bin/message/mass/speed/get', ['Mass messages: get speed', '群发接口 获取群发速度'], { safe: true, result: as<{ speed: number; realspeed: number }>() }),
  setSpeed: post('/cgi-bin/message/mass/speed/set', ['Mass messages: set speed', '群发接口 设置群发速度'], { safe: true, request: (speed: 0 | 1 | 2 | 3 | 4) => ({ json: { speed: int('speed', speed, 0, 4) } }), result: nothing }),
};
