/** Template messages (模板消息): industry, the account's templates, and sending. */
import { ConfigError } from '../../errors.js';
import { as, get, nothing, post } from './define.js';
import { templateData } from './template-data.js';
import { list, openid, text } from './limits.js';

/** A template message, with WeChat's field names. `data` values are strings or `{ value, color }`. */
export interface TemplateMessage {
  touser: string;
  template_id: string;
  /** Opened when the user taps the message. */
  url?: string;
  /** Opens a mini program instead of `url` (when it is linked to the account). */
  miniprogram?: { appid: string; pagepath?: string };
  data: Record<string, string | { value: string; color?: string }>;
  /** WeChat drops a second send with the same id, so a human may safely resend after a timeout. */
  client_msg_id?: string;
}

/** A template in the account's list. */
export interface PrivateTemplate {
  template_id: string;
  title: string;
  primary_industry: string;
  deputy_industry: string;
  content: string;
  example: string;
}


function templateBody(m: TemplateMessage): Record<string, unknown> {
  openid(m?.touser, 'template touser');
  text('template template_id', m.template_id);
  return { touser: m.touser, template_id: m.template_id, url: m.url, miniprogram: m.miniprogram, client_msg_id: m.client_msg_id === undefined ? undefined : text('client_msg_id', m.client_msg_id, 64), data: templateData(m.data, 'template data') };
}

export const templateCalls = {
  /** Sends and resolves to `{ msgid }`. Never retried on a timeout: it may have been delivered. */
  send: post('/cgi-bin/message/template/send', ['Template message: send', '模板消息 发送模板消息'], { request: (m: TemplateMessage) => ({ json: templateBody(m) }), result: (j) => ({ msgid: Number(j.msgid) }) }),
  /** Sets the account's two industries (codes from WeChat's industry table); allowed once a month. */
  setIndustry: post('/cgi-bin/template/api_set_industry', ['Template message: set the industry', '模板消息 设置所属行业'], {
    // Not retried: a repeat of a change that went through would spend the month's one change (or fail on it).
    request: (primary: number | string, secondary: number | string) => ({ json: { industry_id1: text('industry_id1', String(primary)), industry_id2: text('industry_id2', String(secondary)) } }),
    result: nothing,
  }),
  getIndustry: get('/cgi-bin/template/get_industry', ['Template message: get the industry', '模板消息 获取设置的行业信息'], {
    result: as<{ primary_industry: { first_class: string; second_class: string }; secondary_industry: { first_class: string; second_class: string } }>(),
  }),
  /** Adds a template from the library by its short id (e.g. TM00015); resolves to the account's template_id. */
  add: post('/cgi-bin/template/api_add_template', ['Template message: add a template', '模板消息 获得模板ID'], {
    request: (shortId: string, keywordNames?: string[]) => ({ json: { template_id_short: text('template_id_short', shortId), keyword_name_list: keywordNames } }),
    result: (j) => String(j.template_id),
  }),
  list: get('/cgi-bin/template/get_all_private_template', ['Template message: get the template list', '模板消息 获取模板列表'], { result: (j) => j.template_list as PrivateTemplate[] }),
  delete: post('/cgi-bin/template/del_private_template', ['Template message: delete a template', '模板消息 删除模板'], {
    safe: true,
    request: (templateId: string) => ({ json: { template_id: text('template_id', templateId) } }),
    result: nothing,
  }),
  /** Sends a one-time subscription message (一次性订阅消息) to a user who agreed on the subscribemsg page. */
  sendOnce: post('/cgi-bin/message/template/subscribe', ['One-time subscription message', '一次性订阅消息'], {
    request: (m: { touser: string; template_id: string; scene: number; title: string; url?: string; miniprogram?: { appid: string; pagepath?: string }; data: { content: { value: string; color?: string } } }) => {
      openid(m?.touser, 'touser');
      text('title', m.title, 15);
      list('data', Object.keys(m.data ?? {}), 1);
      text('data.content.value', m.data.content?.value, 200);
      return { json: m };
    },
    result: nothing,
  }),
};
