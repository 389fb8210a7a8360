import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LagStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** How long the statistics were collected for. */
  windowMs: number;
}

const NS_PER_MS = 1e6;

/**
 * Node's histogram records the whole interval between its timer's ticks, so an idle loop reads
 * about `resolution`; only the excess is time the loop was blocked.
 */
export function lagFromHistogram(h: IntervalHistogram, resolutionMs: number, windowMs: number): LagStats {
  const excess = (ns: number) => (h.count === 0 ? 0 : Math.max(0, ns / NS_PER_MS - resolutionMs));
  return {
    p50Ms: excess(h.percentile(50)),
    p99Ms: excess(h.percentile(99)),
    maxMs: excess(h.max),
    meanMs: h.count === 0 ? 0 : excess(h.mean),
    windowMs,
  };
}

export interface LagMonitorOptions {
  /** Sampling interval of the loop-delay timer, ms. */
  resolutionMs?: number;
  /** Statistics are kept per window; `current()` reports the last full window. */
  windowMs?: number;
}

/**
 * Watches the services' own event loop. A blocked loop means a frozen UI in web mode and
 * delayed IPC in Electron, so the health channel reports it and the bench asserts on it.
 */
export class EventLoopLagMonitor {
  private readonly resolutionMs: number;
  private readonly windowMs: number;
  private readonly histogram: IntervalHistogram;
  private windowStart = performance.now();
  private last: LagStats | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** When our own timer last ran: a loop blocked right now has not reported it to the histogram yet. */
  private lastTick = performance.now();

  constructor(options: LagMonitorOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? 10;
    this.windowMs = options.windowMs ?? 5000;
    if (!(this.resolutionMs >= 1) || !(this.windowMs >= this.resolutionMs)) {
      throw new RangeError(
        `event-loop monitor needs resolutionMs >= 1 and windowMs >= resolutionMs (got ${this.resolutionMs}, ${this.windowMs})`,
      );
    }
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
  }

  start(): this {
    if (this.timer) return this;
    this.histogram.enable();
    this.windowStart = performance.now();
    this.timer = setInterval(() => this.roll(), this.windowMs);
    this.lastTick = performance.now();
    this.ticker = setInterval(() => (this.lastTick = performance.now()), this.resolutionMs);
    // Monitoring must never keep a CLI or test process alive.
    this.timer.unref();
    this.ticker.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
    this.histogram.disable();
  }

  /** Statistics since start() or the last reset, without ending the window. */
  sinceReset(): LagStats {
    const now = performance.now();
    const stats = lagFromHistogram(this.histogram, this.resolutionMs, now - this.windowStart);
    // Read straight after a long synchronous task, the histogram has not seen that task yet (its
    // timer fires only after the caller yields); without this a 30 s block would read as 0 ms.
    const pending = Math.max(0, now - Math.max(this.lastTick, this.windowStart) - this.resolutionMs);
    if (this.histogram.count === 0) {
      return { ...stats, p50Ms: pending, p99Ms: pending, maxMs: pending, meanMs: pending };
    }
    return { ...stats, maxMs: Math.max(stats.maxMs, pending) };
  }

  /** The last full window, or the one in progress when none has finished yet. */
  current(): LagStats {
    return this.last ?? this.sinceReset();
  }

  reset(): void {
    this.histogram.reset();
    this.windowStart = performance.now();
    this.lastTick = this.windowStart;
  }

  private roll(): void {
    this.last = this.sinceReset();
    this.reset();
  }
}
