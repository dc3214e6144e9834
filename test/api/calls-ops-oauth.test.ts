import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { WechatApiError } from '../../src/api/errors.js';
import { MOCK_OAUTH_OPENID } from '../../src/emulator/mock-api/index.js';
import { BASE, failure, mockClient } from './support/mock-client.js';

const USER = 'oUser0000000000000000000001';

describe('ops', () => {
  it('reads IP ranges, checks the network and resets the quota', async () => {
    const { client, mock } = mockClient();
    expect(await client.ops.callbackIps()).toContain('101.226.103.0/25');
    expect((await client.ops.apiDomainIps()).length).toBeGreaterThan(0);
    expect(await client.ops.callbackCheck('all', 'DEFAULT')).toMatchObject({ dns: [expect.objectContaining({ ip: expect.any(String) })], ping: [expect.any(Object)] });
    await expect(client.ops.callbackCheck('trace' as 'all')).rejects.toBeInstanceOf(ConfigError);

    mock.setQuota('/cgi-bin/getcallbackip', 1);
    expect((await failure(client.ops.callbackIps()))?.errcode).toBe(45009);
    expect(await client.ops.quota('/cgi-bin/getcallbackip')).toMatchObject({ quota: { daily_limit: 1, used: 2, remain: 0 } });
    await client.ops.clearQuota();
    expect(mock.requestsTo('/cgi-bin/clear_quota')[0]?.body).toEqual({ appid: mock.appId });
    expect(await client.ops.callbackIps()).toHaveLength(3);
    await client.ops.clearQuotaBySecret();
    expect(mock.requestsTo('/cgi-bin/clear_quota/v2')[0]?.query).toMatchObject({ appid: mock.appId });
  });

  it('looks up the rid of a failed call', async () => {
    const { client } = mockClient({ users: { [USER]: {} } });
    const e = await failure(client.user.info('oNobody00000000000000000000'));
    const rid = /rid: (\S+)/.exec(e!.errmsg)![1]!;
    const info = await client.ops.rid(rid);
    expect(info.request).toMatchObject({ request_url: expect.stringContaining('/cgi-bin/user/info?'), response_body: expect.stringContaining('40003') });
    expect(info.request.request_url).not.toContain(await client.accessToken());
    expect((await failure(client.ops.rid('nope')))?.errcode).toBe(76001);
  });

  it('fetches a stable token, the auto-reply rules and a semantic answer', async () => {
    const { client, mock } = mockClient();
    const a = await client.ops.stableToken();
    expect(a.expires_in).toBe(7200);
    expect((await client.ops.stableToken(true)).access_token).not.toBe(a.access_token);
    expect(await client.ops.autoReplyRules()).toMatchObject({ is_autoreply_open: 1 });
    expect(await client.ops.semanticSearch({ query: '查一下明天从北京到上海的南航机票', category: 'flight,hotel' })).toMatchObject({ type: 'flight,hotel' });
    expect(mock.requestsTo('/semantic/semproxy/search')[0]?.body).toMatchObject({ appid: mock.appId });
  });
});

describe('retries', () => {
  it('a safe call waits and retries while WeChat answers -1; a send never is', async () => {
    const { client, mock } = mockClient({ users: { [USER]: {} } });
    mock.failNext('/cgi-bin/tags/get', -1, 2);
    expect(await client.user.tags.list()).toEqual([{ id: 2, name: '星标组', count: 0 }]);
    expect(mock.requestsTo('/cgi-bin/tags/get').map((r) => r.errcode)).toEqual([-1, -1, 0]);

    mock.failNext('/cgi-bin/tags/get', -1, 3);
    const gaveUp = await failure(client.user.tags.list());
    expect(gaveUp).toBeInstanceOf(WechatApiError);
    expect(gaveUp?.errname).toBe('system busy');

    mock.failNext('/cgi-bin/message/custom/send', -1, 1);
    expect((await failure(client.customerService.sendText(USER, 'hi')))?.errcode).toBe(-1);
    expect(mock.requestsTo('/cgi-bin/message/custom/send')).toHaveLength(1);
  });

  it('calls that spend a small quota, create something or send are never repeated blindly', async () => {
    const { client, mock } = mockClient();
    const once = async (path: string, call: () => Promise<unknown>) => {
      mock.failNext(path, -1, 1);
      expect((await failure(call()))?.errcode, path).toBe(-1);
      expect(mock.requestsTo(path), path).toHaveLength(1);
    };
    await once('/cgi-bin/template/api_set_industry', () => client.template.setIndustry(1, 4)); // once a month
    await once('/cgi-bin/clear_quota', () => client.ops.clearQuota()); // 10 a month
    await once('/cgi-bin/clear_quota/v2', () => client.ops.clearQuotaBySecret());
    await once('/customservice/kfaccount/add', () => client.customerService.kf.add({ kf_account: 'kf1@gh_a', nickname: '客服1' })); // a repeat: "already exists"
    await once('/customservice/kfaccount/inviteworker', () => client.customerService.kf.invite('kf1@gh_a', 'wx_friend'));
    await once('/cv/ocr/idcard', () => client.ocr.idCard('https://a.cn/id.jpg')); // billed past 100 a day
    await once('/cv/ocr/bankcard', () => client.ocr.bankCard('https://a.cn/card.jpg'));
    await once('/cv/img/aicrop', () => client.image.aiCrop('https://a.cn/p.jpg'));
    await once('/cgi-bin/wxopen/qrcodejumpadd', () => client.qrcodeJump.add({ prefix: 'https://a.cn/q', appid: 'wxmini', path: 'pages/index' }));
    await once('/cgi-bin/wxopen/qrcodejumppublish', () => client.qrcodeJump.publish('https://a.cn/q')); // 100 a month
  });
});

