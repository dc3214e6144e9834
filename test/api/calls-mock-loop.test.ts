import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { get } from '../../src/api/calls/define.js';
import { allCalls } from '../../src/api/calls/index.js';
import { ERRCODES } from '../../src/api/errcodes.js';
import { WechatApiError } from '../../src/api/errors.js';
import { derivedRoutes } from '../../src/emulator/mock-api/derived-routes.js';
import type { MockEnv } from '../../src/emulator/mock-api/http.js';
import { CALL_SAMPLES } from './support/call-samples.js';
import { mockClient } from './support/mock-client.js';

/** camelCase keys that are WeChat's own (its doc pages print them so). */
const WECHAT_CAMEL = new Set(['priTmplId', 'categoryId', 'kidList', 'sceneDesc']);

function camelKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(/[a-z][A-Z]/.test(k) && !WECHAT_CAMEL.has(k) ? [`${path}.${k}`] : []), ...camelKeys(v, `${path}.${k}`)]);
}

const method = (client: unknown, name: string) => name.split('.').reduce((o, k) => (o as Record<string, unknown>)[k], client) as (...a: unknown[]) => Promise<unknown>;

describe('every declared call, through the client, against the mock', () => {
  it('is answered: a result, or one of WeChat\'s errcodes with a hint, never a 404 or a refused sample', async () => {
    const { client, mock } = mockClient();
    const problems: string[] = [];
    let answered = 0;
    for (const [name, entry] of allCalls()) {
      const before = mock.requests.length;
      try {
        const result = await method(client, name)(...(CALL_SAMPLES[name] ?? []));
        answered++;
        const camel = camelKeys(result);
        if (camel.length) problems.push(`${name}: answers camelCase fields ${camel.join(', ')} (WeChat's names expected)`);
      } catch (error) {
        if (!(error instanceof WechatApiError)) problems.push(`${name}: ${(error as Error).message} (fix its sample in test/api/support/call-samples.ts)`);
        else if (/has no (GET|POST) route/.test(error.message)) problems.push(`${name}: 404 for ${entry.method} ${entry.path}`);
        else if (!ERRCODES.get(error.errcode)?.hint) problems.push(`${name}: errcode ${error.errcode} has no name and hint`);
      }
      const sent = mock.requests.slice(before).filter((r) => r.path === entry.path);
      if (sent.length === 0) problems.push(`${name}: nothing reached ${entry.path}`);
    }
    expect(problems).toEqual([]);
    // Most samples are valid requests, so most calls succeed; the rest meet WeChat's errcodes for unknown ids.
    expect(answered).toBeGreaterThan(allCalls().length * 0.6);
  }, 30_000);

  it('answers a stateless call from its entry\'s example, so such a call needs no mock code', async () => {
    const app = new Hono<MockEnv>();
    app.get('/cgi-bin/handwritten', (c) => c.json({ errcode: 0, from: 'route' }));
    const calls = [
      ['x.fresh', get('/cgi-bin/fresh_call', ['A fresh call', '新接口'], { example: { answer: 42 } })],
      ['x.handwritten', get('/cgi-bin/handwritten', ['Has a route', '有路由'], { example: { from: 'example' } })],
      ['x.noExample', get('/cgi-bin/no_example', ['No example', '无示例'])],
    ] as const;
    expect(derivedRoutes(app, calls)).toEqual(['x.fresh']);
    expect(await (await app.request('/cgi-bin/fresh_call')).json()).toEqual({ errcode: 0, errmsg: 'ok', answer: 42 });
    expect(await (await app.request('/cgi-bin/handwritten')).json()).toEqual({ errcode: 0, from: 'route' });
    expect((await app.request('/cgi-bin/no_example')).status).toBe(404);
  });

  it('a derived OCR route still wants a picture (101000 without one), like WeChat', async () => {
    const { client } = mockClient();
    expect(await client.ocr.bankCard('https://example.com/card.jpg')).toEqual({ errcode: 0, errmsg: 'ok', number: '6222000000000000000' });
    const res = await (await client.request({ method: 'POST', path: '/cv/ocr/bankcard', idempotent: true }).catch((e: WechatApiError) => e));
    expect((res as WechatApiError).errcode).toBe(101000);
  });

  it('the stateless calls the mock answers from examples', () => {
    const derived = allCalls().filter(([, e]) => e.example).map(([n]) => n);
    expect(derived).toEqual(expect.arrayContaining(['ops.callbackIps', 'ops.apiDomainIps', 'ops.autoReplyRules', 'draft.switch', 'ocr.idCard', 'image.aiCrop', 'qrcodeJump.download']));
    expect(derived.length).toBe(15);
  });
});
