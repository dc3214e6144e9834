/**
 * The release bundle on its own, as the Dockerfile runs it: `node server.mjs`
 * from a folder with no node_modules anywhere above it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployCommand } from '../../src/deploy/command.js';
import { buildRelease } from '../../src/deploy/release.js';
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

  it('with a stamp, keeps a bundle built from the same bot and unchanged files, and rebuilds after an edit', async () => {
    const project = join(tmp, 'stamped');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"bot","version":"2.0.0"}\n');
    const bot = join(project, 'bot.ts');
    const write = (reply: string) => writeFileSync(bot, `import { createRouter } from ${JSON.stringify(join(root, 'src', 'index.ts'))};\nexport default createRouter().on('text', () => ${JSON.stringify(reply)});\n`);
    const build = (release: string) => buildRelease({ cwd: project, outDir: 'build', bot, release, stamp: join(project, 'build.json') });
    const pkg = () => JSON.parse(readFileSync(join(project, 'build', 'package.json'), 'utf8')) as { release: string; version: string };
    write('one');
    expect((await build('r1')).reused).toBe(false);
    const again = await build('r2');
    expect(again.reused).toBe(true);
    expect(again.bytes).toBeGreaterThan(100_000);
    // Only package.json is rewritten: the new release id, the same server.
    expect(pkg()).toMatchObject({ release: 'r2', version: '2.0.0' });
    expect(readFileSync(join(project, 'build', 'server.mjs'), 'utf8')).toContain('"one"');
    write('two, longer');
    expect((await build('r3')).reused).toBe(false);
    expect(readFileSync(join(project, 'build', 'server.mjs'), 'utf8')).toContain('"two, longer"');
    // Another bot is another bundle, and so is a build without a stamp.
    const other = join(project, 'other.ts');
    writeFileSync(other, readFileSync(bot, 'utf8'));
    expect((await buildRelease({ cwd: project, outDir: 'build', bot: other, release: 'r4', stamp: join(project, 'build.json') })).reused).toBe(false);
    expect((await buildRelease({ cwd: project, outDir: 'build', bot: other, release: 'r5' })).reused).toBe(false);
    expect(readdirSync(join(project, 'build')).sort()).toEqual(['package.json', 'server.mjs', 'supervisor.mjs']);
  });
});
