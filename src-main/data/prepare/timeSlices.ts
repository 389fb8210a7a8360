/**
 * Long preparation loops are written as generators that yield after each batch of rows (a few
 * thousand), so one code path serves both a plain synchronous call and the services process,
 * which must hand its event loop back every few milliseconds (issue #6: ≤ 50 ms p99 lag).
 */

export type Steps = Generator<void, void, void>;

/** Runs every step now. */
export function runToEnd(steps: Steps): void {
  for (let r = steps.next(); !r.done; r = steps.next());
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the steps, handing the event loop back whenever a slice has taken `sliceMs` or more. */
export async function runInTimeSlices(steps: Steps, sliceMs = 10): Promise<void> {
  let sliceStart = performance.now();
  for (let r = steps.next(); !r.done; r = steps.next()) {
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
}
