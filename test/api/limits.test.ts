import { describe, expect, it } from 'vitest';
import { allCalls } from '../../src/api/calls/index.js';
import { MenuValidationError } from '../../src/api/menu-validate.js';
import { ConfigError } from '../../src/errors.js';
import { mockClient } from './support/mock-client.js';

const U = 'oUser0000000000000000000001';
const users = (n: number) => Array.from({ length: n }, (_, i) => `oUser${String(i).padStart(22, '0')}`);
const file = (filename: string, bytes: number) => ({ data: new Uint8Array(bytes), filename });
const text = { msgtype: 'text', text: { content: 'hi' } } as const;
const click = (i: number) => ({ type: 'click', name: `b${i}`, key: `K${i}` });
const article = (o: Record<string, unknown> = {}) => ({ title: '标题', content: '<p>正文</p>', thumb_media_id: 'THUMB', ...o });

/** [group, call, arguments, the message], one or more per documented limit. */
const LIMITS: Array<[group: string, call: string, args: unknown[], message: string | RegExp]> = [
  ['ops', 'ops.callbackCheck', ['trace'], 'action: expected one of "dns", "ping", "all", got "trace"'],
  ['ops', 'ops.rid', [''], 'rid: expected a non-empty string, got ""'],
  ['oauth', 'oauth.authorizeUrl', [{ redirect_uri: 'https://a.cn/cb', state: 'x'.repeat(129) }], /^state: expected up to 128 letters or digits, got/],
  ['oauth', 'oauth.authorizeUrl', [{ redirect_uri: '/cb' }], 'redirect_uri: expected an http(s) URL on the domain set in 网页授权域名, got "/cb"'],
  ['jssdk', 'jssdk.config', ['page.html'], 'jssdk url: expected the page\'s full http(s) URL, got "page.html"'],
  ['menu', 'menu.create', [{ button: [1, 2, 3, 4].map(click) }], 'button: expected 1 to 3 buttons, got 4'],
  ['menu', 'menu.create', [{ button: [{ name: '更多', sub_button: [1, 2, 3, 4, 5, 6].map(click) }] }], 'button[0].sub_button: expected 1 to 5 sub-buttons, got 6'],
  ['menu', 'menu.create', [{ button: [{ type: 'click', name: '一二三四五六', key: 'K' }] }], 'expected at most 16 bytes of UTF-8 (a Chinese character takes 3), got 18'],
  ['menu', 'menu.create', [{ button: [{ type: 'click', name: 'a', key: 'k'.repeat(129) }] }], 'button[0].key: expected at most 128 bytes, got 129'],
  ['menu', 'menu.addConditional', [{ button: [click(1)], matchrule: {} }], 'matchrule: expected at least one of tag_id, sex, country, province, city, client_platform_type, language'],
  ['customerService', 'customerService.send', [U, { msgtype: 'news', news: { articles: [{ title: 'a' }, { title: 'b' }] } }], "customer-service news.articles: expected 1 article (WeChat's limit), got 2"],
  ['customerService', 'customerService.kf.add', [{ kf_account: 'abcdefghijk@wx', nickname: 'n' }], /^kf_account: expected prefix@wechat-id \(prefix: up to 10 letters, digits or _\)/],
  ['customerService', 'customerService.kf.add', [{ kf_account: 'kf01@wx', nickname: '一'.repeat(17) }], 'nickname: expected at most 16 characters, got 17'],
  ['customerService', 'customerService.records', [{ starttime: 0, endtime: 86_401 }], 'records: expected starttime and endtime within 24 hours, got 86401 s'],
  ['customerService', 'customerService.records', [{ starttime: 0, endtime: 60, number: 10_001 }], 'number: expected an integer from 1 to 10000, got 10001'],
  ['template', 'template.send', [{ touser: U, template_id: 'T', data: { thing1: '一'.repeat(21) } }], 'template data.thing1: expected at most 20 characters for a thing field, got 21'],
  ['template', 'template.sendOnce', [{ touser: U, template_id: 'T', scene: 1, title: '一'.repeat(16), data: { content: { value: 'x' } } }], 'title: expected at most 15 characters, got 16'],
  ['template', 'template.sendOnce', [{ touser: U, template_id: 'T', scene: 1, title: 't', data: { content: { value: 'x'.repeat(201) } } }], 'data.content.value: expected at most 200 characters, got 201'],
  ['subscribe', 'subscribe.send', [{ touser: U, template_id: 'T', data: { number2: '12a' } }], 'data.number2: expected digits (a decimal point allowed) for a number field, got "12a"'],
  ['subscribe', 'subscribe.send', [{ touser: U, template_id: 'T', data: { phrase3: '配送中了吗啊' } }], 'data.phrase3: expected at most 5 characters for a phrase field, got 6'],
  ['subscribe', 'subscribe.send', [{ touser: U, template_id: 'T', data: { name4: '张'.repeat(11) } }], 'data.name4: expected at most 10 characters for a name field, got 11'],
  ['subscribe', 'subscribe.send', [{ touser: U, template_id: 'T', data: { character_string5: '订单A1' } }], 'data.character_string5: expected digits, letters or symbols for a character_string field, got "订单A1"'],
  ['subscribe', 'subscribe.add', [1001, [1]], 'kidList: expected 2 to 5 items, got 1'],
  ['subscribe', 'subscribe.add', [1001, [1, 2], '一'.repeat(16)], 'sceneDesc: expected at most 15 characters, got 16'],
  ['subscribe', 'subscribe.libraryTitles', [[1], 0, 31], 'limit: expected an integer from 1 to 30, got 31'],
  ['user', 'user.updateRemark', [U, '一'.repeat(31)], 'remark: expected at most 30 characters, got 31'],
  ['user', 'user.batchGet', [users(101)], 'openids: expected 1 to 100 openids, got 101'],
  ['user', 'user.tags.create', ['一'.repeat(31)], 'tag name: expected at most 30 characters, got 31'],
  ['user', 'user.tags.tagUsers', [100, users(51)], 'openid_list: expected 1 to 50 openids, got 51'],
  ['user', 'user.blacklist.block', [users(21)], 'openid_list: expected 1 to 20 openids, got 21'],
  ['media', 'media.upload', ['thumb', file('t.jpg', (64 << 10) + 1)], `media thumb: expected at most ${64 << 10} bytes, got ${(64 << 10) + 1}`],
  ['media', 'media.uploadImage', [file('a.jpg', (1 << 20) + 1)], "uploadImage: expected at most 1 MB (WeChat's limit for images in articles)"],
  ['media', 'media.uploadNews', [Array.from({ length: 9 }, () => article())], 'articles: expected 1 to 8, got 9'],
  ['material', 'material.add', ['video', file('v.mp4', 10)], 'material video: expected description { title, introduction } (WeChat requires both for a permanent video)'],
  ['material', 'material.list', ['image', 0, 21], 'count: expected an integer from 1 to 20, got 21'],
  ['draft', 'draft.add', [Array.from({ length: 9 }, () => article())], 'articles: expected 1 to 8 items, got 9'],
  ['draft', 'draft.add', [[article({ title: '一'.repeat(65) })]], 'articles[0].title: expected at most 64 characters, got 65'],
  ['draft', 'draft.update', ['M', 8, article()], 'index: expected an integer from 0 to 7, got 8'],
  ['publish', 'publish.delete', ['A', 9], 'index: expected an integer from 0 to 8, got 9'],
  ['mass', 'mass.sendToUsers', [[U], text], "mass send touser: expected at least 2 openids (WeChat's minimum); for one user use customer-service messages or preview"],
  ['mass', 'mass.sendToUsers', [users(10_001), text], 'touser: expected 1 to 10000 openids, got 10001'],
  ['mass', 'mass.sendToTag', ['all', text, 'x'.repeat(65)], 'clientmsgid: expected at most 64 characters, got 65'],
  ['mass', 'mass.setSpeed', [5], 'speed: expected an integer from 0 to 4, got 5'],
  ['qrcode', 'qrcode.create', [{ scene: 1, expire_seconds: 59 }], 'qrcode expire_seconds: expected an integer from 60 to 2592000 (30 days), got 59'],
  ['qrcode', 'qrcode.create', [{ scene: 100_001, permanent: true }], 'qrcode scene: expected an integer from 1 to 100000 (permanent), got 100001'],
  ['qrcode', 'qrcode.create', [{ scene: 'x'.repeat(65), permanent: true }], /^qrcode scene: expected a number or a string of 1 to 64 characters/],
  ['shortKey', 'shortKey.gen', ['x'.repeat(4097)], 'long_data: expected 1 to 4096 bytes of text, got 4097'],
  ['comment', 'comment.list', [{ msg_data_id: 1, count: 51 }], 'count: expected an integer from 1 to 50, got 51'],
  ['datacube', 'datacube.users.summary', ['2024-06-01', '2024-06-08'], 'datacube range: this report allows at most 7 days per call, got 8 (2024-06-01 to 2024-06-08); split the range'],
  ['datacube', 'datacube.articles.read', ['2024-06-01', '2024-06-04'], 'datacube range: this report allows at most 3 days per call, got 4 (2024-06-01 to 2024-06-04); split the range'],
  ['datacube', 'datacube.messages.dist', ['2024-06-01', '2024-06-16'], /at most 15 days per call, got 16/],
  ['datacube', 'datacube.interface.summary', ['2024-06-10', '2024-06-01'], 'datacube range: expected begin_date 2024-06-10 on or before end_date 2024-06-01'],
  ['datacube', 'datacube.publisher.cps', ['2024-01-01', '2024-04-01'], /at most 90 days per call, got 92/],
  ['ocr', 'ocr.bankCard', [file('c.jpg', (2 << 20) + 1)], `image: expected at most 2 MB, got ${(2 << 20) + 1} bytes`],
  ['voice', 'voice.translate', ['x'.repeat(601)], 'translate content: expected 1 to 600 bytes of text'],
  ['qrcodeJump', 'qrcodeJump.list', [undefined, 1, 201], 'page_size: expected an integer from 1 to 200, got 201'],
];

