// CPU time a server spent, for `npm run bench`: req/s on a shared 2-core VM swings with whatever
// else runs (the load generator included), while the CPU a request costs the server barely does.
import { readFileSync, readdirSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; Linux fixes USER_HZ at 100 for user space.
const TICK_MICROS = 10_000;

function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after its closing one.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid` and its descendants (a production server's primary and its workers). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = Number(stat(Number(name))?.[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(name));
  }
  const all: number[] = [];
  const visit = (p: number) => { all.push(p); for (const c of children.get(p) ?? []) visit(c); };
  visit(pid);
  return all;
}

/**
 * User + system CPU time, in µs, of `pid` and every process below it; undefined where
 * there is no /proc (not Linux).
 *
 * @example
 * const before = treeCpuMicros(child.pid!); await load(); const used = treeCpuMicros(child.pid!)! - before!;
 */
export function treeCpuMicros(pid: number): number | undefined {
  try {
    readdirSync('/proc');
  } catch {
    return undefined;
  }
  let total = 0;
  for (const p of tree(pid)) {
    const f = stat(p);
    // utime and stime: fields 14 and 15 of stat(5), 12 and 13 once the pid and name are cut off.
    if (f) total += (Number(f[11]) + Number(f[12])) * TICK_MICROS;
  }
  return total;
}
