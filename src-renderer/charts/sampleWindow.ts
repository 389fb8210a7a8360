import { ChartDataError } from './chartDataError';

export interface SampleRange {
  start: number;
  end: number;
}

/**
 * The whole samples a dataZoom window in percent [startPercent, endPercent] shows out of nSamples,
 * widened to at least minSamples so a deep zoom still has something to draw.
 */
export function zoomToSampleRange(
  startPercent: number,
  endPercent: number,
  nSamples: number,
  minSamples = 2,
): SampleRange {
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new ChartDataError(`nSamples must be a positive integer, got ${nSamples}`);
  }
  if (!Number.isFinite(startPercent) || !Number.isFinite(endPercent)) {
    throw new ChartDataError(`zoom percentages must be finite, got ${startPercent} and ${endPercent}`);
  }
  const a = Math.max(0, Math.min(100, Math.min(startPercent, endPercent)));
  const b = Math.max(0, Math.min(100, Math.max(startPercent, endPercent)));
  let start = Math.floor((a / 100) * nSamples);
  let end = Math.ceil((b / 100) * nSamples);
  const want = Math.min(nSamples, Math.max(1, minSamples));
  if (end - start < want) {
    const centre = (start + end) / 2;
    start = Math.max(0, Math.min(nSamples - want, Math.round(centre - want / 2)));
    end = start + want;
  }
  return { start, end };
}

/** Samples in seconds [t0, t1] (axis values) as a clamped sample range, as for zoomToSampleRange. */
export function secondsToSampleRange(
  t0: number,
  t1: number,
  samplingRate: number,
  nSamples: number,
): SampleRange {
  if (!(samplingRate > 0)) throw new ChartDataError(`samplingRate must be positive, got ${samplingRate}`);
  const total = nSamples / samplingRate;
  return zoomToSampleRange((t0 / total) * 100, (t1 / total) * 100, nSamples);
}

/**
 * Runs window loads so that the chart only ever shows the newest request: while one load is in
 * flight, later requests collapse into one pending request (the latest), and a result that has been
 * overtaken is dropped. Zooming with the wheel fires many events; this keeps one fetch at a time.
 */
export class LatestWindowLoader<R> {
  private inFlight = false;
  private pending: SampleRange | null = null;
  private issued = 0;
  private disposed = false;

  constructor(
    private readonly load: (range: SampleRange) => Promise<R>,
    private readonly apply: (result: R, range: SampleRange) => void,
    private readonly fail: (error: unknown) => void = () => {},
  ) {}

  /** Number of loads started so far (for tests and diagnostics). */
  get loadsStarted(): number {
    return this.issued;
  }

  get busy(): boolean {
    return this.inFlight || this.pending !== null;
  }

  /** A newer request is waiting behind the load in flight. */
  get hasPending(): boolean {
    return this.pending !== null;
  }

  request(range: SampleRange): void {
    if (this.disposed) return;
    this.pending = range;
    if (!this.inFlight) void this.drain();
  }

  dispose(): void {
    this.disposed = true;
    this.pending = null;
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    while (this.pending && !this.disposed) {
      const range = this.pending;
      this.pending = null;
      this.issued++;
      try {
        const result = await this.load(range);
        // A newer request arrived while loading: skip drawing this one, load the newer.
        if (!this.pending && !this.disposed) this.apply(result, range);
      } catch (error) {
        if (!this.disposed) this.fail(error);
      }
    }
    this.inFlight = false;
  }
}

/**
 * The zoom (percent of the recording) a time chart opens on: the first `seconds` of the recording,
 * or all of it when it is shorter. Minutes of fast switching at full width read as a barcode; a few
 * seconds show the states themselves, and the user zooms out from there.
 */
export function openingZoom(
  nSamples: number,
  samplingRate: number,
  seconds: number | null,
): { start: number; end: number } {
  if (!(samplingRate > 0)) throw new ChartDataError(`samplingRate must be positive, got ${samplingRate}`);
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new ChartDataError(`nSamples must be a positive integer, got ${nSamples}`);
  }
  if (seconds === null) return { start: 0, end: 100 };
  if (!(seconds > 0)) throw new ChartDataError(`opening window must be positive seconds, got ${seconds}`);
  const total = nSamples / samplingRate;
  return { start: 0, end: Math.min(100, (seconds / total) * 100) };
}
