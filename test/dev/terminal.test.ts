import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { startDev, type DevHandle } from '../../src/dev/command.js';
import { readDevState } from '../../src/dev/state.js';
import { verifyCallback } from '../../src/dev/verify.js';
import { parseAction, sendCommand } from '../../src/emulator/send-command.js';
import { resolveUrl } from '../../src/emulator/target.js';
import { closest } from '../../src/suggest.js';
import { APP_ID, AES_KEY, TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { pagesBot } from './support/pages.js';
import { http, makeProject, memoryLogger } from './support/project.js';

const env = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, PORT: '0', HOST: '127.0.0.1', TUNNEL: 'none', WECHAT_REPLY_DEADLINE_MS: '1000' };
const creds = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY };
const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oTerminal]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Math.floor(Math.random() * 1e15)}</MsgId></xml>`;
const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const project = makeProject(pagesBot());
const logger = memoryLogger();
let dev: DevHandle;
beforeAll(async () => { dev = await startDev({ cwd: project.dir, env, logger }); }, 30_000);
afterAll(async () => {
  await dev?.close();
  project.remove();
});

type Summary = { id: string; content: string; reply: string; late?: boolean; lateReplyId?: string; lateReply?: { of?: string; delivery: string; delayMs: number } };

async function post(content: string) {
  const { url, body } = wechatPost(text(content), 'safe');
  return http(`${dev.localUrl}${url}`, { method: 'POST', body });
}

describe('the terminal line judges every exchange as WeChat would', () => {
  it('says WeChat rejects a 2-article news reply to a message, with the phone\'s text and the reason', async () => {
    expect((await post('news2')).status).toBe(200);
    await until(() => logger.lines.some((l) => l.includes('"news2"')), 'the news2 line');
    const line = logger.lines.find((l) => l.includes('"news2"'))!;
    expect(line).toContain('✗ WeChat rejects it (该公众号暂时无法提供服务，请稍后再试)');
    expect(line).toContain('1 article only');
  });

  it('applies the passive-reply length rule: 4,500 bytes of text are rejected', async () => {
    await post('long');
    await until(() => logger.lines.some((l) => l.includes('"long"')), 'the long line');
    expect(logger.lines.find((l) => l.includes('"long"'))).toMatch(/WeChat rejects it .*4500 bytes of UTF-8; WeChat does not deliver passive text replies over 2048 bytes/);
  });

  it('leaves a valid reply unmarked', async () => {
    await post('fine');
    await until(() => logger.lines.some((l) => l.includes('"fine"')), 'the fine line');
    expect(logger.lines.find((l) => l.includes('"fine"'))).not.toContain('rejects');
  });

  it('records a late reply as its own entry, linked to the message, with its delay and delivery', async () => {
    await post('slow');
    // The inspector's own API, as the page reads it.
    let list: Summary[] = [];
    for (const end = Date.now() + 10_000; !list.some((s) => s.lateReply); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error('no late reply entry');
      list = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Summary[];
    }
    const late = list.find((s) => s.lateReply)!;
    const message = list.find((s) => s.content === 'slow' && !s.lateReply)!;
    expect(late.lateReply).toMatchObject({ of: message.id, delivery: 'sent' });
    expect(late.lateReply!.delayMs).toBeGreaterThan(1000);
    expect(late.reply).toBe('late hello');
    expect(message.late).toBe(true);
    expect(message.lateReplyId).toBe(late.id);
  });
});

describe('the inspector\'s replay with edits', () => {
  it('replays a text message with new content, signed and encrypted again', async () => {
    await post('to edit');
    const list = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Summary[];
    const original = list.find((s) => s.content === 'to edit')!;
    const res = await http(`${dev.localUrl}/__wxmp/api/exchanges/${original.id}/replay`, { method: 'POST', body: JSON.stringify({ content: 'edited ]]> text' }), headers: { 'content-type': 'application/json' } });
    const answer = JSON.parse(res.body) as { status: number; id: string; edited: boolean };
    expect(answer).toMatchObject({ status: 200, edited: true });
    const replayed = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges/${answer.id}`)).body) as { replayOf: string; mode: string; message: { content: string }; query: Record<string, string>; rawBody: string };
    expect(replayed).toMatchObject({ replayOf: original.id, mode: 'safe', message: { content: 'edited ]]> text' } });
    expect(replayed.query.msg_signature).toMatch(/^[0-9a-f]{40}$/);
    expect(replayed.rawBody).not.toContain('edited');
    const bad = await http(`${dev.localUrl}/__wxmp/api/exchanges/${original.id}/replay`, { method: 'POST', body: JSON.stringify({ xml: '<xml><broken' }), headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('does not parse');
  });
});

