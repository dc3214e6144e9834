import { describe, expect, it } from 'vitest';
import { createInspectorApp } from '../../src/dev/inspector/app.js';
import { ExchangeStore } from '../../src/dev/inspector/store.js';
import { parseXml } from '../../src/wechat/xml.js';
import { TOKEN } from '../helpers/wechat-request.js';

const xml = '<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[old]]></Content><MsgId>1</MsgId></xml>';

/** The inspector on its own (app.request: no port), with a replay that records what it would send. */
function inspector() {
  const store = new ExchangeStore();
  store.add({ id: 'e1', time: Date.now(), method: 'POST', path: '/', query: {}, status: 200, durationMs: 1, kind: 'message', mode: 'plaintext', xml, rawBody: xml });
  const sent: string[] = [];
  const app = createInspectorApp({ store, credentials: { token: TOKEN }, replay: async (ex) => { sent.push(ex.rawBody ?? ''); return new Response('success'); } });
  const replay = (content: string) => app.request('/api/exchanges/e1/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) });
  return { sent, replay };
}

describe('inspector edited replay', () => {
  it('sends the typed content literally, "$$", "$&" and "$\'" included', async () => {
    const { sent, replay } = inspector();
    for (const content of ['it costs US$$5', 'say $& twice', "quote: $'", 'before $` after']) {
      const res = await replay(content);
      expect(res.status).toBe(200);
      const replayed = parseXml(sent.at(-1)!);
      expect(replayed.Content).toBe(content);
      expect(replayed.MsgId).toBe('1');
    }
  });
});