const method = (client: unknown, name: string) => name.split('.').reduce((o, k) => (o as Record<string, unknown>)[k], client) as (...a: unknown[]) => unknown;

describe("WeChat's documented limits, checked before the call", () => {
  for (const [group, call, args, message] of LIMITS) {
    it(`${call}: ${typeof message === 'string' ? message : message.source}`, async () => {
      const { client, mock } = mockClient();
      const attempt = (async () => method(client, call)(...args))();
      const error = await attempt.then(() => null, (e: unknown) => e);
      // A menu lists every problem at once (MenuValidationError); other calls stop at the first (ConfigError).
      expect(error, `${group}: ${call} should refuse`).toBeInstanceOf(group === 'menu' && call === 'menu.create' ? MenuValidationError : ConfigError);
      if (typeof message === 'string' && group !== 'menu') expect((error as Error).message).toBe(message);
      else expect((error as Error).message).toContain(typeof message === 'string' ? message : '');
      if (typeof message !== 'string') expect((error as Error).message).toMatch(message);
      // Refused before anything was sent: no quota spent, no errcode from WeChat.
      expect(mock.requests.filter((r) => r.path !== '/cgi-bin/stable_token')).toEqual([]);
    });
  }

  it('cover every group that has a documented limit', () => {
    const groups = new Set(allCalls().map(([name]) => name.split('.')[0]));
    const tested = new Set(LIMITS.map(([g]) => g));
    // image shares OCR's picture check (tested there); miniProgram takes only an appid, which WeChat alone can judge.
    const none = ['image', 'miniProgram'];
    expect([...groups].filter((g) => g && !tested.has(g) && !none.includes(g))).toEqual([]);
  });
});
