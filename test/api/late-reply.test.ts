import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatClient, type WechatClient } from '../../src/api/client.js';
import { createLateReplySender } from '../../src/api/late-reply.js';
import type { Reply } from '../../src/wechat/replies.js';
import { parseMessage } from '../../src/wechat/parse-message.js';
import { parseXml } from '../../src/wechat/xml.js';
import { envelope } from '../fixtures/messages.js';
import { MemoryTokenStore } from '../../src/api/token-store.js';
import { startMock, type RunningMock } from './support/mock-server.js';

let running: RunningMock;
let client: WechatClient;

function recorder() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(['info', m]),
      warn: (m: string) => lines.push(['warn', m]),
      error: (m: string) => lines.push(['error', m]),
    },
  };
}

const textFrom = (from: string) =>
  parseMessage(parseXml(envelope('<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[slow]]></Content><MsgId>1</MsgId>', from)));
const late = (reply: Reply, fromUserName = 'oUserLate000000000000000001') => ({ message: textFrom(fromUserName), reply, elapsedMs: 6000 });

beforeAll(async () => {
  running = await startMock();
  client = createWechatClient({ appId: running.mock.appId, appSecret: running.mock.appSecret, apiBase: running.url, tokenStore: new MemoryTokenStore() });
});
afterAll(async () => {
  await running.close();
});
beforeEach(() => running.mock.clearRequests());

describe('late replies', () => {
  it('delivers each reply type as a customer-service message', async () => {
    const { logger, lines } = recorder();
    const send = createLateReplySender({ client, logger });
    await send(late({ type: 'text', content: '久等了' }));
    await send(late({ type: 'image', mediaId: 'M1' }));
    await send(late({ type: 'voice', mediaId: 'M2' }));
    await send(late({ type: 'video', mediaId: 'M3', title: 'v' }));
    await send(late({ type: 'music', thumbMediaId: 'T1', musicUrl: 'https://m.cn/a.mp3' }));
    await send(late({ type: 'news', articles: [{ title: 'A', url: 'https://a.cn' }, { title: 'B' }] }));
    const bodies = running.mock.customerMessages();
    expect(bodies.map((b) => b.msgtype)).toEqual(['text', 'image', 'voice', 'video', 'music', 'news']);
    expect(bodies[0]).toEqual({ touser: 'oUserLate000000000000000001', msgtype: 'text', text: { content: '久等了' } });
    expect((bodies[5]!.news as { articles: unknown[] }).articles).toHaveLength(1);
    expect(lines.filter(([level]) => level === 'info')).toHaveLength(6);
  });

  it('skips transfer_customer_service with a warning', async () => {
    const { logger, lines } = recorder();
    await createLateReplySender({ client, logger })(late({ type: 'transfer_customer_service' }));
    expect(running.mock.requestsTo('/cgi-bin/message/custom/send')).toHaveLength(0);
    expect(lines).toEqual([['warn', expect.stringContaining('no customer-service equivalent')]]);
  });

  it('logs a failure with its reason instead of throwing', async () => {
    const { logger, lines } = recorder();
    await expect(createLateReplySender({ client, logger })(late({ type: 'text', content: 'x' }, 'bad id!'))).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe('error');
    expect(lines[0]![1]).toMatch(/errcode 40003/);
  });
});
