import { describe, expect, it } from 'vitest';
import { ERRCODES } from '../../src/api/errcodes.js';
import { WECHATPY_ERRCODES, WXJAVA_MP_ERRCODES } from '../fixtures/peer-errcodes.js';

/** Peer codes outside wxmp's groups, each with the reason; everything else must be known. */
const OUTSIDE: Array<[test: (code: number) => boolean, why: string]> = [
  [(c) => c === 0, 'success, not an error'],
  [(c) => c >= 9001001 && c <= 9001036, '摇一摇周边 (ShakeAround devices), not one of the groups'],
  [(c) => [61003, 61007, 61023].includes(c), 'third-party platform (component) authorization; wxmp calls as the account itself'],
];
const outside = (code: number) => OUTSIDE.some(([test]) => test(code));

/** What a peer's label is about, and the words wxmp's name or hint must then contain. */
const TOPICS: Array<[peer: RegExp, ours: RegExp]> = [
  [/BUTTON|按钮/, /button/],
  [/MENU|菜单/, /menu|button|matchrule/],
  [/OPENID|OpenID/i, /openid/],
  [/MEDIA|媒体/, /media|file/],
  [/TEMPLATE|模板/, /template/],
  [/KF_ACCOUNT|客服帐号|客服账号/, /kf_account|agent|customer-service/],
  [/GROUP|分组/, /tag|group/],
  [/REFRESH_TOKEN|refresh_token/, /refresh_token/],
  [/ACCESS_TOKEN|access_token/, /access_token/],
  [/OAUTH|oauth/i, /code/],
  [/PUBLISH/, /publish/],
  [/CLIENTMSGID/, /clientmsgid/],
  [/SIGNATURE/, /signature/],
  [/INDUSTRY|行业/, /industry/],
  [/COUNTRY|PROVINCE|CITY|国家|省份|城市/, /country|province|city/],
];

const peers = [
  ['WxJava WxMpErrorMsgEnum', WXJAVA_MP_ERRCODES],
  ['wechatpy WeChatErrorCode', WECHATPY_ERRCODES],
] as const;

describe('the errcode table against the peers', () => {
  for (const [peer, list] of peers) {
    it(`knows every code in ${peer} for the groups wxmp covers, with a hint`, () => {
      expect(list.length).toBeGreaterThan(150);
      const missing = list.filter(([code]) => !outside(code) && !ERRCODES.get(code)?.hint).map(([code, label]) => `${code} ${label}`);
      expect(missing).toEqual([]);
    });

    it(`agrees with ${peer} on what each shared code is about`, () => {
      const disagree: string[] = [];
      for (const [code, label] of list) {
        const ours = ERRCODES.get(code);
        if (!ours) continue;
        for (const [topic, words] of TOPICS) {
          if (topic.test(label) && !words.test(`${ours.name} ${ours.hint}`)) disagree.push(`${code}: ${peer} says "${label}", wxmp says "${ours.name}"`);
        }
      }
      expect(disagree).toEqual([]);
    });
  }

  it('the topic check is not vacuous: a code renumbered by mistake is caught', () => {
    const [topic, words] = TOPICS[0]!;
    expect(topic.test('INVALID_BUTTON_SIZE') && !words.test('invalid openid the openid is not a follower')).toBe(true);
  });
});
