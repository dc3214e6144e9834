import { describe, expect, it } from 'vitest';
import { reply, renderReply, type Reply } from './replies.js';
import { parseXml } from './xml.js';

const incoming = { fromUserName: 'oUser', toUserName: 'gh_account' };
const render = (r: Reply) => parseXml(renderReply(r, incoming, 1700000000.9));

describe('renderReply', () => {
  it('swaps To and From and writes CreateTime in whole seconds', () => {
    expect(render(reply.text('hi'))).toEqual({ ToUserName: 'oUser', FromUserName: 'gh_account', CreateTime: '1700000000', MsgType: 'text', Content: 'hi' });
  });

  it.each<[string, Reply, object]>([
    ['image', reply.image('m1'), { MsgType: 'image', Image: { MediaId: 'm1' } }],
    ['voice', reply.voice('m2'), { MsgType: 'voice', Voice: { MediaId: 'm2' } }],
    ['video', reply.video('m3', { title: 't', description: 'd' }), { MsgType: 'video', Video: { MediaId: 'm3', Title: 't', Description: 'd' } }],
    ['music', reply.music({ thumbMediaId: 'th', title: 'song', musicUrl: 'http://m/1.mp3', hqMusicUrl: 'http://m/1hq.mp3' }), { MsgType: 'music', Music: { ThumbMediaId: 'th', Title: 'song', MusicUrl: 'http://m/1.mp3', HQMusicUrl: 'http://m/1hq.mp3' } }],
    ['transfer', reply.transferToCustomerService(), { MsgType: 'transfer_customer_service' }],
    ['transfer to an agent', reply.transferToCustomerService('kf@acct'), { MsgType: 'transfer_customer_service', TransInfo: { KfAccount: 'kf@acct' } }],
  ])('renders %s', (_, r, expected) => {
    expect(render(r)).toMatchObject(expected);
  });

  it('renders news with ArticleCount and one item per article', () => {
    const x = render(reply.news([{ title: 'a', url: 'http://a' }, { title: 'b', description: 'd', picUrl: 'http://p' }]));
    expect(x).toMatchObject({ MsgType: 'news', ArticleCount: '2' });
    expect(x.Articles).toEqual({ item: [{ Title: 'a', Description: '', PicUrl: '', Url: 'http://a' }, { Title: 'b', Description: 'd', PicUrl: 'http://p', Url: '' }] });
  });

  it('escapes CDATA so content containing "]]>" cannot break the XML', () => {
    expect(render(reply.text('x]]><MsgType>image</MsgType>')).Content).toBe('x]]><MsgType>image</MsgType>');
  });

  it.each<[string, Reply, RegExp]>([
    ['empty text', reply.text(''), /non-empty content/],
    ['no articles', reply.news([]), /1 to 8 articles, got 0/],
    ['nine articles', reply.news(Array.from({ length: 9 }, (_, i) => ({ title: `t${i}` }))), /1 to 8 articles, got 9/],
    ['article without title', reply.news([{ title: '' }]), /article 1: expected a title/],
    ['image without media', reply.image(''), /mediaId/],
    ['unknown type', { type: 'sticker' } as unknown as Reply, /expected type text, image/],
  ])('refuses %s with a clear error', (_, r, message) => {
    expect(() => renderReply(r, incoming, 1)).toThrow(message);
  });
});
