/**
 * Sessions in `npm run dev`: kept in files under .wxmp/sessions, so a
 * conversation survives a hot reload (a new worker) and a restart of the dev
 * server (the real command, in its own process, stopped with Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { http, makeProject, repoRoot } from './support/project.js';

const index = join(repoRoot, 'src', 'index.ts');
const counterBot = (label: string) => `import { createRouter } from ${JSON.stringify(index)};
export default createRouter<{ count?: number }>()
  .use((ctx, next) => { ctx.logger.info('seen ' + ctx.openid); return next(); })
  .on('text', (m, { session }) => ${JSON.stringify(label)} + ':' + (session.count = (session.count ?? 0) + 1));
`;

const project = makeProject(counterBot('v1'));
const stateFile = join(project.dir, '.wxmp', 'dev-state.json');
let child: ChildProcess | undefined;
let localUrl = '';

async function startDevProcess(): Promise<void> {
  rmSync(stateFile, { force: true });
  child = spawn(process.execPath, [join(repoRoot, 'bin', 'wxmp.js'), 'dev'], { cwd: project.dir, env: { ...process.env, WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL: 'none' }, stdio: 'ignore' });
  await expect.poll(() => existsSync(stateFile), { timeout: 30_000 }).toBe(true);
  localUrl = (JSON.parse(readFileSync(stateFile, 'utf8')) as { localUrl: string }).localUrl;
}

async function stopDevProcess(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null) return;
  await new Promise((resolve) => {
    running.once('exit', resolve);
    running.kill('SIGINT');
  });
}

afterAll(async () => {
  await stopDevProcess();
  project.remove();
});

let msgId = 1;
async function say(content: string): Promise<string> {
  const xml = `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId++}</MsgId></xml>`;
  const { url, body } = wechatPost(xml, 'plaintext');
  const res = await http(`${localUrl}${url}`, { method: 'POST', body, timeoutMs: 10_000 });
  return /<Content><!\[CDATA\[(.*)\]\]><\/Content>/.exec(res.body)?.[1] ?? res.body;
}

describe('sessions in the dev loop (file store)', () => {
  it('survive a hot reload and a restart of `wxmp dev`', async () => {
    await startDevProcess();
    await expect.poll(() => say('a'), { timeout: 20_000 }).toBe('v1:1');
    expect(await say('b')).toBe('v1:2');

    project.writeApp(counterBot('v2'));
    await expect.poll(() => say('probe'), { timeout: 20_000 }).toMatch(/^v2:\d+$/);
    const afterReload = Number((await say('c')).split(':')[1]);
    expect(afterReload).toBeGreaterThanOrEqual(4);

    await stopDevProcess();
    await startDevProcess();
    await expect.poll(() => say('d'), { timeout: 20_000 }).toBe(`v2:${afterReload + 1}`);
    expect(readdirSync(join(project.dir, '.wxmp', 'sessions')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  }, 120_000);
});
