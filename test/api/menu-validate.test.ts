import { describe, expect, it } from 'vitest';
import { MenuValidationError, menuProblems, validateMenu } from '../../src/api/menu-validate.js';

const ok = {
  button: [
    { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' },
    {
      name: '菜单',
      sub_button: [
        { type: 'view', name: '搜索', url: 'http://www.soso.com/' },
        { type: 'miniprogram', name: 'wxa', url: 'http://mp.weixin.qq.com', appid: 'wx286b93c14bbf93aa', pagepath: 'pages/lunar/index' },
        { type: 'click', name: '赞一下我们', key: 'V1001_GOOD' },
      ],
    },
  ],
};

describe('menu validator', () => {
  it("accepts WeChat's documented example", () => {
    expect(menuProblems(ok)).toEqual([]);
    expect(validateMenu(ok)).toEqual(ok);
  });

  it('requires 1 to 3 top-level buttons', () => {
    expect(menuProblems({ button: [] })).toEqual(['button: expected 1 to 3 buttons, got 0']);
    const four = { button: Array.from({ length: 4 }, (_, i) => ({ type: 'click', name: `b${i}`, key: `k${i}` })) };
    expect(menuProblems(four)).toEqual(['button: expected 1 to 3 buttons, got 4']);
    expect(menuProblems({})).toEqual(['button: expected an array of 1 to 3 buttons, got undefined']);
    expect(menuProblems([])).toEqual(['menu: expected an object with a "button" array, got an array']);
  });

  it('allows at most 5 sub-buttons', () => {
    const sub = Array.from({ length: 6 }, (_, i) => ({ type: 'click', name: `s${i}`, key: `k${i}` }));
    expect(menuProblems({ button: [{ name: 'm', sub_button: sub }] })).toEqual(['button[0].sub_button: expected 1 to 5 sub-buttons, got 6']);
  });

  it('names the missing field for each type, with its place', () => {
    const problems = menuProblems({
      button: [
        { type: 'click', name: 'a' },
        { name: 'm', sub_button: [{ type: 'view', name: 'v' }, { type: 'miniprogram', name: 'w', url: 'https://x.cn', appid: 'wx1' }] },
        { type: 'media_id', name: 'c' },
      ],
    });
    expect(problems).toEqual([
      'button[0].key: required for type "click", got undefined',
      'button[1].sub_button[0].url: required for type "view", got undefined',
      'button[1].sub_button[1].pagepath: required for type "miniprogram", got undefined',
      'button[2].media_id: required for type "media_id", got undefined',
    ]);
  });

  it('rejects unknown types, long names and nested sub-buttons', () => {
    const problems = menuProblems({
      button: [
        { type: 'clik', name: 'a', key: 'k' },
        { type: 'click', name: '这是一个很长的名字', key: 'k' },
        { name: 'm', sub_button: [{ type: 'click', name: 's', key: 'k', sub_button: [{ type: 'click', name: 't', key: 'k' }] }] },
      ],
    });
    expect(problems[0]).toMatch(/^button\[0\]\.type: expected one of click, view, .* got "clik"$/);
    expect(problems[1]).toBe('button[1].name: expected at most 16 bytes of UTF-8 (a Chinese character takes 3), got 27');
    expect(problems[2]).toBe('button[2].sub_button[0].sub_button: sub-buttons cannot have sub-buttons');
  });

  it('accepts the empty sub_button lists menu/get returns, and drops them', () => {
    const fromGet = { button: [{ type: 'click', name: 'a', key: 'k', sub_button: [] }, { name: 'm', sub_button: [{ type: 'view', name: 'v', url: 'https://a.cn', sub_button: [] }] }] };
    expect(menuProblems(fromGet)).toEqual([]);
    expect(validateMenu(fromGet)).toEqual({ button: [{ type: 'click', name: 'a', key: 'k' }, { name: 'm', sub_button: [{ type: 'view', name: 'v', url: 'https://a.cn' }] }] });
  });

  it('throws one error listing every problem', () => {
    expect(() => validateMenu({ button: [{ type: 'view', name: 'x', url: 'ftp://x' }] })).toThrow(MenuValidationError);
    try {
      validateMenu({ button: [{ type: 'view', name: '', url: 'ftp://x' }] });
    } catch (e) {
      expect((e as MenuValidationError).problems).toHaveLength(2);
      expect((e as MenuValidationError).code).toBe('MENU_INVALID');
      expect((e as Error).message).toContain('button[0].url: expected an http(s) URL, got "ftp://x"');
    }
    expect.assertions(4);
  });
});
