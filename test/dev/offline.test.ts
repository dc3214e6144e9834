import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { http, makeProject, memoryLogger, repoRoot } from './support/project.js';

const src = (file: string) => JSON.stringify(join(repoRoot, 'src', file));
// The bot imports a helper from src/shared, a symlink to a folder outside the project.
const outside = mkdtempSync(join(tmpdir(), 'wxmp-shared-'));
writeFileSync(join(outside, 'greet.ts'), `export const greeting = 'hello-1';\n`);
writeFileSync(join(outside, 'data.txt'), 'data next to the module');
const project = makeProject(`import { createRouter } from ${src('index.ts')};
import { parseApiConfig, clientFromConfig } from ${src('api/stores.ts')};
import { MemoryTokenStore } from ${src('api/token-store.ts')};
import { greeting } from './shared/greet.ts';
import { readFileSync } from 'node:fs';
const data = () => readFileSync(new URL('./shared/data.txt', import.meta.url), 'utf8');
const client = clientFromConfig(parseApiConfig(process.env), { tokenStore: new MemoryTokenStore() });
export default createRouter()
  .text('push', async (m) => { await client.customerService.sendText(m.fromUserName, 'pushed via the API'); return 'sent'; })
  .text('file', () => data() + ' @ ' + import.meta.filename.split('/').slice(-2).join('/'))
  .text('slow', async () => { await new Promise((r) => setTimeout(r, 2000)); return 'late answer'; })
  .on('text', () => greeting);
`);
mkdirSync(join(project.dir, 'src'), { recursive: true });
symlinkSync(outside, join(project.dir, 'src', 'shared'), 'dir');

const logger = memoryLogger();
let dev: DevHandle;
const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oOffline]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;
async function say(content: string): Promise<string> {
  const { url, body } = wechatPost(text(content), 'plaintext');
  return (await http(`${dev.localUrl}${url}`, { method: 'POST', body })).body;
}

beforeAll(async () => {
  dev = await startDev({ cwd: project.dir, env: { WECHAT_TOKEN: TOKEN, PORT: '0', TUNNEL: 'none', WECHAT_REPLY_DEADLINE_MS: '1500' }, logger });
});
afterAll(async () => {
  await dev?.close();
  project.remove();
  rmSync(outside, { recursive: true, force: true });
});

describe('offline WeChat API (mock mounted on the dev server)', () => {
  it('lets the bot call the API with no AppSecret configured', async () => {
    expect(await say('push')).toContain('<![CDATA[sent]]>');
    expect(dev.mockApi!.customerMessages()).toContainEqual(expect.objectContaining({ touser: 'oOffline', msgtype: 'text', text: { content: 'pushed via the API' } }));
  });

  it('delivers a reply that missed the deadline as a customer-service message', async () => {
    expect(await say('slow')).toBe('success');
    const deadline = Date.now() + 5000;
    while (!dev.mockApi!.customerMessages().some((m) => (m.text as { content?: string } | undefined)?.content === 'late answer')) {
      if (Date.now() > deadline) throw new Error(`late reply not delivered; log:\n${logger.lines.slice(-5).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

describe('the bot runs from a bundle, yet sees its own files', () => {
  it('keeps import.meta.url and import.meta.filename pointing into src/', async () => {
    expect(await say('file')).toContain('data next to the module @ src/app.ts');
  });
});

describe('hot reload across a symlinked folder', () => {
  it('picks up an edit made inside the symlinked folder', async () => {
    expect(await say('hi')).toContain('hello-1');
    writeFileSync(join(outside, 'greet.ts'), `export const greeting = 'hello-2';\n`);
    const deadline = Date.now() + 5000;
    while (!(await say('hi')).includes('hello-2')) {
      if (Date.now() > deadline) throw new Error(`edit in the symlinked folder not picked up; log:\n${logger.lines.slice(-5).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
