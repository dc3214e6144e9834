import { describe, expect, it } from 'vitest';
import { WechatApiError, hintFor, ipFrom40164, redact } from '../../src/api/errors.js';
import { jssdkSignature } from '../../src/api/calls/jssdk.js';

describe('JS-SDK signature', () => {
  it("matches WeChat's published example", () => {
    const signature = jssdkSignature({
      ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value',
    });
    expect(signature).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('ignores the #fragment of the page URL', () => {
    const base = { ticket: 't', nonceStr: 'n', timestamp: 1 };
    expect(jssdkSignature({ ...base, url: 'https://a.cn/p?x=1#top' })).toBe(jssdkSignature({ ...base, url: 'https://a.cn/p?x=1' }));
  });
});

describe('errcode hints', () => {
  it('explains the common codes', () => {
    expect(hintFor(40001)).toMatch(/not the latest/);
    expect(hintFor(40125)).toMatch(/WECHAT_APP_SECRET/);
    expect(hintFor(45009)).toMatch(/quota/);
    expect(hintFor(45015)).toMatch(/48 hours/);
    expect(hintFor(99999)).toBeUndefined();
  });

  it('reads the IP out of a 40164 errmsg and says where to allow it', () => {
    const errmsg = 'invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: 6500a2b1-1234abcd-5678ef00';
    expect(ipFrom40164(errmsg)).toBe('1.2.3.4');
    const e = new WechatApiError(40164, errmsg, '/cgi-bin/stable_token');
    expect(e.ip).toBe('1.2.3.4');
    expect(e.code).toBe('API_40164');
    expect(e.message).toContain('add 1.2.3.4 to the IP allowlist in 公众号后台 → 设置与开发 → 基本配置 → IP白名单');
  });

  it('puts errcode, errmsg and hint in the message', () => {
    const e = new WechatApiError(45009, 'reach max api daily quota limit rid: x', '/cgi-bin/message/custom/send');
    expect(e.errcode).toBe(45009);
    expect(e.errmsg).toBe('reach max api daily quota limit rid: x');
    expect(e.hint).toBe(hintFor(45009));
    expect(e.message).toBe(`/cgi-bin/message/custom/send: errcode 45009 (reach max api daily quota limit rid: x): ${hintFor(45009)}`);
  });

  it('redacts tokens and secrets', () => {
    expect(redact('GET /cgi-bin/menu/get?access_token=abc.DEF-1&x=1')).toBe('GET /cgi-bin/menu/get?access_token=***&x=1');
    expect(redact('{"appid":"wx1","secret":"s3cr3t"}')).toBe('{"appid":"wx1","secret":"***"}');
  });
});
