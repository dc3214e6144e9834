/**
 * Lines gathered for {@link LOG_FLUSH_MS} (or one turn of the event loop) and written
 * with one call, so a burst of requests costs one write instead of one each. What the target
 * has not yet taken is bounded: past `maxPendingBytes` lines are dropped and
 * counted (a full or stalled disk must cost memory it can spare, never all of
 * it), and the count is written once the target drains.
 */
export interface LineSink {
  /** Writes `chunk` (UTF-8 bytes); returns false when the target is backed up (like Writable#write). */
  write(chunk: Uint8Array): boolean;
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

// A line is encoded into the batch's buffer as it comes: joining a batch's strings and then
// encoding the result cost twice as much as making the JSON lines (measured on 1.6 KB
// request records, 200 a batch), while encoding each into one buffer costs a sixth of it.
const CHUNK_BYTES = 64 * 1024;
// UTF-8 takes at most 3 bytes per UTF-16 code unit.
const MAX_BYTES_PER_UNIT = 3;

export class BatchWriter {
  /** Filled buffers of this batch, and the one being filled (`buffer`, up to `used`). */
  private full: Buffer[] = [];
  private buffer: Buffer | undefined;
  private used = 0;
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
    const room = line.length * MAX_BYTES_PER_UNIT;
    if (!this.buffer || this.used + room > this.buffer.length) {
      if (this.buffer && this.used) this.full.push(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
      this.used = 0;
    }
    const written = this.buffer.write(line, this.used);
    this.used += written;
    this.bytes += written;
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.options.delayMs) setTimeout(this.flush, this.options.delayMs);
      else setImmediate(this.flush);
    }
  }

  /** Writes what is queued now. */
  readonly flush = (): void => {
    this.scheduled = false;
    const chunks = this.full;
    if (this.buffer && this.used) chunks.push(this.buffer.subarray(0, this.used));
    // What is left of the buffer serves the next batch; the part handed over is never written again.
    if (this.buffer) this.buffer = this.buffer.length - this.used >= 1024 ? this.buffer.subarray(this.used) : undefined;
    this.full = [];
    this.used = 0;
    this.bytes = 0;
    if (this.dropped && this.sink.pending() === 0 && this.options.droppedLine) {
      chunks.unshift(Buffer.from(this.options.droppedLine(this.dropped)));
      this.dropped = 0;
    }
    if (chunks.length === 0) return;
    this.sink.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
}
