import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { echoBot, http, makeProject, memoryLogger, repoRoot } from './support/project.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';

const project = makeProject(echoBot('v1:'));
const logger = memoryLogger();
let dev: DevHandle;

const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;

async function say(content: string): Promise<{ status: number; body: string }> {
  const { url, body } = wechatPost(text(content), 'plaintext');
  return http(`${dev.localUrl}${url}`, { method: 'POST', body });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dev = await startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL: 'none' }, logger });
});
afterAll(async () => {
  await dev?.close();
  project.remove();
});

describe('hot reload', () => {
  it('serves the bot from a worker and logs one line per request', async () => {
    const res = await say('hello');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<![CDATA[v1:hello]]>');
    expect(logger.lines.some((l) => / POST \/ 200 \d+ms \[plaintext\] oUser1: text "hello" → text "v1:hello"/.test(l))).toBe(true);
    // Other requests get their line too; the dev pages' own traffic does not.
    await http(`${dev.localUrl}/nope`);
    await http(`${dev.localUrl}/healthz`);
    await http(`${dev.localUrl}/__wxmp/api/exchanges`);
    expect(logger.lines.filter((l) => /^\d\d:\d\d:\d\d GET \/(nope 404|healthz 200) \d+ms$/.test(l))).toHaveLength(2);
    expect(logger.lines.some((l) => / GET \/__wxmp/.test(l))).toBe(false);
  });

  it('keeps every request answered across 10 reloads under continuous requests', async () => {
    let failures = 0;
    let served = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const res = await say('x').catch(() => ({ status: 0, body: '' }));
        if (res.status === 200 && /v\d+:x/.test(res.body)) served++;
        else failures++;
      }
    })();
    for (let i = 2; i <= 11; i++) {
      project.writeApp(echoBot(`v${i}:`));
      await until(async () => (await say('probe')).body.includes(`v${i}:probe`), 5000);
    }
    stop = true;
    await load;
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(10);
  }, 60_000);

  it('keeps the last good version on a syntax error (with file and line), and the next good save recovers', async () => {
    project.writeApp(`${echoBot('good:')}`);
    await until(async () => (await say('a')).body.includes('good:a'), 5000);
    project.writeApp(`${echoBot('bad:')}\nconst broken = ;\n`);
    await until(async () => logger.lines.some((l) => l.includes('still serving the last good version') && /src\/app\.ts:4:\d+/.test(l)), 5000);
    expect((await say('b')).body).toContain('good:b');

    // A crash while loading (a top-level throw) is reported with its place in src/, too.
    project.writeApp(`${echoBot('bad:')}\nthrow new Error('boom at load');\n`);
    await until(async () => logger.lines.some((l) => l.includes('boom at load') && /src\/app\.ts:4:/.test(l)), 5000);
    expect((await say('c')).body).toContain('good:c');

    project.writeApp(echoBot('fixed:'));
    await until(async () => (await say('d')).body.includes('fixed:d'), 5000);
  }, 30_000);

  it('disposes of the old version\'s timers: intervals do not stack across reloads', async () => {
    const ticks = join(project.dir, 'ticks.txt');
    const ticking = (tag: string) => `${echoBot(tag)}\nimport { appendFileSync } from 'node:fs';\nsetInterval(() => appendFileSync(${JSON.stringify(ticks)}, '${tag}\\n'), 10);\n`;
    project.writeApp(ticking('t1:'));
    await until(async () => (await say('a')).body.includes('t1:a'), 5000);
    project.writeApp(ticking('t2:'));
    await until(async () => (await say('a')).body.includes('t2:a'), 5000);
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(ticks, '');
    await new Promise((r) => setTimeout(r, 300));
    const seen = new Set(readFileSync(ticks, 'utf8').split('\n').filter(Boolean));
    expect([...seen]).toEqual(['t2:']);
  }, 20_000);

  it('restarts the same version when the bot crashes in a timer, and keeps answering', async () => {
    project.writeApp(`import { createRouter } from ${JSON.stringify(join(repoRoot, 'src/index.ts'))};
export default createRouter()
  .text('crash', () => { setTimeout(() => { throw new Error('boom in a timer'); }, 0); return 'crashing'; })
  .text('exit', () => { process.exit(3); })
  .on('text', (m) => 'alive:' + m.content);
`);
    await until(async () => (await say('a')).body.includes('alive:a'), 5000);
    expect((await say('crash')).body).toContain('crashing');
    await until(async () => logger.lines.some((l) => l.includes('the bot crashed') && l.includes('boom in a timer')), 5000);
    await until(async () => (await say('b')).body.includes('alive:b'), 5000);

    // process.exit() in a handler: that request gets "success" (logged), the next is answered again.
    expect((await say('exit')).body).toBe('success');
    await until(async () => logger.lines.some((l) => l.includes('exited with code 3')), 5000);
    await until(async () => (await say('c')).body.includes('alive:c'), 5000);
  }, 20_000);
});
