import { describe, expect, it } from 'vitest';
import { apiServerOptions } from '../../src/api/server-options.js';
import { MemoryDedupStore } from '../../src/wechat/dedup.js';

describe('apiServerOptions', () => {
  it('without an AppSecret: local de-dup and no late-reply hook, and says how to enable it', async () => {
    const api = apiServerOptions({ apiBase: 'https://api.weixin.qq.com', appId: 'wx1' });
    expect(api.dedupStore).toBeInstanceOf(MemoryDedupStore);
    expect(api.onLateReply).toBeUndefined();
    expect(api.client).toBeUndefined();
    expect(api.summary).toBe('de-dup and sessions in this process (set REDIS_URL for several instances); late replies on WeChat\'s retries or "继续" (WECHAT_LATE_REPLY=retry; set WECHAT_APP_SECRET for customer-service messages)');
    await api.close();
  });

  it('with AppID and AppSecret: a client and the customer-service late-reply hook', async () => {
    const api = apiServerOptions({ apiBase: 'http://127.0.0.1:9', appId: 'wx1', appSecret: 's' });
    expect(typeof api.onLateReply).toBe('function');
    expect(api.client?.appId).toBe('wx1');
    expect(api.summary).toMatch(/late replies sent as customer-service messages$/);
    await api.close();
  });
});
