/** Where deploy commands write their lines; stdout by default, a buffer in tests. */
export interface Output {
  write(text: string): void;
}

/**
 * Runs named steps and prints one line per step with its duration, so a slow or
 * failing step is obvious.
 *
 * @example
 * const p = new Progress(process.stdout);
 * await p.step('bundle', async () => { await bundle(...); return '742 KB'; });
 * // ✓ bundle        0.13 s  742 KB
 */
export class Progress {
  private readonly started = Date.now();

  constructor(private readonly out: Output) {}

  async step<T>(name: string, work: () => Promise<T>, detail?: (result: T) => string | undefined): Promise<T> {
    const t = Date.now();
    try {
      const result = await work();
      const extra = detail?.(result) ?? (typeof result === 'string' ? result : undefined);
      this.out.write(`✓ ${name.padEnd(10)} ${seconds(Date.now() - t)}${extra ? `  ${extra}` : ''}\n`);
      return result;
    } catch (error) {
      this.out.write(`✗ ${name.padEnd(10)} ${seconds(Date.now() - t)}\n`);
      throw error;
    }
  }

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  /** Seconds since this Progress was created. */
  total(): string {
    return seconds(Date.now() - this.started);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
