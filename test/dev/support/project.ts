/** A throwaway project folder with its own src/app.ts, for dev-server tests. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
const index = join(repoRoot, 'src', 'index.ts');

/** A bot that answers text with `${prefix}${content}`. */
export function echoBot(prefix: string): string {
  return `import { createRouter } from ${JSON.stringify(index)};\nexport default createRouter().on('text', (m) => ${JSON.stringify(prefix)} + m.content);\n`;
}

export interface Project {
  dir: string;
  writeApp(source: string): void;
  remove(): void;
}

export function makeProject(appSource = echoBot('v1:')): Project {
  const dir = mkdtempSync(join(tmpdir(), 'wxmp-dev-'));
  mkdirSync(join(dir, 'src'));
  // Packages resolve from the bundle's folder upwards, as in a real project.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const project = {
    dir,
    writeApp: (source: string) => writeFileSync(join(dir, 'src', 'app.ts'), source),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  project.writeApp(appSource);
  return project;
}

export interface HttpResult { status: number; body: string; headers: Record<string, string | string[] | undefined> }

/** node:http, because fetch drops a custom Host header (the tunnel routes by it). */
export function http(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 5000, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5000} ms: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Collects log lines instead of printing them. */
export function memoryLogger(): { lines: string[]; info(m: string): void; warn(m: string): void; error(m: string, e?: unknown): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m, e) => lines.push(e instanceof Error ? `${m}\n${e.stack}` : m),
  };
}
