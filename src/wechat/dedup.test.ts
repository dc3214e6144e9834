import { describe, expect, it, vi } from 'vitest';
import { MemoryDedupStore, dedupKey, messageDedupKey } from './dedup.js';
import { parseMessage } from './parse-message.js';
import { parseXml } from './xml.js';

describe('dedupKey', () => {
  it('uses MsgId with the sender, and sender + time + event for events', () => {
    expect(dedupKey({ msgId: '1', fromUserName: 'u', createTime: 5 })).toBe('msg:u:1');
    expect(dedupKey({ fromUserName: 'u', createTime: 5, event: 'CLICK', eventKey: 'K' })).toBe('evt:u:5:CLICK:K');
    expect(dedupKey({ fromUserName: 'u', createTime: 5, event: 'CLICK', eventKey: 'K' })).not.toBe(dedupKey({ fromUserName: 'v', createTime: 5, event: 'CLICK', eventKey: 'K' }));
  });
});

describe('MemoryDedupStore', () => {
  it('gives the claim to the first caller only, then the stored answer, until it expires', async () => {
    let now = 1000;
    const store = new MemoryDedupStore({ now: () => now });
    expect(await store.claim('k', 100)).toBeNull();
    expect(await store.claim('k', 100)).toEqual({ state: 'pending' });
    await store.complete('k', 'answer', 100);
    expect(await store.claim('k', 100)).toEqual({ state: 'done', reply: 'answer' });
    now += 101;
    expect(await store.get('k')).toBeNull();
    expect(await store.claim('k', 100)).toBeNull();
  });

  it('keeps an answer for the TTL from when it was given, even when the claim had expired', async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    await store.claim('slow', 100);
    now = 90;
    await store.complete('slow', 'late answer', 100);
    now = 150;
    expect(await store.get('slow')).toEqual({ state: 'done', reply: 'late answer' });
    now = 191;
    expect(await store.get('slow')).toBeNull();
    await store.claim('gone', 10);
    now = 300;
    await store.complete('gone', 'after expiry', 10);
    expect(await store.claim('gone', 10)).toEqual({ state: 'done', reply: 'after expiry' });
  });

  it('sweeps expired entries as new ones arrive', async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    for (let i = 0; i < 100; i++) await store.claim(`k${i}`, 10);
    now = 50;
    await store.claim('fresh', 10);
    expect(store.size).toBe(1);
  });

  it('sweeps an answered entry at the end of its own TTL, not its claim\'s', async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    await store.claim('k', 100);
    now = 90;
    await store.complete('k', 'answer', 100); // now expires at 190
    now = 150;
    await store.claim('other', 100);
    expect(await store.get('k')).toEqual({ state: 'done', reply: 'answer' });
    now = 195;
    await store.claim('third', 100);
    expect(store.size).toBe(2); // other and third
  });

  it('keeps sweeping in order across thousands of entries (its queue is compacted as it goes)', async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    for (let i = 0; i < 5000; i++) {
      now = i;
      await store.claim(`k${i}`, 1000);
      // Entries claimed at i - 1000 and before have expired: 1000 live at most.
      expect(store.size).toBe(Math.min(i + 1, 1000));
    }
    expect(await store.get('k3999')).toBeNull();
    expect(await store.get('k4000')).toEqual({ state: 'pending' });
  });

  it('does not walk its map to sweep: a Map keeps deleted slots at its front until it is rehashed', async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    for (let i = 0; i < 2000; i++) await store.claim(`k${i}`, 100);
    now = 1000;
    const iterate = vi.spyOn(Map.prototype, Symbol.iterator);
    const entries = vi.spyOn(Map.prototype, 'entries');
    try {
      await store.claim('fresh', 100);
      await store.claim('fresh2', 100);
      expect(iterate).not.toHaveBeenCalled();
      expect(entries).not.toHaveBeenCalled();
    } finally {
      iterate.mockRestore();
      entries.mockRestore();
    }
    expect(store.size).toBe(2);
  });
});

describe('MemoryDedupStore.remember (the replay record)', () => {
  it('returns what was recorded first, until its own TTL ends', () => {
    let now = 10_000;
    const store = new MemoryDedupStore({ now: () => now });
    expect(store.rememberSync('q', 'a', 5000)).toBeNull();
    expect(store.rememberSync('q', 'b', 5000)).toBe('a');
    now += 5000;
    expect(store.rememberSync('q', 'c', 5000)).toBeNull();
    expect(store.rememberSync('q', 'd', 5000)).toBe('c');
  });

  it('drops expired records by the second, keeping live ones and a key recorded again', async () => {
    let now = 1_000_000;
    const store = new MemoryDedupStore({ now: () => now });
    for (let i = 0; i < 5000; i++) store.rememberSync(`short${i}`, 'x', 2000 + (i % 7) * 100);
    for (let i = 0; i < 10; i++) store.rememberSync(`long${i}`, 'x', 300_000);
    now += 3000;
    store.rememberSync('short1', 'again', 60_000); // expired: recorded anew in a later second
    expect(store.rememberedSize).toBe(11);
    expect(await store.remember('long3', 'y', 1000)).toBe('x');
    now += 60_000;
    store.rememberSync('tick', 'x', 1000);
    expect(store.rememberedSize).toBe(11); // the ten long ones and tick
    expect(store.rememberSync('short1', 'z', 1000)).toBeNull();
  });
});

describe('MemoryDedupStore under concurrency', () => {
  it('gives one claim to concurrent callers', async () => {
    const store = new MemoryDedupStore();
    const results = await Promise.all([1, 2, 3, 4].map(() => store.claim('same', 1000)));
    expect(results.filter((r) => r === null)).toHaveLength(1);
  });
});

describe('dedupKey for events', () => {
  const card = (code: string, layout = '') => parseXml(`<xml>${layout}<ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>user_get_card</Event><CardId>c</CardId><UserCardCode>${code}</UserCardCode></xml>`);

  it('tells apart two events of one user in one second by their own ids (CardId, UserCardCode, ...)', () => {
    const a = messageDedupKey(parseMessage(card('111')));
    const b = messageDedupKey(parseMessage(card('222')));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^evt:u:5:user_get_card:/);
  });

  it('gives a retry (the same fields, in any layout) the same key', () => {
    expect(messageDedupKey(parseMessage(card('111', '\n  ')))).toBe(messageDedupKey(parseMessage(card('111'))));
  });

  it('keeps MsgId keys for messages, so a retry matches whatever else it carries', () => {
    const text = parseMessage(parseXml('<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>5</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>9</MsgId></xml>'));
    expect(messageDedupKey(text)).toBe('msg:u:9');
  });
});
