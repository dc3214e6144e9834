import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boundLog } from '../../src/deploy/bound-log.js';

const dir = mkdtempSync(join(tmpdir(), 'wxmp-boundlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('supervisor.log stays bounded (DEPLOY_SERVICE=none)', () => {
  it('past the limit the file moves to .1 and starts over, while a process keeps appending to it', async () => {
    const file = join(dir, 'supervisor.log');
    // A writer holding the file open for appending, as the shell's `>>` does for the supervisor.
    const fd = openSync(file, 'a');
    const writer = spawn(process.execPath, ['-e', "let i = 0; const t = setInterval(() => { process.stdout.write('line ' + (i++) + ' ' + 'x'.repeat(200) + '\\n'); if (i === 400) { clearInterval(t); } }, 1);"], { stdio: ['ignore', fd, 'inherit'] });
    const check = boundLog(file, 20_000, 60_000);
    let rotations = 0;
    while (writer.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
      const before = statSync(file).size;
      check();
      if (statSync(file).size < before) rotations++;
    }
    check();
    expect(rotations).toBeGreaterThan(0);
    expect(statSync(file).size).toBeLessThanOrEqual(20_000);
    // Appends land at the new end, not at the old offset (no hole of zero bytes).
    expect(readFileSync(file, 'utf8')).not.toContain('\0');
    expect(readFileSync(`${file}.1`, 'utf8')).toMatch(/^line \d+ x+\n/);
  }, 30_000);
});
