/**
 * Exports run in the services process, whose event loop must be handed back every few
 * milliseconds (issue #6: ≤ 50 ms p99 lag). Formatting a million CSV values is seconds of work, so
 * the writers ask a pacer, between rows, whether their slice is used up.
 */
export class EventLoopPacer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = 10) {}

  /** Whether the current slice has run for `sliceMs` or more. */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  /** Lets timers and I/O run, then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}
