/** Template messages (模板消息): notifications from a template approved in the admin console. */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';

/** A template message. `data` values are strings or `{ value, color }`. */
export interface TemplateMessage {
  touser: string;
  templateId: string;
  /** Opened when the user taps the message. */
  url?: string;
  /** Opens a mini program instead of `url` (when it is linked to the account). */
  miniprogram?: { appid: string; pagepath?: string };
  data: Record<string, string | { value: string; color?: string }>;
  /** WeChat drops a second send with the same id, so a human may safely resend after a timeout. */
  clientMsgId?: string;
}

/** @see templateApi */
export interface TemplateApi {
  /** Sends and resolves to WeChat's `msgid`. Never retried on a timeout: it may have been delivered. */
  send(message: TemplateMessage): Promise<{ msgId: number }>;
}

/**
 * @example
 * await client.template.send({ touser: openid, templateId: 'TPL', data: { first: '订单已发货', keyword1: { value: 'A123', color: '#173177' } } });
 */
export function templateApi(ctx: ApiContext): TemplateApi {
  return {
    async send(m) {
      if (typeof m?.touser !== 'string' || !m.touser) throw new ConfigError(`template touser: expected an openid, got ${JSON.stringify(m?.touser)}`);
      if (typeof m.templateId !== 'string' || !m.templateId) throw new ConfigError(`template templateId: expected a template id, got ${JSON.stringify(m.templateId)}`);
      if (typeof m.data !== 'object' || m.data === null) throw new ConfigError(`template data: expected an object of fields, got ${typeof m.data}`);
      const data = Object.fromEntries(Object.entries(m.data).map(([k, v]) => [k, typeof v === 'string' ? { value: v } : v]));
      const json = await ctx.request({
        method: 'POST',
        path: '/cgi-bin/message/template/send',
        json: { touser: m.touser, template_id: m.templateId, url: m.url, miniprogram: m.miniprogram, client_msg_id: m.clientMsgId, data },
        idempotent: false,
      });
      return { msgId: Number(json.msgid) };
    },
  };
}