describe('OAuth 2', () => {
  it('exchanges a code once, refreshes, reads the profile and checks the token', async () => {
    const { client, mock } = mockClient({ users: { [USER]: { nickname: '小明' } } });
    const url = client.oauth.authorizeUrl({ redirect_uri: 'https://a.cn/cb', scope: 'snsapi_userinfo', state: 'abc' });
    expect(url).toBe(`${BASE}/connect/oauth2/authorize?appid=${mock.appId}&redirect_uri=https%3A%2F%2Fa.cn%2Fcb&response_type=code&scope=snsapi_userinfo&state=abc#wechat_redirect`);
    const code = mock.issueOAuthCode(USER, 'snsapi_userinfo');
    const grant = await client.oauth.exchangeCode(code);
    expect(grant).toMatchObject({ openid: USER, scope: 'snsapi_userinfo', expires_in: 7200 });
    const again = await failure(client.oauth.exchangeCode(code));
    expect(again?.errcode).toBe(40163);
    expect(again?.hint).toMatch(/already exchanged/);
    expect(await client.oauth.userinfo(grant.access_token, USER)).toMatchObject({ openid: USER, nickname: '小明', privilege: [] });
    await client.oauth.check(grant.access_token, USER);
    const fresh = await client.oauth.refresh(grant.refresh_token);
    expect(fresh.access_token).not.toBe(grant.access_token);
    expect((await failure(client.oauth.check('bogus', USER)))?.errcode).toBe(40001);
    expect((await failure(client.oauth.refresh('bogus')))?.errcode).toBe(40030);
    // The user's token goes in the query; the account's token never does.
    expect(mock.requestsTo('/sns/userinfo')[0]?.query.access_token).toBe('***');
  });

  it('snsapi_base cannot read the profile (48001), and the consent page redirects with code and state', async () => {
    const { client, mock } = mockClient();
    const base = await client.oauth.exchangeCode(mock.issueOAuthCode(USER, 'snsapi_base'));
    expect((await failure(client.oauth.userinfo(base.access_token, USER)))?.errcode).toBe(48001);
    const page = await mock.app.request(client.oauth.authorizeUrl({ redirect_uri: 'https://a.cn/cb?x=1', state: 's1' }).replace('#wechat_redirect', ''));
    expect(page.status).toBe(302);
    const back = new URL(page.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('x')).toBe('1');
    expect((await client.oauth.exchangeCode(back.searchParams.get('code')!)).openid).toBe(MOCK_OAUTH_OPENID);
    const wrong = await mock.app.request(`${BASE}/connect/oauth2/authorize?appid=wxother&redirect_uri=https%3A%2F%2Fa.cn&response_type=code&scope=snsapi_base`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('appid 参数错误');
  });
});

describe('JS-SDK', () => {
  it('caches the ticket and signs wx.config with the options a page passes on', async () => {
    const { client, mock } = mockClient();
    const config = await client.jssdk.config('https://a.cn/p?x=1#top', { jsApiList: ['chooseImage'] });
    expect(config).toMatchObject({ appId: mock.appId, jsApiList: ['chooseImage'], signature: expect.stringMatching(/^[0-9a-f]{40}$/) });
    await client.jssdk.ticket();
    expect(mock.requestsTo('/cgi-bin/ticket/getticket')).toHaveLength(1);
    expect((await client.jssdk.getTicket('wx_card')).ticket).toMatch(/^TICKET_/);
  });
});
