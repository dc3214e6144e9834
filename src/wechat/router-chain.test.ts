import { describe, expect, it } from 'vitest';
import { bodies } from '../../test/fixtures/messages.js';
import type { WechatMessage } from './messages.js';
import { parseMessage } from './parse-message.js';
import { reply } from './replies.js';
import { createRouter, type Middleware } from './router.js';
import { MemorySessionStore, openSession, sessionKey, type SessionStore } from './session.js';
import { parseXml } from './xml.js';

const msg = (xml: string): WechatMessage => parseMessage(parseXml(xml));
const text = (content: string, from = 'oUser123') => msg(bodies.text.replace('this is a test', content).replace('oUser123', from));
const logs = () => {
  const lines: string[] = [];
  return { lines, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
};

describe('router.use(): middleware', () => {
  it('runs around the handler in the order added, each seeing what the inner ones returned', async () => {
    const order: string[] = [];
    const mw = (name: string): Middleware => async (_ctx, next) => {
      order.push(`${name} in`);
      const r = await next();
      order.push(`${name} out`);
      return r;
    };
    const r = createRouter().use(mw('a')).use(mw('b')).on('text', (m) => {
      order.push('handler');
      return m.content;
    });
    expect(await r.dispatch(text('hi'))).toEqual(reply.text('hi'));
    expect(order).toEqual(['a in', 'b in', 'handler', 'b out', 'a out']);
  });

  it('can answer alone (a keyword blacklist), replace the reply, or drop it', async () => {
    const r = createRouter()
      .use((ctx, next) => (ctx.message.type === 'text' && /spam/.test(ctx.message.content) ? '请文明用语' : next()))
      .use(async (_ctx, next) => {
        const inner = await next();
        return inner?.type === 'text' ? `[bot] ${inner.content}` : inner;
      })
      .use(async (ctx, next) => (ctx.message.type === 'image' ? undefined : next()))
      .on('text', (m) => m.content)
      .on('image', () => 'never');
    expect(await r.dispatch(text('buy spam'))).toEqual(reply.text('请文明用语'));
    expect(await r.dispatch(text('hello'))).toEqual(reply.text('[bot] hello'));
    expect(await r.dispatch(msg(bodies.image))).toBeNull();
  });

  it('puts the message, the OpenID, the session, the client and the logger on the context', async () => {
    const logger = logs();
    const client = { marker: true } as never;
    let seen: Record<string, unknown> = {};
    const r = createRouter().use((ctx, next) => {
      seen = { type: ctx.message.type, openid: ctx.openid, session: ctx.session, client: ctx.client, logger: ctx.logger };
      ctx.logger.info('metric: message');
      return next();
    });
    await r.dispatch(text('x', 'oAlice1'), { client, logger });
    expect(seen).toEqual({ type: 'text', openid: 'oAlice1', session: {}, client, logger });
    expect(logger.lines).toEqual(['metric: message']);
  });

  it('lets an admin-only command through for admins only', async () => {
    const admins = new Set(['oAdmin1']);
    const r = createRouter()
      .use((ctx, next) => (ctx.message.type === 'text' && ctx.message.content.startsWith('/') && !admins.has(ctx.openid) ? '仅管理员可用' : next()))
      .text('/stats', () => 'stats: 42');
    expect(await r.dispatch(text('/stats', 'oAdmin1'))).toEqual(reply.text('stats: 42'));
    expect(await r.dispatch(text('/stats', 'oGuest1'))).toEqual(reply.text('仅管理员可用'));
  });

  it('rejects with the error thrown inside a middleware, and refuses next() twice', async () => {
    const boom = createRouter().use(() => { throw new Error('middleware failed'); }).on('text', () => 'x');
    await expect(boom.dispatch(text('a'))).rejects.toThrow('middleware failed');
    const twice = createRouter().use(async (_c, next) => { await next(); return next(); }).on('text', () => 'x');
    await expect(twice.dispatch(text('a'))).rejects.toThrow('next() called twice');
    expect(() => createRouter().use('nope' as never)).toThrow('router.use(): expected a handler function, got string');
  });
});

describe('ctx.session', () => {
  type Dialog = { step?: 'name' | 'age'; name?: string; count?: number };
  const dialog = () => createRouter<Dialog>()
    .text('signup', (_m, { session }) => {
      session.step = 'name';
      return 'Your name?';
    })
    .on('text', (m, { session }) => {
      if (session.step === 'name') {
        session.name = m.content;
        session.step = 'age';
        return `Hi ${m.content}, your age?`;
      }
      if (session.step === 'age') {
        const name = session.name;
        delete session.step;
        return `${name} is ${m.content}`;
      }
      return 'Send "signup"';
    });

  it('carries a multi-step dialog across messages, per user', async () => {
    const r = dialog();
    expect(await r.dispatch(text('signup', 'oA'))).toEqual(reply.text('Your name?'));
    expect(await r.dispatch(text('hello', 'oB'))).toEqual(reply.text('Send "signup"'));
    expect(await r.dispatch(text('Ann', 'oA'))).toEqual(reply.text('Hi Ann, your age?'));
    expect(await r.dispatch(text('30', 'oA'))).toEqual(reply.text('Ann is 30'));
    expect(await r.dispatch(text('again', 'oA'))).toEqual(reply.text('Send "signup"'));
  });

  it('is kept per account too: the same OpenID never shares state between two accounts', async () => {
    const store = new MemorySessionStore();
    const r = createRouter<{ n?: number }>().on('text', (_m, { session }) => String((session.n = (session.n ?? 0) + 1)));
    await r.dispatch(text('x'), { sessions: store });
    await r.dispatch(text('x'), { sessions: store });
    const other = msg(bodies.text.replace('gh_account', 'gh_other'));
    expect(await r.dispatch(other, { sessions: store })).toEqual(reply.text('1'));
  });

  it('expires after the TTL and starts from `initial`', async () => {
    let now = 1_000_000;
    const store = new MemorySessionStore({ now: () => now });
    const r = createRouter<{ count: number }>({ session: { store, ttlMs: 60_000, initial: () => ({ count: 0 }) } })
      .on('text', (_m, { session }) => String(++session.count));
    expect(await r.dispatch(text('x'))).toEqual(reply.text('1'));
    now += 59_000;
    expect(await r.dispatch(text('x'))).toEqual(reply.text('2'));
    now += 60_001;
    expect(await r.dispatch(text('x'))).toEqual(reply.text('1'));
  });

  it('is not saved when the chain throws', async () => {
    const r = createRouter<{ n?: number }>().on('text', (m, { session }) => {
      session.n = (session.n ?? 0) + 1;
      if (m.content === 'fail') throw new Error('handler failed');
      return String(session.n);
    });
    await expect(r.dispatch(text('fail'))).rejects.toThrow('handler failed');
    expect(await r.dispatch(text('ok'))).toEqual(reply.text('1'));
  });

  it('runs concurrent messages from one user one after another, so no increment is lost', async () => {
    const r = createRouter<{ n?: number }>().on('text', async (_m, { session }) => {
      const n = session.n ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 5));
      session.n = n + 1;
      return String(session.n);
    });
    const replies = await Promise.all(Array.from({ length: 10 }, () => r.dispatch(text('x'))));
    expect(replies.map((x) => (x?.type === 'text' ? x.content : '')).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('across processes: merges changes to different keys, and logs SESSION_CONFLICT when both changed one key', async () => {
    // Two routers on one store stand for two processes: each has its own per-user queue.
    const store = new MemorySessionStore();
    const gate: Array<() => void> = [];
    const wait = () => new Promise<void>((resolve) => gate.push(resolve));
    const logger = logs();
    const a = createRouter<Record<string, string>>().on('text', async (m, { session }) => { await wait(); session[m.content] = 'a'; });
    const b = createRouter<Record<string, string>>().on('text', async (m, { session }) => { await wait(); session[m.content] = 'b'; });
    const first = a.dispatch(text('x'), { sessions: store, logger });
    const second = b.dispatch(text('y'), { sessions: store, logger });
    await new Promise((r) => setTimeout(r, 10));
    gate.splice(0).forEach((open) => open());
    await Promise.all([first, second]);
    expect((await store.get(sessionKey('gh_account', 'oUser123')))?.data).toEqual({ x: 'a', y: 'b' });
    expect(logger.lines).toEqual([]);

    const c = a.dispatch(text('z'), { sessions: store, logger });
    const d = b.dispatch(text('z'), { sessions: store, logger });
    await new Promise((r) => setTimeout(r, 10));
    gate.splice(0).forEach((open) => open());
    await Promise.all([c, d]);
    const saved = (await store.get(sessionKey('gh_account', 'oUser123')))!.data;
    expect(['a', 'b']).toContain(saved.z);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/SESSION_CONFLICT: another process changed "z" in the session of oUser123/);
  });
});

describe('ctx.session is read only when used', () => {
  const counting = (inner = new MemorySessionStore()) => {
    const calls = { get: 0, set: 0 };
    const store: SessionStore = {
      get: (k) => (calls.get++, inner.get(k)),
      getSync: (k) => (calls.get++, inner.getSync(k)),
      set: (k, d, o) => (calls.set++, inner.set(k, d, o)),
    };
    return { store, calls };
  };

  it('neither reads nor writes the store for a handler that never touches it', async () => {
    const { store, calls } = counting();
    const r = createRouter().use((_ctx, next) => next()).on('text', (m) => m.content);
    expect(await r.dispatch(text('hi'), { sessions: store })).toEqual(reply.text('hi'));
    expect(calls).toEqual({ get: 0, set: 0 });
  });

  it('reads once when touched, from middleware or handler, and saves what changed', async () => {
    const { store, calls } = counting();
    const r = createRouter<{ n?: number }>()
      .use((ctx, next) => { ctx.session.n = (ctx.session.n ?? 0) + 1; return next(); })
      .on('text', (_m, ctx) => String(ctx.session.n));
    expect(await r.dispatch(text('a'), { sessions: store })).toEqual(reply.text('1'));
    expect(calls).toEqual({ get: 1, set: 1 });
    expect(await r.dispatch(text('b'), { sessions: store })).toEqual(reply.text('2'));
  });

  it('saves a session replaced as a whole (ctx.session = ...)', async () => {
    const { store } = counting();
    const r = createRouter<{ step?: string }>().on('text', (m, ctx) => {
      const before = ctx.session.step ?? 'none';
      ctx.session = { step: m.content };
      return before;
    });
    await r.dispatch(text('one'), { sessions: store });
    expect(await r.dispatch(text('two'), { sessions: store })).toEqual(reply.text('one'));
  });

  it('still reads an async-only store (Redis) before the chain, as it cannot be read later at once', async () => {
    const inner = new MemorySessionStore();
    let gets = 0;
    const store: SessionStore = { get: (k) => (gets++, inner.get(k)), set: (k, d, o) => inner.set(k, d, o) };
    const r = createRouter<{ n?: number }>().on('text', (_m, ctx) => String((ctx.session.n = (ctx.session.n ?? 0) + 1)));
    await r.dispatch(text('a'), { sessions: store });
    expect(await r.dispatch(text('b'), { sessions: store })).toEqual(reply.text('2'));
    expect(gets).toBe(2);
  });
});

describe('openSession', () => {
  it('writes nothing when the handlers changed nothing', async () => {
    let writes = 0;
    const inner = new MemorySessionStore();
    const store: SessionStore = { get: (k) => inner.get(k), set: (k, d, o) => (writes++, inner.set(k, d, o)) };
    const s = await openSession(store, 'k', { ttlMs: 1000, initial: () => ({ a: 1 }) });
    expect(await s.save(s.data)).toEqual([]);
    expect(writes).toBe(0);
    s.data.a = 2;
    await s.save(s.data);
    expect(writes).toBe(1);
  });
});
