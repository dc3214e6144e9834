import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseServerConfig } from '../../src/config.js';
import { startDev } from '../../src/dev/command.js';
import { createRedactor, redactLines } from '../../src/server/redact.js';
import { consoleLogger } from '../../src/server/logger.js';
import { createProductionApp, startServer } from '../../src/server/start.js';
import { createRouter } from '../../src/wechat/router.js';
import { APP_ID, AES_KEY, TOKEN, wechatPost } from '../helpers/wechat-request.js';
import { http, makeProject, memoryLogger, repoRoot } from './support/project.js';

const SECRET = 'appsecret0123456789abcdef';
const ACCESS = 'ACCESS_TOKEN_VALUE_123';
const text = `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oSecret]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[leak]]></Content><MsgId>42</MsgId></xml>`;
// A handler error quoting every secret, as a careless error message or a failed API URL would.
const leakyError = `new Error('failed: token=${TOKEN} key=${AES_KEY} secret=${SECRET} url=https://api.weixin.qq.com/cgi-bin/menu/get?access_token=${ACCESS}&x=1')`;
const secrets = [TOKEN, AES_KEY, SECRET, ACCESS];

function logFiles(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

const project = makeProject(`import { createRouter } from ${JSON.stringify(join(repoRoot, 'src/index.ts'))};\nexport default createRouter().on('text', () => { console.log('bot prints ' + process.env.WECHAT_TOKEN); const t = process.env.WECHAT_TOKEN; process.stdout.write('in two writes ' + t.slice(0, 4)); process.stdout.write(t.slice(4) + '\\n'); throw ${leakyError}; });\n`);
const prodLogs = mkdtempSync(join(tmpdir(), 'wxmp-secrets-'));
afterAll(() => {
  project.remove();
  rmSync(prodLogs, { recursive: true, force: true });
});

describe('secrets never reach a log', () => {
  it('redactor: values and access_token in URLs, JSON left valid', () => {
    const redact = createRedactor([TOKEN, AES_KEY, undefined, 'ab']);
    const json = JSON.stringify({ m: `GET /x?access_token=${ACCESS}&a=1 ${TOKEN}`, k: AES_KEY, short: 'ab' });
    const out = redact(json);
    expect(out).not.toContain(ACCESS);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(AES_KEY);
    expect(JSON.parse(out)).toEqual({ m: 'GET /x?access_token=[redacted]&a=1 [redacted]', k: '[redacted]', short: 'ab' });
    // Each kind alone, a secret at either end of a line, and a line with none left as it was.
    expect(redact(`x access_token=${ACCESS}`)).toBe('x access_token=[redacted]');
    expect(redact(`${AES_KEY} and ${TOKEN}`)).toBe('[redacted] and [redacted]');
    expect(redact(`end ${TOKEN}`)).toBe('end [redacted]');
    expect(redact('nothing secret: access_token, ab')).toBe('nothing secret: access_token, ab');
    expect(createRedactor([])(`access_token=${ACCESS}`)).toBe('access_token=[redacted]');
  });

  it('redactLines: a secret written in pieces is caught; a partial line shows after a pause or at the end', async () => {
    const out: string[] = [];
    const lines = redactLines(createRedactor([TOKEN]), (t) => out.push(t), 20);
    lines.write(`a ${TOKEN.slice(0, 3)}`);
    lines.write(Buffer.from(`${TOKEN.slice(3)} b\nprompt> `));
    expect(out).toEqual(['a [redacted] b\n']);
    await vi.waitFor(() => expect(out).toEqual(['a [redacted] b\n', 'prompt> ']), { timeout: 1000 });
    lines.write(`tail ${TOKEN}`);
    lines.end();
    expect(out.at(-1)).toBe('tail [redacted]');
    lines.write('x'.repeat(70 * 1024));
    expect(out.at(-1)).toHaveLength(70 * 1024);
  });

  it('dev server: the terminal lines and the JSON-lines file carry the error but no secret', async () => {
    const logger = memoryLogger();
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { printed.push(String(chunk)); return true; });
    const dev = await startDev({
      cwd: project.dir,
      env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_APP_SECRET: SECRET, WECHAT_API_BASE: 'http://127.0.0.1:9', PORT: '0', TUNNEL: 'none' },
      logger,
    });
    try {
      const { url, body } = wechatPost(text, 'safe');
      expect((await http(`${dev.localUrl}${url}`, { method: 'POST', body })).body).toBe('success');
      await vi.waitFor(() => expect(printed.join('')).toContain('bot prints'), { timeout: 5000 });
      // The inspector's detail view, too (it is no log, but it shows the same error).
      const [summary] = JSON.parse((await http(`${dev.localUrl}/__wxmp/api/exchanges`)).body) as Array<{ id: string }>;
      const detail = (await http(`${dev.localUrl}/__wxmp/api/exchanges/${summary!.id}`)).body;
      expect(JSON.parse(detail).error.message).toContain('access_token=[redacted]');
      for (const secret of secrets) expect(detail).not.toContain(secret);
    } finally {
      await dev.close();
      write.mockRestore();
    }
    expect(printed.join('')).toContain('bot prints [redacted]');
    expect(printed.join('')).toContain('in two writes [redacted]');
    // The banner included: with credentials from .env it names them instead of printing them.
    expect(logger.lines.join('\n')).toContain('(yours: WECHAT_TOKEN in .env)');
    const terminal = [...logger.lines, ...printed].join('\n');
    const file = logFiles(join(project.dir, '.wxmp', 'logs'));
    expect(terminal).toContain('access_token=[redacted]');
    expect(file).toContain('access_token=[redacted]');
    for (const secret of secrets) {
      expect(terminal).not.toContain(secret);
      expect(file).not.toContain(secret);
    }
    for (const line of file.trim().split('\n')) JSON.parse(line);
  });

  it('a deployed release (createProductionApp, quiet): the JSON-lines file and the logger carry the error but no secret', async () => {
    const config = parseServerConfig({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_APP_SECRET: SECRET });
    // eslint-disable-next-line no-new-func
    const router = createRouter().on('text', () => { throw new Function(`return ${leakyError}`)() as Error; });
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-release-logs-'));
    const logged = memoryLogger();
    const stdout = vi.spyOn(consoleLogger, 'info');
    const { app, closeLog } = createProductionApp(config, { router, logDir: dir, logger: logged, quiet: true });
    try {
      const { url, body } = wechatPost(text, 'safe');
      expect(await (await app.request(url, { method: 'POST', body })).text()).toBe('success');
    } finally {
      await closeLog();
      stdout.mockRestore();
    }
    const file = logFiles(dir);
    rmSync(dir, { recursive: true, force: true });
    expect(stdout).not.toHaveBeenCalled();
    const lines = logged.lines.join('\n');
    expect(lines).toContain('access_token=[redacted]');
    expect(file).toContain('access_token=[redacted]');
    for (const secret of secrets) {
      expect(file).not.toContain(secret);
      expect(lines).not.toContain(secret);
    }
  });

  it('production startServer: same for its JSON-lines file', async () => {
    const config = parseServerConfig({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_APP_SECRET: SECRET, PORT: '0' });
    // eslint-disable-next-line no-new-func
    const router = createRouter().on('text', () => { throw new Function(`return ${leakyError}`)() as Error; });
    const running = await startServer(config, { router, logDir: prodLogs, logger: { info() {}, warn() {}, error() {} } });
    try {
      const { url, body } = wechatPost(text, 'safe');
      expect((await http(`${running.url}${url}`, { method: 'POST', body })).body).toBe('success');
    } finally {
      await running.close();
    }
    const file = logFiles(prodLogs);
    expect(file).toContain('access_token=[redacted]');
    for (const secret of secrets) expect(file).not.toContain(secret);
  });
});
