/**
 * The retry rhythm both dev tunnels keep: exponential backoff up to a cap,
 * one pending timer at a time, and a note of the last failure's reason so an
 * hour offline logs one line per new reason, not one per attempt. A link
 * counts as a success only once it has stayed up: a server that accepts and
 * drops at once must meet the backoff, not a reconnect loop.
 */
export class RetryTimer {
  /** Attempts since the link last stayed up. */
  attempt = 0;
  private lastReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the link that is up now counts as stable; undefined while down. */
  private stableAt: number | undefined;

  constructor(private readonly baseMs: number, readonly maxMs: number, private readonly stableMs = 10_000) {}

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

  /** The link came up; the backoff is kept until it has stayed up `stableMs` or {@link proven}. */
  up(): void {
    this.stableAt = Date.now() + this.stableMs;
    this.lastReason = undefined;
  }

  /** Traffic got through (a probe answered): the link counts as stable now. */
  proven(): void {
    if (this.stableAt !== undefined) this.stableAt = Math.min(this.stableAt, Date.now());
  }

  /** The link dropped: reconnect at once if it had been stable (the backoff starts over), else after the next backoff step. */
  lostDelay(): number {
    const stable = this.stableAt !== undefined && Date.now() >= this.stableAt;
    this.stableAt = undefined;
    if (!stable) return this.nextDelay();
    this.reset();
    return 0;
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
