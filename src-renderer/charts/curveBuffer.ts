import { ChartDataError } from './chartDataError';

interface SeriesBuffer {
  x: Float64Array;
  y: Float64Array;
  length: number;
}

export type CurvePoint = [number, number | null];

/**
 * Growing named series for live training curves (loss, KL…, per batch or epoch). Points are kept in
 * doubling typed arrays, so appending is O(1) amortised and nothing is deep-reactive; a chart
 * subscribes and redraws at most once per animation frame.
 */
export class CurveBuffer {
  private readonly series = new Map<string, SeriesBuffer>();
  private readonly listeners = new Set<() => void>();
  private revision = 0;

  get version(): number {
    return this.revision;
  }

  names(): string[] {
    return [...this.series.keys()];
  }

  length(name: string): number {
    return this.series.get(name)?.length ?? 0;
  }

  /** Adds one point; x must not go backwards within a series (curves are drawn in order). */
  append(name: string, x: number, y: number): void {
    if (!Number.isFinite(x)) throw new ChartDataError(`curve "${name}": x must be finite, got ${x}`);
    let s = this.series.get(name);
    if (!s) {
      s = { x: new Float64Array(64), y: new Float64Array(64), length: 0 };
      this.series.set(name, s);
    }
    if (s.length > 0 && x < s.x[s.length - 1]!) {
      throw new ChartDataError(
        `curve "${name}": x went backwards from ${s.x[s.length - 1]} to ${x}; start a new series instead`,
      );
    }
    if (s.length === s.x.length) {
      const nx = new Float64Array(s.x.length * 2);
      const ny = new Float64Array(s.y.length * 2);
      nx.set(s.x);
      ny.set(s.y);
      s.x = nx;
      s.y = ny;
    }
    s.x[s.length] = x;
    // Non-finite losses (a NaN batch) are kept as breaks in the line rather than dropped.
    s.y[s.length] = y;
    s.length++;
    this.revision++;
    for (const listener of this.listeners) listener();
  }

  clear(): void {
    this.series.clear();
    this.revision++;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The series as chart points, min/max-decimated by index to about 2 × maxPoints points (at most
   * 2 × maxPoints + 3) so a 100,000-batch curve draws as fast as a short one while keeping spikes
   * visible. A bucket holding a NaN keeps a break after its extremes.
   */
  points(name: string, maxPoints: number): CurvePoint[] {
    if (!Number.isInteger(maxPoints) || maxPoints < 1) {
      throw new ChartDataError(`maxPoints must be a positive integer, got ${maxPoints}`);
    }
    const s = this.series.get(name);
    if (!s) return [];
    const n = s.length;
    const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
    if (n <= 2 * maxPoints) {
      const out: CurvePoint[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = [s.x[i]!, fin(s.y[i]!)];
      return out;
    }
    // Up to three points per bucket (two extremes and a break), so buckets are 1.5× wider.
    const step = Math.ceil((1.5 * n) / maxPoints);
    const out: CurvePoint[] = [];
    for (let i0 = 0; i0 < n; i0 += step) {
      const i1 = Math.min(n, i0 + step);
      let lo = -1;
      let hi = -1;
      let sawGap = false;
      for (let i = i0; i < i1; i++) {
        const v = s.y[i]!;
        if (!Number.isFinite(v)) {
          sawGap = true;
          continue;
        }
        if (lo < 0 || v < s.y[lo]!) lo = i;
        if (hi < 0 || v > s.y[hi]!) hi = i;
      }
      if (lo < 0) {
        out.push([s.x[i0]!, null]);
        continue;
      }
      // Keep the two extremes in their time order.
      const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
      out.push([s.x[a]!, s.y[a]!]);
      if (b !== a) out.push([s.x[b]!, s.y[b]!]);
      if (sawGap) out.push([s.x[i1 - 1]!, null]);
    }
    return out;
  }
}
