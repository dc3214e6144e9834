import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoBot, http, makeProject, repoRoot } from './support/project.js';
import { startLtServer, viaTunnel, type LtServer } from './support/lt-server.js';

const project = makeProject(echoBot('cli:'));
const children: ChildProcess[] = [];
let lt: LtServer;

/** `node bin/wxmp.js dev` in the project, with nothing but PATH and `env` in its environment. */
function dev(env: Record<string, string>) {
  let out = '';
  const child = spawn(process.execPath, [join(repoRoot, 'bin/wxmp.js'), 'dev'], { cwd: project.dir, env: { PATH: process.env.PATH ?? '', ...env } });
  children.push(child);
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  // The signal's name when a signal ended it, so a failure says which.
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = out.match(pattern);
      if (m) return m;
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, output: () => out, exited, waitFor };
}

beforeAll(async () => { lt = await startLtServer(); });
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await lt?.stop();
  project.remove();
});

describe('wxmp dev (the process)', () => {
  it('starts with no .env: prints what to paste, serves through the tunnel, and stops on Ctrl-C with server and tunnel closed', async () => {
    const sub = 'wxmp-cli-test';
    const run = dev({ PORT: '0', TUNNEL_HOST: lt.host, TUNNEL_SUBDOMAIN: sub });
    const [, token] = await run.waitFor(/Token: +([A-Za-z0-9]{32})\n/);
    const [, key] = await run.waitFor(/EncodingAESKey: +([A-Za-z0-9]{43})\n/);
    await run.waitFor(/URL: +http:\/\/wxmp-cli-test\.localhost\/\n/);
    expect(run.output()).toContain('new dev credentials, saved in .wxmp/dev.env');
    const saved = readFileSync(join(project.dir, '.wxmp', 'dev.env'), 'utf8');
    expect(saved).toContain(`WECHAT_TOKEN=${token}`);
    expect(saved).toContain(`WECHAT_ENCODING_AES_KEY=${key}`);
    const state = JSON.parse(readFileSync(join(project.dir, '.wxmp', 'dev-state.json'), 'utf8'));
    expect(state).toMatchObject({ publicUrl: `http://${sub}.localhost`, path: '/' });
    expect((await http(`${state.localUrl}/healthz`)).status).toBe(200);
    expect((await viaTunnel(lt, sub, '/healthz')).status).toBe(200);

    const stopping = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // The process caps shutdown at 1 s; the margin is for a busy CI machine.
    expect(Date.now() - stopping).toBeLessThan(2500);
    expect(existsSync(join(project.dir, '.wxmp', 'dev-state.json'))).toBe(false);
    await expect(http(`${state.localUrl}/healthz`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/);
    // The tunnel went with it: after its 1 s grace period the server forgets the name (404).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await viaTunnel(lt, sub, '/healthz', { timeoutMs: 3000 })).status).toBe(404);
  }, 60_000);

  it('reuses the generated credentials on the next run', async () => {
    const saved = readFileSync(join(project.dir, '.wxmp', 'dev.env'), 'utf8');
    const token = saved.match(/WECHAT_TOKEN=(\w+)/)![1];
    const run = dev({ PORT: '0', TUNNEL: 'none' });
    await run.waitFor(new RegExp(`Token: +${token}\\n`));
    expect(run.output()).toContain('dev credentials from .wxmp/dev.env');
    expect(run.output()).toContain('Public:     off (TUNNEL=none)');
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(0);
  }, 60_000);
});
