import { describe, expect, it } from 'vitest';
import { bodies } from '../../test/fixtures/messages.js';
import type { WechatMessage } from './messages.js';
import { parseMessage } from './parse-message.js';
import { reply } from './replies.js';
import { createRouter } from './router.js';
import { parseXml } from './xml.js';

const msg = (xml: string): WechatMessage => parseMessage(parseXml(xml));
const text = (content: string) => msg(bodies.text.replace('this is a test', content));

describe('Router', () => {
  it('turns a string into a text reply and nothing into no reply', async () => {
    const r = createRouter().on('text', (m) => `echo ${m.content}`).on('image', () => undefined);
    expect(await r.dispatch(text('hi'))).toEqual({ type: 'text', content: 'echo hi' });
    expect(await r.dispatch(msg(bodies.image))).toBeNull();
    expect(await r.dispatch(msg(bodies.voice))).toBeNull();
  });

  it('prefers keywords and RegExps over the text type, whatever the order', async () => {
    const r = createRouter()
      .on('text', () => 'type')
      .text(/^weather (\w+)$/, (_m, { match }) => `weather:${match![1]}`)
      .text('Help', () => 'keyword');
    expect(await r.dispatch(text(' help '))).toEqual(reply.text('keyword'));
    expect(await r.dispatch(text('weather paris'))).toEqual(reply.text('weather:paris'));
    expect(await r.dispatch(text('hello'))).toEqual(reply.text('type'));
  });

  it('routes events by name, by EventKey and by QR scene, the keyed route first', async () => {
    const r = createRouter()
      .event('CLICK', () => 'any click')
      .event('CLICK', 'TODAY', () => 'today')
      .event('subscribe', '123123', () => 'scene 123123')
      .event('subscribe', () => 'welcome')
      .event('VIEW', /qq\.com/, () => 'qq');
    expect(await r.dispatch(msg(bodies.click))).toEqual(reply.text('today'));
    expect(await r.dispatch(msg(bodies.click.replace('TODAY', 'OTHER')))).toEqual(reply.text('any click'));
    expect(await r.dispatch(msg(bodies.subscribeScene))).toEqual(reply.text('scene 123123'));
    expect(await r.dispatch(msg(bodies.subscribe))).toEqual(reply.text('welcome'));
    expect(await r.dispatch(msg(bodies.view))).toEqual(reply.text('qq'));
  });

  it('falls back for anything unrouted, unknown messages included', async () => {
    const r = createRouter().fallback((m) => `got ${m.type}`);
    expect(await r.dispatch(msg(bodies.unknownType))).toEqual(reply.text('got unknown'));
  });

  it('awaits async handlers and returns typed replies as they are', async () => {
    const news = reply.news([{ title: 't' }]);
    const r = createRouter().on('text', async () => { await new Promise((x) => setTimeout(x, 5)); return news; });
    expect(await r.dispatch(text('x'))).toBe(news);
  });

  it('rejects an invalid reply returned by a handler', async () => {
    const r = createRouter().on('text', () => reply.news([]));
    await expect(r.dispatch(text('x'))).rejects.toThrow(/1 to 8 articles/);
  });

  it('checks registrations up front', () => {
    expect(() => createRouter().on('text', 'nope' as never)).toThrow(/expected a handler function, got string/);
    expect(() => createRouter().text(42 as never, () => '')).toThrow(/expected a keyword string or a RegExp, got number/);
  });
});

describe('the handler context', () => {
  it('holds what handlers use, and keeps the session store behind it out of sight', async () => {
    let seen: Record<string, unknown> | undefined;
    const router = createRouter<{ n?: number }>().on('text', (m, ctx) => {
      seen = { ...ctx };
      ctx.session.n = (ctx.session.n ?? 0) + 1;
      return `n=${ctx.session.n}`;
    });
    const text = parseMessage(parseXml(bodies.text));
    expect(await router.dispatch(text, { account: 'shop' })).toEqual({ type: 'text', content: 'n=1' });
    expect(await router.dispatch(text, { account: 'shop' })).toEqual({ type: 'text', content: 'n=2' });
    expect(Object.keys(seen!).sort()).toEqual(['account', 'client', 'logger', 'match', 'message', 'openid']);
    expect(seen).toMatchObject({ openid: text.fromUserName, account: 'shop', message: text });
  });
});
