/**
 * Sessions in `npm run dev`: kept in files under .wxmp/sessions, so a
 * conversation survives a hot reload (a new worker) and a restart of the dev server.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { http, makeProject, memoryLogger, repoRoot } from './support/project.js';

const index = join(repoRoot, 'src', 'index.ts');
const counterBot = (label: string) => `import { createRouter } from ${JSON.stringify(index)};
export default createRouter<{ count?: number }>()
  .use((ctx, next) => { ctx.logger.info('seen ' + ctx.openid); return next(); })
  .on('text', (m, { session }) => ${JSON.stringify(label)} + ':' + (session.count = (session.count ?? 0) + 1));
`;

const project = makeProject(counterBot('v1'));
let dev: DevHandle | undefined;
afterAll(async () => {
  await dev?.close();
  project.remove();
});

let msgId = 1;
async function say(content: string): Promise<string> {
  const xml = `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId++}</MsgId></xml>`;
  const { url, body } = wechatPost(xml, 'plaintext');
  const res = await http(`${dev!.localUrl}${url}`, { method: 'POST', body });
  return /<Content><!\[CDATA\[(.*)\]\]><\/Content>/.exec(res.body)?.[1] ?? res.body;
}

const start = () => startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL: 'none' }, logger: memoryLogger() });

describe('sessions in the dev loop (file store)', () => {
  it('survive a hot reload and a restart of the dev server', async () => {
    dev = await start();
    expect(await say('a')).toBe('v1:1');
    expect(await say('b')).toBe('v1:2');

    project.writeApp(counterBot('v2'));
    await expect.poll(() => say('probe'), { timeout: 10_000 }).toMatch(/^v2:\d+$/);
    const afterReload = Number((await say('c')).split(':')[1]);
    expect(afterReload).toBeGreaterThanOrEqual(4);

    await dev.close();
    dev = await start();
    expect(await say('d')).toBe(`v2:${afterReload + 1}`);
    expect(readdirSync(join(project.dir, '.wxmp', 'sessions')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(existsSync(join(project.dir, '.wxmp', 'sessions'))).toBe(true);
  }, 60_000);
});
