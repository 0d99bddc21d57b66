/**
 * Many deadlines of one length, checked by one interval timer instead of a timer each. Arming
 * and clearing a `setTimeout` per request (the local server's body deadline) was ~0.5-1% of its CPU
 * per request; here a deadline is a Set entry, and it fires up to a tenth of its length late.
 */
export interface Deadline {
  readonly due: number;
  readonly onExpired: () => void;
}

export class DeadlineSweep {
  readonly timeoutMs: number;
  readonly #tickMs: number;
  readonly #pending = new Set<Deadline>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.#tickMs = Math.min(1000, Math.max(5, Math.floor(timeoutMs / 10)));
  }

  /** Calls `onExpired` once `timeoutMs` (at most a tenth more) have passed, unless cancelled first. */
  start(onExpired: () => void): Deadline {
    const deadline = { due: performance.now() + this.timeoutMs, onExpired };
    this.#pending.add(deadline);
    // Unref'd: a pending deadline alone does not keep the process up (the server's socket does).
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs).unref();
    return deadline;
  }

  cancel(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  #sweep(): void {
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (deadline.due > now) continue;
      this.#pending.delete(deadline);
      deadline.onExpired();
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
