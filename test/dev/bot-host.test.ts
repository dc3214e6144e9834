/**
 * The bot host on its own (no HTTP server): what a reload does to the worker
 * threads around it, when it races close() and when the old version is slow.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BotHost, type BotHostOptions } from '../../src/dev/bot-host.js';
import { BotWorker } from '../../src/dev/bot-worker.js';
import { parseMessage } from '../../src/wechat/parse-message.js';
import { parseXml } from '../../src/wechat/xml.js';
import { echoBot, makeProject, memoryLogger, repoRoot, type Project } from './support/project.js';

const index = join(repoRoot, 'src', 'index.ts');
/** Answers "slow" after `ms`, anything else at once. */
const slowBot = (prefix: string, ms: number) =>
  `import { createRouter } from ${JSON.stringify(index)};\nexport default createRouter().on('text', async (m) => { if (m.content === 'slow') await new Promise((r) => setTimeout(r, ${ms})); return ${JSON.stringify(prefix)} + m.content; });\n`;
const message = (content: string) =>
  parseMessage(parseXml(`<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>1</MsgId></xml>`));

let project: Project | undefined;
let host: BotHost | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await host?.close();
  project?.remove();
  host = project = undefined;
});

async function start(source: string, options: Partial<BotHostOptions> = {}): Promise<BotHost> {
  project = makeProject(source);
  host = await BotHost.create({ cwd: project.dir, entry: join(project.dir, 'src/app.ts'), env: {}, logger: memoryLogger(), ...options });
  expect((await host.reload()).ok).toBe(true);
  return host;
}

describe('bot host', () => {
  it('close() while a reload\'s new version is loading ends that version too and starts no spare', { timeout: 30_000 }, async () => {
    const bots = await start(echoBot('v1:'));
    const load = BotWorker.prototype.load;
    let next: { exited: Promise<unknown> } | undefined;
    let closing: Promise<void> | undefined;
    vi.spyOn(BotWorker.prototype, 'load').mockImplementation(function (this: BotWorker, file: string, timeoutMs: number) {
      next = { exited: new Promise((resolve) => this.worker.once('exit', resolve)) };
      const loading = load.call(this, file, timeoutMs);
      closing = bots.close();
      return loading;
    });
    project!.writeApp(echoBot('v2:'));
    expect(await bots.reload()).toEqual({ ok: false, error: 'closed' });
    await closing;
    expect(bots.ready).toBe(false);
    const spare = (bots as unknown as { spare?: BotWorker }).spare;
    expect(spare).toBeUndefined();
    await expect(Promise.race([next!.exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 5000, 'still running'))])).resolves.toBe('exited');
  });

  it('a request still running on the old version after a reload is answered, past the old 10 s cut-off', { timeout: 40_000 }, async () => {
    const bots = await start(slowBot('v1:', 11_000));
    const slow = bots.dispatch(message('slow'));
    project!.writeApp(slowBot('v2:', 11_000));
    expect((await bots.reload()).ok).toBe(true);
    expect(await bots.dispatch(message('quick'))).toMatchObject({ content: 'v2:quick' });
    await expect(slow).resolves.toMatchObject({ content: 'v1:slow' });
  });

  it('a request that outlives the grace period fails saying hot reload ended it, not blaming the bot', { timeout: 30_000 }, async () => {
    const bots = await start(slowBot('v1:', 5000), { retireGraceMs: 300 });
    const slow = bots.dispatch(message('slow'));
    project!.writeApp(slowBot('v2:', 5000));
    expect((await bots.reload()).ok).toBe(true);
    const error = await slow.then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toBe("the bot's worker thread was ended by hot reload after 0.3 s: a newer version took over and this request was still running");
  });
});
