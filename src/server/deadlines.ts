/** A pending deadline; {@link Deadlines.cancel} it when the work finished in time. */
export interface Deadline {
  at: number;
  fire: (() => void) | undefined;
  next: Deadline | undefined;
}

/**
 * Deadlines of one fixed length, on one Node timer. Each message used to get a
 * setTimeout and a clearTimeout (a Timeout object, an async id and a timer-list
 * insert), 2–4% of a message's time under load. All deadlines here have the
 * same length, so they expire in the order they start: a queue, with the timer
 * armed for its head, is enough.
 *
 * The timer is unref'd: a request waiting on a deadline is held open by its own
 * socket, and an idle server must not be kept alive by an expired queue.
 */
export class Deadlines {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `clock`: monotonic ms; a message clock injected by tests must not stop deadlines. */
  constructor(
    private readonly ms: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Calls `fire` once `ms` have passed, unless cancelled first. */
  start(fire: () => void): Deadline {
    const deadline: Deadline = { at: this.clock() + this.ms, fire, next: undefined };
    if (this.tail) this.tail.next = deadline;
    else this.head = deadline;
    this.tail = deadline;
    if (!this.timer) this.arm(this.ms);
    return deadline;
  }

  /** Cancels a deadline; a no-op once it fired. */
  cancel(deadline: Deadline): void {
    deadline.fire = undefined;
    // Work mostly ends in the order it started: dropping cancelled entries from the front
    // keeps the queue short, and its entries die young instead of aging for `ms` in the heap.
    this.dropCancelled();
  }

  private dropCancelled(): void {
    while (this.head && this.head.fire === undefined) this.head = this.head.next;
    if (!this.head) this.tail = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.expire, ms);
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = this.clock();
    // Node may run a timer a fraction of a millisecond before the monotonic clock agrees.
    for (let d = this.head; d && d.at <= now + 1; d = this.head) {
      // Unlinked before it fires, so a `fire` that starts a new deadline finds a consistent queue.
      this.head = d.next;
      if (!this.head) this.tail = undefined;
      const fire = d.fire;
      d.fire = undefined;
      fire?.();
      this.dropCancelled();
    }
    if (this.head && !this.timer) this.arm(Math.max(1, Math.ceil(this.head.at - this.clock())));
  };
}
