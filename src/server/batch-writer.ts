/**
 * Lines gathered for {@link LOG_FLUSH_MS} (or one turn of the event loop) and written
 * with one call, so a burst of requests costs one write instead of one each. What the target
 * has not yet taken is bounded: past `maxPendingBytes` lines are dropped and
 * counted (a full or stalled disk must cost memory it can spare, never all of
 * it), and the count is written once the target drains.
 */
export interface LineSink {
  /** Writes `text`; returns false when the target is backed up (like Writable#write). */
  write(text: string): boolean;
  /** Bytes handed to the target and not yet written. */
  pending(): number;
}

/**
 * How long request log lines wait to be written together. Under load most turns of the
 * event loop hold one or two requests, so a write per turn was a write (two, with
 * stdout) per request; 20 ms is unnoticeable on a terminal and turns those into about
 * 50 writes a second, whatever the rate.
 */
export const LOG_FLUSH_MS = 20;

export class BatchWriter {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private dropped = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly options: { maxPendingBytes?: number; droppedLine?: (count: number) => string; delayMs?: number } = {},
  ) {}

  /** Queues one line (with its newline). */
  push(line: string): void {
    if (this.sink.pending() + this.bytes > (this.options.maxPendingBytes ?? 8 * 1024 * 1024)) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.bytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.options.delayMs) setTimeout(this.flush, this.options.delayMs);
      else setImmediate(this.flush);
    }
  }

  /** Writes what is queued now. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.dropped && this.sink.pending() === 0 && this.options.droppedLine) {
      this.lines.unshift(this.options.droppedLine(this.dropped));
      this.dropped = 0;
    }
    if (this.lines.length === 0) return;
    const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    this.sink.write(text);
  };
}
