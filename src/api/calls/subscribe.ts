/** Subscribe messages (订阅通知): the template library, the account's templates and bizsend. */
import { ConfigError } from '../../errors.js';
import { as, get, nothing, post } from './define.js';
import { templateData } from './template-data.js';
import { int, list, openid, text } from './limits.js';

/** A template the account added (from gettemplate). type 2 = one-time, 3 = long-term. */
export interface SubscribeTemplate {
  priTmplId: string;
  title: string;
  content: string;
  example: string;
  type: number;
}

/** A subscribe message. `data` values are strings or `{ value }`, checked by their type (thing ≤ 20 characters, number ≤ 32 digits, ...). */
export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  miniprogram?: { appid: string; pagepath: string };
  data: Record<string, string | { value: string }>;
}

export const subscribeCalls = {
  /** Sends a subscribe message to a user who subscribed to the template. Never retried. */
  send: post('/cgi-bin/message/subscribe/bizsend', ['Subscription messages: send', '订阅通知 发送订阅通知'], {
    request: (m: SubscribeMessage) => {
      openid(m?.touser, 'touser');
      text('template_id', m.template_id);
      return { json: { ...m, data: templateData(m.data) } };
    },
    result: nothing,
  }),
  /** The categories the account may pick templates from. */
  categories: get('/wxaapi/newtmpl/getcategory', ['Subscription messages: get categories', '订阅通知 获取公众号类目'], { result: (j) => j.data as Array<{ id: number; name: string }> }),
  /** Library template titles in the given category ids: `limit` 1 to 30 from `start`. */
  libraryTitles: get('/wxaapi/newtmpl/getpubtemplatetitles', ['Subscription messages: get template titles in the library', '订阅通知 获取类目下的公共模板'], {
    request: (ids: number[] | string, start = 0, limit = 30) => ({
      query: { ids: Array.isArray(ids) ? list<number>('ids', ids, 5).join(',') : text('ids', ids), start: int('start', start, 0), limit: int('limit', limit, 1, 30) },
    }),
    result: as<{ count: number; data: Array<{ tid: number; title: string; type: number; categoryId: string }> }>(),
  }),
  /** The keywords of a library template. */
  libraryKeywords: get('/wxaapi/newtmpl/getpubtemplatekeywords', ['Subscription messages: get template keywords', '订阅通知 获取模板中的关键词'], {
    request: (tid: number | string) => ({ query: { tid: String(tid) } }),
    result: as<{ count: number; data: Array<{ kid: number; name: string; example: string; rule: string }> }>(),
  }),
  /** Adds a library template with 2 to 5 keywords to the account; resolves to its priTmplId. */
  add: post('/wxaapi/newtmpl/addtemplate', ['Subscription messages: add a template', '订阅通知 选用模板'], {
    request: (tid: number | string, kidList: number[], sceneDesc?: string) => ({
      json: { tid: String(tid), kidList: list<number>('kidList', kidList, 5, 2), sceneDesc: sceneDesc === undefined ? undefined : text('sceneDesc', sceneDesc, 15) },
    }),
    result: (j) => String(j.priTmplId),
  }),
  /** The account's templates. */
  list: get('/wxaapi/newtmpl/gettemplate', ['Subscription messages: get the account\'s templates', '订阅通知 获取私有模板列表'], { result: (j) => j.data as SubscribeTemplate[] }),
  delete: post('/wxaapi/newtmpl/deltemplate', ['Subscription messages: delete a template', '订阅通知 删除模板'], { safe: true, request: (priTmplId: string) => ({ json: { priTmplId: text('priTmplId', priTmplId) } }), result: nothing }),
};