describe('requests that never reach a handler', () => {
  it('logs an incomplete body as BODY_INCOMPLETE, never as a handler error', async () => {
    const before = logger.lines.length;
    const socket = connect(dev.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /?signature=x&timestamp=1&nonce=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<xml><ToUser');
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    await until(() => logger.lines.slice(before).some((l) => l.includes('BODY_INCOMPLETE')), 'the incomplete-body line');
    const lines = logger.lines.slice(before).join('\n');
    expect(lines).toContain('did not fully arrive');
    expect(lines).not.toContain('HANDLER_ERROR');
  });

  it('logs the 502s of a bot that is not loaded, and `wxmp verify` fails against it', async () => {
    const broken = makeProject('export default 42;\n');
    const log = memoryLogger();
    const other = await startDev({ cwd: broken.dir, env, logger: log });
    try {
      const { url, body } = wechatPost(text('anyone?'), 'plaintext');
      expect((await http(`${other.localUrl}${url}`, { method: 'POST', body })).status).toBe(502);
      expect(log.lines.some((l) => / POST \/ 502 .*BOT_NOT_LOADED/.test(l))).toBe(true);
      const verdict = await verifyCallback({ url: `${other.localUrl}/`, token: TOKEN, env: {} });
      expect(verdict.ok).toBe(false);
      expect(verdict.message).toContain('bot is not loaded (502)');
      expect(log.lines.some((l) => / GET \/ 502 /.test(l))).toBe(true);
    } finally {
      await other.close();
      broken.remove();
    }
  }, 30_000);
});

describe('two dev servers in one checkout', () => {
  it('each keeps its own state: both reachable by port, and the first survives the second stopping', async () => {
    const second = await startDev({ cwd: project.dir, env, logger: memoryLogger() });
    try {
      expect(readDevState(project.dir)?.port).toBe(second.port);
      expect(readDevState(project.dir, { port: dev.port })?.localUrl).toBe(dev.localUrl);
      expect(resolveUrl({ cwd: project.dir, env: {}, port: dev.port }).url).toBe(dev.localUrl);
      const out: string[] = [];
      expect(await sendCommand(['text', 'to the first', '--port', String(dev.port)], { cwd: project.dir, env: creds, stdout: (t) => out.push(t) })).toBe(0);
      expect(out.join('')).toContain('echo:to the first');
      expect(await sendCommand(['text', 'to the second', '--url', `${second.localUrl}/`], { cwd: project.dir, env: creds, stdout: (t) => out.push(t) })).toBe(0);
    } finally {
      await second.close();
    }
    expect(readDevState(project.dir)?.port).toBe(dev.port);
    const out: string[] = [];
    expect(await sendCommand(['text', 'still there'], { cwd: project.dir, env: creds, stdout: (t) => out.push(t) })).toBe(0);
    expect(out.join('')).toContain('echo:still there');
  }, 30_000);
});

describe('the CLI', () => {
  it('suggests the command or kind that was meant', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['sned'])).toBe(1);
      expect(err.mock.calls.join('')).toContain('unknown command "sned"; did you mean "send"?');
    } finally {
      err.mockRestore();
    }
    expect(() => parseAction(['txet', 'hi'], {})).toThrow(/did you mean "text"\?/);
    expect(closest('verfy', ['verify', 'send'])).toBe('verify');
    expect(closest('zzzzzz', ['verify', 'send'])).toBeUndefined();
  });

  it('prints its version', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--version'])).toBe(0);
      expect(out.mock.calls.join('')).toMatch(/^wxmp \d+\.\d+\.\d+\n$/);
    } finally {
      out.mockRestore();
    }
  });
});
