import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { failure, mockClient } from './support/mock-client.js';

const ids = Array.from({ length: 5 }, (_, i) => `oUser000000000000000000000${i}`);
const users = Object.fromEntries(ids.map((id) => [id, {}]));

const collect = async (it: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('users', () => {
  it('iterates every follower across pages of next_openid', async () => {
    const { client, mock } = mockClient({ users, pageSize: 2 });
    expect(await collect(client.user.followers())).toEqual(ids);
    expect(mock.requestsTo('/cgi-bin/user/get').map((r) => r.query.next_openid ?? '')).toEqual(['', ids[1], ids[3], ids[4]]);
    expect(await client.user.list()).toMatchObject({ total: 5, count: 2, next_openid: ids[1] });
  });

  it('sets a remark, and batches profiles by 100', async () => {
    const { client } = mockClient({ users });
    await client.user.updateRemark(ids[0]!, '老客户');
    expect((await client.user.info(ids[0]!)).remark).toBe('老客户');
    await expect(client.user.updateRemark(ids[0]!, 'x'.repeat(31))).rejects.toBeInstanceOf(ConfigError);
    expect((await client.user.batch(ids)).map((u) => u.openid)).toEqual(ids);
    expect((await client.user.changeOpenid('wxold', [ids[0]!]))[0]).toMatchObject({ ori_openid: ids[0], new_openid: `${ids[0]}_new` });
  });

  it('tags: create → list → tag users → users of a tag → a user\'s tags → untag → update → delete', async () => {
    const { client } = mockClient({ users, pageSize: 2 });
    const tag = await client.user.tags.create('广东');
    expect((await failure(client.user.tags.create('广东')))?.errcode).toBe(45157);
    await expect(client.user.tags.create('长'.repeat(31))).rejects.toThrow('tag name: expected at most 30 characters, got 31');
    await client.user.tags.tagUsers(tag.id, ids.slice(0, 3));
    expect(await client.user.tags.list()).toContainEqual({ id: tag.id, name: '广东', count: 3 });
    expect(await collect(client.user.tags.allUsers(tag.id))).toEqual(ids.slice(0, 3));
    expect(await client.user.tags.ofUser(ids[0]!)).toEqual([tag.id]);
    expect((await client.user.info(ids[0]!)).tagid_list).toEqual([tag.id]);
    await client.user.tags.untagUsers(tag.id, [ids[0]!]);
    expect(await client.user.tags.ofUser(ids[0]!)).toEqual([]);
    await client.user.tags.update(tag.id, '广州');
    expect((await client.user.tags.list()).find((t) => t.id === tag.id)?.name).toBe('广州');
    expect((await failure(client.user.tags.delete(2)))?.errcode).toBe(45058);
    await client.user.tags.delete(tag.id);
    expect((await client.user.tags.list()).map((t) => t.id)).toEqual([2]);
    expect((await failure(client.user.tags.tagUsers(tag.id, [ids[1]!])))?.errcode).toBe(45159);
    await expect(client.user.tags.tagUsers(2, Array.from({ length: 51 }, () => ids[0]!))).rejects.toThrow('openid_list: expected 1 to 50 openids, got 51');
  });

  it('blacklist: block → list (paged) → unblock', async () => {
    const { client } = mockClient({ users, pageSize: 2 });
    await client.user.blacklist.block(ids.slice(0, 3));
    expect(await collect(client.user.blacklist.all())).toEqual(ids.slice(0, 3));
    expect(await client.user.blacklist.list()).toMatchObject({ total: 3, count: 2 });
    await client.user.blacklist.unblock([ids[1]!]);
    expect(await collect(client.user.blacklist.all())).toEqual([ids[0], ids[2]]);
    await expect(client.user.blacklist.block(Array.from({ length: 21 }, () => ids[0]!))).rejects.toBeInstanceOf(ConfigError);
  });
});
