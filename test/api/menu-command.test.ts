import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuCommand } from '../../src/api/menu-command.js';
import { MenuValidationError } from '../../src/api/menu-validate.js';
import { startMock, type RunningMock } from './support/mock-server.js';

const bin = fileURLToPath(new URL('../../bin/wxmp.js', import.meta.url));
let running: RunningMock;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  running = await startMock();
  dir = await mkdtemp(join(tmpdir(), 'wxmp-menu-'));
  env = { WECHAT_API_BASE: running.url, WECHAT_APP_ID: running.mock.appId, WECHAT_APP_SECRET: running.mock.appSecret };
});
afterAll(async () => {
  await running.close();
  await rm(dir, { recursive: true, force: true });
});

function wxmp(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env, REDIS_URL: '' }, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('wxmp menu', () => {
  it('an unknown flag is one line naming it and pointing at --help, exit 1 (real CLI process)', async () => {
    const run = await wxmp(['menu', '--zz']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("wxmp menu: Unknown option '--zz'; see `wxmp menu --help`\n");
    expect((await wxmp(['menu', '--help'])).stdout).toContain('Usage: wxmp menu push <file.json>');
  }, 120_000);

  it('push publishes a menu file and show prints it (real CLI process)', async () => {
    const menu = { button: [{ type: 'click', name: '帮助', key: 'HELP' }, { type: 'view', name: '官网', url: 'https://example.com/' }] };
    await writeFile(join(dir, 'menu.json'), JSON.stringify(menu));
    const push = await wxmp(['menu', 'push', 'menu.json']);
    expect(push).toMatchObject({ code: 0, stdout: 'published the menu: 帮助 | 官网\n' });
    expect(running.mock.menu).toEqual(menu);
    const show = await wxmp(['menu', 'show']);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual(menu);
    // What `show` prints can be pushed back as is.
    await writeFile(join(dir, 'shown.json'), show.stdout);
    expect((await wxmp(['menu', 'push', 'shown.json'])).code).toBe(0);
  }, 120_000);

  it('an invalid file fails with one clear message and calls nothing', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ button: [{ type: 'view', name: 'x' }] }));
    running.mock.clearRequests();
    const result = await wxmp(['menu', 'push', 'bad.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('button[0].url: required for type "view", got undefined');
    expect(running.mock.requests).toHaveLength(0);
  }, 120_000);

  it('names what is missing or malformed', async () => {
    await expect(menuCommand({ action: 'publish', env })).rejects.toThrow('expected "push <file>" or "show" after "menu", got "publish"');
    await expect(menuCommand({ action: 'push', env })).rejects.toThrow(/expected a JSON file/);
    await writeFile(join(dir, 'broken.json'), '{"button": [');
    await expect(menuCommand({ action: 'push', file: join(dir, 'broken.json'), env })).rejects.toThrow(/is not valid JSON/);
    await writeFile(join(dir, 'empty.json'), '{"button": []}');
    await expect(menuCommand({ action: 'push', file: join(dir, 'empty.json'), env })).rejects.toBeInstanceOf(MenuValidationError);
    await expect(menuCommand({ action: 'show', env: { WECHAT_API_BASE: running.url }, cwd: dir })).rejects.toThrow(/WECHAT_APP_ID: expected your AppID/);
  });
});
