// The example bot in src/app.ts: the behaviours the docs and the emulator rely on.
import { describe, expect, it } from 'vitest';
import bot from '../src/app.js';
import { parseMessage } from '../src/wechat/parse-message.js';
import { parseXml } from '../src/wechat/xml.js';
import { bodies } from './fixtures/messages.js';

const dispatch = (xml: string) => bot.dispatch(parseMessage(parseXml(xml)));

describe('the example bot (src/app.ts)', () => {
  it('answers text with a text containing what was received', async () => {
    const r = await dispatch(bodies.text.replace('this is a test', '你好 wxmp'));
    expect(r).toMatchObject({ type: 'text' });
    expect(r && r.type === 'text' && r.content).toContain('你好 wxmp');
  });

  it('welcomes a new follower with a non-empty text', async () => {
    const r = await dispatch(bodies.subscribe);
    expect(r?.type === 'text' && r.content.length).toBeGreaterThan(0);
  });

  it('answers the TODAY menu click, "news" with a news card, and images', async () => {
    expect(await dispatch(bodies.click)).toMatchObject({ type: 'text', content: expect.stringMatching(/^Today is \d{4}-\d{2}-\d{2}$/) });
    expect(await dispatch(bodies.text.replace('this is a test', 'news'))).toMatchObject({ type: 'news', articles: [{ title: 'wxmp' }] });
    expect(await dispatch(bodies.image)).toMatchObject({ type: 'text', content: expect.stringContaining('http://p.example/1.jpg') });
  });
});
