import { describe, expect, it } from 'vitest';
import { createMockApi } from '../../src/emulator/mock-api/index.js';

/** Token lifetimes on the mock's own clock (app.request: no socket needed for clock checks). */
describe('mock token lifetimes', () => {
  function setup(tokenTtlSeconds = 7200) {
    let clock = 1_700_000_000_000;
    const mock = createMockApi({ now: () => clock, tokenTtlSeconds });
    const classic = async () =>
      ((await (await mock.app.request(`/cgi-bin/token?grant_type=client_credential&appid=${mock.appId}&secret=${mock.appSecret}`)).json()) as { access_token: string; expires_in: number });
    const use = async (t: string) => ((await (await mock.app.request(`/cgi-bin/menu/delete?access_token=${t}`)).json()) as { errcode: number }).errcode;
    return { mock, classic, use, tick: (ms: number) => (clock += ms) };
  }

  it('a replaced token keeps working for 5 minutes, then answers 40001', async () => {
    const { classic, use, tick } = setup();
    const first = await classic();
    const second = await classic();
    expect(second.access_token).not.toBe(first.access_token);
    tick(299_000);
    expect(await use(first.access_token)).toBe(0);
    tick(1_000);
    expect(await use(first.access_token)).toBe(40001);
    expect(await use(second.access_token)).toBe(0);
  });

  const stableWith = async (mock: ReturnType<typeof setup>['mock'], body: Record<string, unknown>) =>
    (await (await mock.app.request('/cgi-bin/stable_token', { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', ...body }) })).json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };

  it('a forced stable_token ends the previous token at once (WeChat: "会导致上次获取的 access_token 失效")', async () => {
    const { mock, use } = setup();
    const creds = { appid: mock.appId, secret: mock.appSecret };
    const old = await stableWith(mock, creds);
    const forced = await stableWith(mock, { ...creds, force_refresh: true });
    expect(forced.access_token).not.toBe(old.access_token);
    expect(await use(old.access_token!)).toBe(40001);
    expect(await use(forced.access_token!)).toBe(0);
  });

  it('a normal stable_token call in a token\'s last 300 s gets the next one; the old one works until it expires', async () => {
    const { mock, use, tick } = setup();
    const creds = { appid: mock.appId, secret: mock.appSecret };
    const first = await stableWith(mock, creds);
    tick((7200 - 301) * 1000);
    expect(await stableWith(mock, creds)).toMatchObject({ access_token: first.access_token, expires_in: 301 });
    tick(2000);
    const next = await stableWith(mock, creds);
    expect(next).toMatchObject({ expires_in: 7200 });
    expect(next.access_token).not.toBe(first.access_token);
    expect(await stableWith(mock, creds)).toMatchObject({ access_token: next.access_token });
    expect(await use(first.access_token!)).toBe(0);
    tick(299_000);
    expect(await use(first.access_token!)).toBe(42001);
    expect(await use(next.access_token!)).toBe(0);
  });

  it('a missing appid or secret answers 41002 or 41004, on both token endpoints', async () => {
    const { mock } = setup();
    const classic = async (q: string) => (await (await mock.app.request(`/cgi-bin/token?grant_type=client_credential${q}`)).json()) as { errcode: number; errmsg: string };
    expect(await classic(`&appid=${mock.appId}`)).toMatchObject({ errcode: 41004, errmsg: expect.stringMatching(/^appsecret missing rid: /) });
    expect(await classic(`&secret=${mock.appSecret}`)).toMatchObject({ errcode: 41002, errmsg: expect.stringMatching(/^appid missing rid: /) });
    expect(await stableWith(mock, { appid: mock.appId })).toMatchObject({ errcode: 41004 });
    expect(await stableWith(mock, { secret: mock.appSecret })).toMatchObject({ errcode: 41002 });
    expect(await stableWith(mock, { appid: 'wxnope', secret: mock.appSecret })).toMatchObject({ errcode: 40013 });
  });

  it('a token answers 42001 after expires_in, which is configurable', async () => {
    const { classic, use, tick } = setup(60);
    const { access_token, expires_in } = await classic();
    expect(expires_in).toBe(60);
    tick(59_000);
    expect(await use(access_token)).toBe(0);
    tick(1_000);
    expect(await use(access_token)).toBe(42001);
  });

  it('stable_token and classic tokens do not replace each other (WeChat keeps them apart)', async () => {
    const { mock, classic, use, tick } = setup();
    const stable = async (force: boolean) =>
      ((await (await mock.app.request('/cgi-bin/stable_token', { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', appid: mock.appId, secret: mock.appSecret, force_refresh: force }) })).json()) as { access_token: string });
    const s1 = await stable(false);
    await classic();
    await classic();
    tick(600_000);
    expect(await use(s1.access_token)).toBe(0);
    expect((await stable(false)).access_token).toBe(s1.access_token);
    const s2 = await stable(true);
    expect(s2.access_token).not.toBe(s1.access_token);
    tick(300_000);
    expect(await use(s1.access_token)).toBe(40001);
  });

  it('announces requests to subscribers until they unsubscribe', async () => {
    const { mock, classic } = setup();
    const paths: string[] = [];
    const stop = mock.subscribe((e) => e.kind === 'request' && paths.push(e.request.path));
    await classic();
    stop();
    await classic();
    expect(paths).toEqual(['/cgi-bin/token']);
    expect(mock.requests).toHaveLength(2);
  });
});
