/**
 * wxmp as an installed package: `npm pack` (which builds dist/ through
 * `prepack`), installed into a fresh Hono project, run under plain node.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port.js';
import { wechatPost } from './helpers/wechat-request.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const TOKEN = 'packtoken123';
const text = (content: string) => `<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oPack1]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Date.now()}</MsgId></xml>`;

let dir: string;
let project: string;
// Every process a test starts, ended in afterAll even when its test failed before ending it.
const children: ChildProcess[] = [];

/** The README's "wxmp inside your own Hono app" example, as the README shows it. */
function readmeExample(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = /```js\n(\/\/ server\.js[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md: the ```js block starting with `// server.js` is missing');
  return block[1]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxmp-pack-'));
  await run('npm', ['pack', '--pack-destination', dir], { cwd: repo, timeout: 120_000 });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  project = join(dir, 'my-site');
  await run('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'my-site',
    private: true,
    type: 'module',
    dependencies: { wxmp: `file:${join(dir, tarball)}`, hono: pkg.dependencies.hono, '@hono/node-server': pkg.dependencies['@hono/node-server'] },
  }));
  // From the tarball and the npm cache; the registry only for what the cache lacks.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, timeout: 180_000 });
}, 300_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package installed into a fresh Hono project', () => {
  it('ships compiled JavaScript with type declarations, and no tests', () => {
    const installed = join(project, 'node_modules', 'wxmp');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(readFileSync(join(installed, 'dist', 'index.d.ts'), 'utf8')).toContain('createRouter');
    expect(readdirSync(join(installed, 'src', 'wechat')).filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it("runs the README's example under plain node and answers a signed message; `npx wxmp send` talks to it", async () => {
    writeFileSync(join(project, 'server.js'), readmeExample());
    const port = await freePort();
    // Plain node: no --import tsx, no loader; TypeScript under node_modules would fail here.
    const server = spawn(process.execPath, ['server.js'], { cwd: project, env: { PATH: process.env.PATH, WECHAT_TOKEN: TOKEN, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'pipe' });
    children.push(server);
    let stderr = '';
    server.stderr!.on('data', (d) => (stderr += d));
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '')), { timeout: 15_000 }).toBe('my site');

    const { stdout } = await run('npx', ['wxmp', 'send', 'text', '你好', '--url', `http://127.0.0.1:${port}/wechat`, '--json'], {
      cwd: project,
      env: { PATH: process.env.PATH, WECHAT_TOKEN: TOKEN, HOME: process.env.HOME },
      timeout: 30_000,
    });
    const result = JSON.parse(stdout);
    expect(result.verdict.ok).toBe(true);
    expect(result.tries[0].body).toContain('<![CDATA[You said: 你好]]>');
    expect(stderr).toBe('');
  }, 60_000);

  it('type-checks a TypeScript file importing wxmp through the declarations', async () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] } }));
    writeFileSync(join(project, 'bot.ts'), [
      "import { createRouter, reply, type TextMessage } from 'wxmp';",
      "export default createRouter().on('text', (m: TextMessage) => reply.text(m.content));",
      "// @ts-expect-error: a handler returning a number is not a reply",
      "createRouter().on('text', () => 42);",
    ].join('\n'));
    await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project, timeout: 60_000 });
  }, 90_000);

  it("`wxmp start` runs the project's own bot (src/app.ts importing 'wxmp'), not wxmp's example, under plain node", async () => {
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src', 'app.ts'), "import { createRouter } from 'wxmp';\nexport default createRouter().on('text', (m): string => `my bot: ${m.content}`);\n");
    const port = await freePort();
    const start = spawn(join(project, 'node_modules', '.bin', 'wxmp'), ['start'], { cwd: project, env: { PATH: process.env.PATH, WECHAT_TOKEN: TOKEN, PORT: String(port), HOST: '127.0.0.1', WXMP_WORKERS: '1' }, stdio: 'pipe' });
    children.push(start);
    let output = '';
    start.stdout!.on('data', (d) => (output += d));
    start.stderr!.on('data', (d) => (output += d));
    await expect.poll(() => output, { timeout: 40_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    const { url, body } = wechatPost(text('hi'), 'plaintext', { token: TOKEN });
    const reply = await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', body }).then((r) => r.text());
    expect(reply).toContain('<![CDATA[my bot: hi]]>');
    const exited = new Promise((r) => start.once('exit', r));
    start.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('`wxmp dev` from the installed package serves the same bot, and `wxmp send` finds the running dev server', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, WECHAT_TOKEN: TOKEN, PORT: '0', HOST: '127.0.0.1', TUNNEL: 'none' };
    const dev = spawn(join(project, 'node_modules', '.bin', 'wxmp'), ['dev'], { cwd: project, env, stdio: 'pipe' });
    children.push(dev);
    let output = '';
    dev.stdout!.on('data', (d) => (output += d));
    dev.stderr!.on('data', (d) => (output += d));
    await expect.poll(() => output, { timeout: 40_000 }).toMatch(/wxmp dev: loaded src\/app\.ts \(v1/);
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'wxmp'), ['send', 'text', 'from dev', '--json'], { cwd: project, env, timeout: 30_000 });
    expect(JSON.stringify(JSON.parse(stdout).verdict)).toContain('my bot: from dev');
    const exited = new Promise((r) => dev.once('exit', r));
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);

  it("`wxmp deploy build` and `--dry-run` bundle the bot package.json names (\"wxmp\": { \"bot\" }), not wxmp's example", async () => {
    writeFileSync(join(project, 'bot.js'), "import { createRouter } from 'wxmp';\nexport default createRouter().on('text', () => 'PACKED_BOT_MARKER');\n");
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...manifest, wxmp: { bot: './bot.js' } }));
    const wxmp = join(project, 'node_modules', '.bin', 'wxmp');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const built = await run(wxmp, ['deploy', 'build', '--out', 'release'], { cwd: project, env, timeout: 60_000 });
    expect(built.stdout).toMatch(/^built release \S+ in release \(\d+ KB, bot bot\.js\)\n$/);
    const bundle = readFileSync(join(project, 'release', 'server.mjs'), 'utf8');
    expect(bundle).toContain('PACKED_BOT_MARKER');
    expect(bundle).not.toContain('你说：'); // wxmp's example bot
    // A deploy's plan names the same file (the dry run connects to nothing; the host does not even resolve).
    const plan = await run(wxmp, ['deploy', '--dry-run'], { cwd: project, env: { ...env, DEPLOY_HOST: 'host.invalid', DEPLOY_USER: 'deploy', DEPLOY_PATH: '/srv/wxmp', DEPLOY_DOMAIN: 'bot.example.com' }, timeout: 30_000 });
    expect(plan.stdout).toContain("1. bundle wxmp's server + the bot bot.js with esbuild");
  }, 90_000);

  it('`wxmp start` in a folder with no bot says how to name one, instead of serving an example', async () => {
    const empty = join(project, 'empty');
    mkdirSync(empty, { recursive: true });
    const failed = await run(join(project, 'node_modules', '.bin', 'wxmp'), ['start'], { cwd: empty, env: { PATH: process.env.PATH, WECHAT_TOKEN: TOKEN }, timeout: 30_000 }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^wxmp start: no bot found in .*empty: expected src\/app\.ts \(or src\/app\.js\) .*`wxmp start \.\/bot\.js`, WXMP_BOT=\.\/bot\.js in \.env, or "wxmp": \{ "bot": "\.\/bot\.js" \} in package\.json\n$/);
  }, 40_000);
});
