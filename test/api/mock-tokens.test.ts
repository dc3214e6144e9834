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
