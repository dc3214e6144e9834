import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTable, withApiTable } from '../../src/api/calls/docs.js';
import { allCalls } from '../../src/api/calls/index.js';
import { ERRCODES } from '../../src/api/errcodes.js';
import { BASE, mockClient } from './support/mock-client.js';

describe('the declared calls', () => {
  it('number at least 150, each with a method, a path and both doc page names', () => {
    const calls = allCalls();
    expect(calls.length).toBeGreaterThanOrEqual(150);
    for (const [name, e] of calls) {
      expect(e.path, name).toMatch(/^\/[a-z]/);
      expect(e.doc[0], name).toMatch(/[A-Za-z]/);
      expect(e.doc[1], name).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('are each answered by the mock with a route of the same method (no 404)', async () => {
    const { client, mock } = mockClient();
    const token = await client.accessToken();
    const missing: string[] = [];
    for (const [name, e] of allCalls()) {
      const res = await mock.app.request(`${BASE}${e.path}?access_token=${token}`, e.method === 'POST' ? { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } } : {});
      if (res.status === 404) missing.push(`${name}: ${e.method} ${e.path}`);
    }
    expect(missing).toEqual([]);
  });

  it('an unknown path is a 404 naming the path', async () => {
    const { mock } = mockClient();
    const res = await mock.app.request(`${BASE}/cgi-bin/not/a/thing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errmsg: string }).errmsg).toContain('no GET route for /cgi-bin/not/a/thing');
  });

  it('docs/api.md carries the table rendered from the entries', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    expect(withApiTable(doc)).toBe(doc);
    expect(apiTable()).toContain('| `client.user.tags.create()` | `POST /cgi-bin/tags/create` | User tag management: create a tag | 用户标签管理 创建标签 |');
  });

  it('the peer table in docs/api.md counts wxmp\'s endpoints per group as the entries have them', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- peer-table:start -->'), doc.indexOf('<!-- peer-table:end -->'));
    const documented = Object.fromEntries([...table.matchAll(/^\| `(\w+)` \| [^|]+ \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
    const counted: Record<string, Set<string>> = {};
    for (const [name, e] of allCalls()) {
      if (e.path === '/cgi-bin/stable_token') continue; // token endpoints are left out for every library
      const group = name.split('.')[0]!;
      // The publisher reports share one path and differ by their action: one endpoint each.
      (counted[group] ??= new Set()).add(e.path === '/publisher/stat' ? name : `${e.method} ${e.path}`);
    }
    expect(documented).toEqual(Object.fromEntries(Object.entries(counted).map(([g, set]) => [g, set.size])));
  });

  it('every errcode the mock answers with has a name and a hint', () => {
    const dir = new URL('../../src/emulator/mock-api/', import.meta.url);
    const used = new Set<number>();
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/wechatError\((-?\d+)/g)) used.add(Number(m[1]));
    }
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter((code) => !ERRCODES.get(code)?.hint)).toEqual([]);
    expect(ERRCODES.size).toBeGreaterThan(150);
  });
});
