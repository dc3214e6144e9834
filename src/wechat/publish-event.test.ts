import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse-message.js';
import { parseXml } from './xml.js';

// The sample of 发布能力 → 事件推送发布结果 in WeChat's docs (success, then a failure with fail_idx).
const SUCCESS = `<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
<publish_id>2247503051</publish_id>
<publish_status>0</publish_status>
<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id>
<article_detail>
<count>1</count>
<item>
<idx>1</idx>
<article_url><![CDATA[ARTICLE_URL]]></article_url>
</item>
</article_detail>
</PublishEventInfo>
</xml>`;

const FAILED = `<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
<publish_id>2247503051</publish_id>
<publish_status>2</publish_status>
<fail_idx>1</fail_idx>
<fail_idx>2</fail_idx>
</PublishEventInfo>
</xml>`;

describe('PUBLISHJOBFINISH', () => {
  it('reads a successful publish with its article URLs', () => {
    expect(parseMessage(parseXml(SUCCESS))).toMatchObject({
      type: 'event',
      event: 'PUBLISHJOBFINISH',
      publishId: '2247503051',
      publishStatus: 0,
      articleId: 'b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4',
      articles: [{ idx: 1, url: 'ARTICLE_URL' }],
      failIdx: [],
    });
  });

  it('reads a failed publish with every fail_idx', () => {
    expect(parseMessage(parseXml(FAILED))).toMatchObject({ event: 'PUBLISHJOBFINISH', publishStatus: 2, articleId: undefined, articles: [], failIdx: [1, 2] });
  });
});
