/** Runs token-child.ts in a real child process and resolves to what it printed. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./token-child.ts', import.meta.url));

export function runTokenChild(env: Record<string, string>): Promise<{ token: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, timeout: 50_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`token child failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`token child printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
