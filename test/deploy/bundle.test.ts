/**
 * The release bundle on its own, as the Dockerfile runs it: `node server.mjs`
 * from a folder with no node_modules anywhere above it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployCommand } from '../../src/deploy/command.js';
import { TOKEN } from '../helpers/wechat-request.js';
import { replyText, sendText } from './support/load.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wxmp-bundle-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('wxmp deploy build', { timeout: 30_000 }, () => {
  it('builds a release that runs with Node alone and answers like `npm start`', async () => {
    let said = '';
    const out = join(tmp, 'release');
    expect(await deployCommand(['build', '--out', out], { cwd: root, out: { write: (t) => { said += t; } } })).toBe(0);
    expect(said).toMatch(/^built release \d{8}-\d{6}-\d{3} in .*release \(\d+ KB, bot src\/app\.ts\)\n$/);
    expect(readdirSync(out).sort()).toEqual(['package.json', 'server.mjs', 'supervisor.mjs']);
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { version: string; commit: string | null; type: string };
    expect(pkg).toMatchObject({ version: '0.1.0', type: 'module' });
    expect(pkg.commit).toMatch(/^[0-9a-f]{7,}$/);

    const child = spawn(process.execPath, ['server.mjs'], { cwd: out, env: { PATH: process.env.PATH ?? '', WECHAT_TOKEN: TOKEN, PORT: '0', HOST: '127.0.0.1', WXMP_LOG_DIR: join(tmp, 'logs') }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => { output += d; });
    child.stderr!.on('data', (d) => { output += d; });
    let port = 0;
    for (let i = 0; i < 600 && !port; i++) {
      port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0);
      if (!port) await new Promise((r) => setTimeout(r, 50));
    }
    expect(port, output).toBeGreaterThan(0);
    const res = await sendText(port, 'bundled');
    expect(res.status).toBe(200);
    expect(replyText(res.body)).toBe('你说：bundled');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
