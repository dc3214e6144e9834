/**
 * The retry rhythm both dev tunnels keep: exponential backoff up to a cap,
 * one pending timer at a time, and a note of the last failure's reason so an
 * hour offline logs one line per new reason, not one per attempt.
 */
export class RetryTimer {
  /** Attempts since the last success. */
  attempt = 0;
  private lastReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly baseMs: number, readonly maxMs: number) {}

  /** The wait before the next attempt (counting it): baseMs, doubling, at most maxMs. */
  nextDelay(): number {
    const delay = Math.min(this.baseMs * 2 ** this.attempt, this.maxMs);
    this.attempt++;
    return delay;
  }

  /** Whether `reason` differs from the last failure's; remembers it. */
  isNewReason(reason: string): boolean {
    const fresh = reason !== this.lastReason;
    this.lastReason = reason;
    return fresh;
  }

  /** After a success: the next failure waits the least and is said again. */
  reset(): void {
    this.attempt = 0;
    this.lastReason = undefined;
  }

  /** Runs `next` after `ms`, replacing whatever was pending. */
  schedule(ms: number, next: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(next, ms);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
