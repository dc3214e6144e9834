import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from './deadlines.js';

describe('Deadlines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const make = (ms: number) => new Deadlines(ms, () => Date.now());

  it('fires each deadline once, when its time has come, in the order they started', () => {
    const d = make(100);
    const fired: string[] = [];
    d.start(() => fired.push('a'));
    vi.advanceTimersByTime(40);
    d.start(() => fired.push('b'));
    vi.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(39);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a', 'b']);
  });

  it('never fires a cancelled deadline, wherever it sits in the queue', () => {
    const d = make(100);
    const fired: number[] = [];
    const started = [0, 1, 2, 3, 4].map((i) => d.start(() => fired.push(i)));
    d.cancel(started[2]!);
    d.cancel(started[0]!);
    d.cancel(started[4]!);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([1, 3]);
    d.cancel(started[1]!);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([1, 3]);
  });

  it('keeps working after the queue empties, and for deadlines started while one fires', () => {
    const d = make(50);
    const fired: string[] = [];
    d.cancel(d.start(() => fired.push('never')));
    d.start(() => {
      fired.push('first');
      d.start(() => fired.push('started inside'));
    });
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['first']);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['first', 'started inside']);
    vi.advanceTimersByTime(500);
    d.start(() => fired.push('after idle'));
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['first', 'started inside', 'after idle']);
  });

  it('does not keep an idle process alive', () => {
    vi.useRealTimers();
    const script = "import { Deadlines } from './src/server/deadlines.ts'; new Deadlines(600000).start(() => console.log('fired'));";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
  }, 30_000);
});
