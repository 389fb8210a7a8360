import { describe, expect, it } from 'vitest';
import { ChartDataError } from '../../src-renderer/charts/chartDataError';
import { CurveBuffer } from '../../src-renderer/charts/curveBuffer';
import { divergingColor, symmetricLimit } from '../../src-renderer/charts/divergingScale';
import { decimateMinMax, envelopePoints, nanGapRanges } from '../../src-renderer/charts/envelope';
import { EnvelopePyramid } from '../../src-renderer/charts/envelopePyramid';
import { inMemoryEnvelopeSource } from '../../src-renderer/charts/envelopeSource';
import {
  envelopeCentreline,
  envelopeTrace,
  pointCount,
  stackedCentrelines,
  type FlatPoints,
} from '../../src-renderer/charts/envelopeTrace';
import { exportFileName } from '../../src-renderer/charts/exportFileName';
import { niceTicks } from '../../src-renderer/charts/niceTicks';
import { modeColor, modePalette } from '../../src-renderer/charts/palette';
import {
  LatestWindowLoader,
  secondsToSampleRange,
  zoomToSampleRange,
  type SampleRange,
} from '../../src-renderer/charts/sampleWindow';
import { stackedChannelOffsets } from '../../src-renderer/charts/stackedOffsets';

/** Row-major [T × C] from a per-(t, c) function. */
function matrix(T: number, C: number, f: (t: number, c: number) => number): Float32Array {
  const a = new Float32Array(T * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) a[t * C + c] = f(t, c);
  return a;
}

describe('decimateMinMax', () => {
  it('keeps every extreme: bucket min/max equal a brute-force scan per channel', () => {
    const T = 10_007;
    const C = 3;
    const data = matrix(T, C, (t, c) => Math.sin(t * 0.013 * (c + 1)) + ((t * 7919) % 101) / 1000);
    data[5003 * C + 1] = 42; // a single-sample spike
    data[17 * C + 2] = -42;
    const w = decimateMinMax(data, C, 0, T, 500);
    expect(w.step).toBe(Math.ceil(T / 500));
    expect(envelopePoints(w)).toBe(Math.ceil(T / w.step));
    expect(envelopePoints(w)).toBeLessThanOrEqual(500);
    for (let p = 0; p < envelopePoints(w); p++) {
      for (let c = 0; c < C; c++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let t = p * w.step; t < Math.min(T, (p + 1) * w.step); t++) {
          lo = Math.min(lo, data[t * C + c]!);
          hi = Math.max(hi, data[t * C + c]!);
        }
        expect(w.min[p * C + c]).toBe(lo);
        expect(w.max[p * C + c]).toBe(hi);
      }
    }
    let gmax = -Infinity;
    let gmin = Infinity;
    for (let i = 0; i < w.max.length; i++) gmax = Math.max(gmax, w.max[i]!);
    for (let i = 0; i < w.min.length; i++) gmin = Math.min(gmin, w.min[i]!);
    expect(gmax).toBe(42);
    expect(gmin).toBe(-42);
  });

  it('buckets a window starting mid-array the way the backend preview does', () => {
    const data = matrix(100, 1, (t) => t);
    const w = decimateMinMax(data, 1, 10, 35, 4);
    expect(w.step).toBe(7);
    expect(Array.from(w.min)).toEqual([10, 17, 24, 31]);
    expect(Array.from(w.max)).toEqual([16, 23, 30, 34]);
    expect(Array.from(w.mean!)).toEqual([13, 20, 27, 32.5]);
  });

  it('is NaN-aware: all-missing buckets stay NaN, partly missing ones keep observed extremes', () => {
    const data = matrix(40, 2, (t, c) => (t >= 10 && t < 20 ? Number.NaN : c === 0 ? t : -t));
    data[21 * 2] = Number.NaN;
    const w = decimateMinMax(data, 2, 0, 40, 4);
    expect(w.step).toBe(10);
    expect(Number.isNaN(w.min[1 * 2]!)).toBe(true);
    expect(Number.isNaN(w.max[1 * 2 + 1]!)).toBe(true);
    expect(w.min[2 * 2]).toBe(20);
    expect(w.max[2 * 2]).toBe(29);
    expect(w.mean![2 * 2]).toBeCloseTo((20 + 22 + 23 + 24 + 25 + 26 + 27 + 28 + 29) / 9, 5);
    expect(nanGapRanges(data, 2, 0, 40)).toEqual([{ start: 10, end: 20 }]);
    expect(nanGapRanges(data, 2, 15, 18)).toEqual([{ start: 15, end: 18 }]);
  });

  it('returns undecimated samples when the window is narrower than maxPoints', () => {
    const data = matrix(5, 2, (t, c) => t * 10 + c);
    const w = decimateMinMax(data, 2, 1, 4, 1000);
    expect(w.step).toBe(1);
    expect(Array.from(w.min)).toEqual([10, 11, 20, 21, 30, 31]);
    expect(Array.from(w.max)).toEqual(Array.from(w.min));
  });

  it('refuses bad shapes and ranges with specific messages', () => {
    const data = new Float32Array(10);
    expect(() => decimateMinMax(data, 3, 0, 3, 10)).toThrow(/not a whole number of rows of 3/);
    expect(() => decimateMinMax(data, 0, 0, 3, 10)).toThrow(ChartDataError);
    expect(() => decimateMinMax(data, 2, 3, 3, 10)).toThrow(/\[3, 3\) is empty or outside the 5/);
    expect(() => decimateMinMax(data, 2, 0, 6, 10)).toThrow(/outside the 5 samples/);
    expect(() => decimateMinMax(data, 2, 0, 5, 0)).toThrow(/maxPoints must be a positive integer/);
    expect(() => decimateMinMax(data, 2, 0.5, 5, 3)).toThrow(/must be integers/);
  });

  it('in-memory source serves windows with gaps', async () => {
    const data = matrix(1000, 2, (t) => (t >= 100 && t < 150 ? Number.NaN : t));
    const fetch = inMemoryEnvelopeSource(data, 2);
    const w = await fetch(50, 250, 20);
    // Served from the 8-sample cells: the window snaps to whole cells.
    expect(w.startSample).toBe(48);
    expect(w.endSample).toBe(256);
    expect(w.step).toBe(16);
    expect(w.gaps).toEqual([{ start: 100, end: 150 }]);
    expect((await fetch(120, 130, 20)).gaps).toEqual([{ start: 120, end: 130 }]);
    expect(() => inMemoryEnvelopeSource(data, 3)).toThrow(/cannot be split into 3 channels/);
  });
});

describe('EnvelopePyramid', () => {
  it('serves any window with the exact extremes of every bucket, in at most maxPoints buckets', () => {
    const T = 100_003;
    const C = 3;
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const data = matrix(T, C, () => rand());
    data.fill(Number.NaN, 40_000 * C, 40_777 * C);
    data[77_777 * C + 2] = 9;
    const pyramid = new EnvelopePyramid(data, C);
    const windows: [number, number, number][] = [
      [0, T, 1000],
      [123, 99_999, 777],
      [39_000, 42_000, 300],
      [77_000, 78_000, 50],
      [5, 400, 1000],
    ];
    for (const [start, end, maxPoints] of windows) {
      const w = pyramid.window(start, end, maxPoints);
      const points = envelopePoints(w);
      expect(points).toBeLessThanOrEqual(maxPoints);
      expect(w.startSample).toBeLessThanOrEqual(start);
      expect(w.endSample).toBeGreaterThanOrEqual(end);
      expect(w.startSample + points * w.step).toBeGreaterThanOrEqual(w.endSample);
      for (let p = 0; p < points; p++) {
        for (let c = 0; c < C; c++) {
          let lo = Infinity;
          let hi = -Infinity;
          const s1 = Math.min(w.endSample, w.startSample + (p + 1) * w.step);
          for (let t = w.startSample + p * w.step; t < s1; t++) {
            const v = data[t * C + c]!;
            if (Number.isNaN(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          if (lo === Infinity) {
            expect(Number.isNaN(w.min[p * C + c]!)).toBe(true);
          } else {
            expect(w.min[p * C + c]).toBe(lo);
            expect(w.max[p * C + c]).toBe(hi);
          }
        }
      }
    }
    const whole = pyramid.window(0, T, 500);
    expect(Math.max(...Array.from(whole.max).filter((v) => !Number.isNaN(v)))).toBe(9);
    expect(() => pyramid.window(0, T + 1, 500)).toThrow(/outside the 100003 samples/);
    expect(() => new EnvelopePyramid(new Float32Array(7), 2)).toThrow(/cannot be split into 2 channels/);
  });
});

/** Flat [x0, y0, x1, y1…] as pairs, NaN as null, for readable assertions. */
function pairs(points: FlatPoints): [number, number | null][] {
  const out: [number, number | null][] = [];
  for (let i = 0; i < points.length; i += 2)
    out.push([points[i]!, Number.isNaN(points[i + 1]!) ? null : points[i + 1]!]);
  return out;
}

describe('envelope traces', () => {
  it('draws a stroke per bucket (≤ 2 points per bucket), breaks at gaps, and applies the offset', () => {
    const data = matrix(1000, 2, (t, c) => (t >= 500 && t < 600 ? Number.NaN : (t % 7) * (c + 1)));
    const w = decimateMinMax(data, 2, 0, 1000, 100);
    const flat = envelopeTrace(w, 1, 100, 5);
    expect(pointCount(flat)).toBeLessThanOrEqual(2 * 100);
    const trace = pairs(flat);
    const values = trace.map((p) => p[1]).filter((v): v is number => v !== null);
    expect(Math.min(...values)).toBe(5);
    expect(Math.max(...values)).toBe(6 * 2 + 5);
    const nulls = trace.filter((p) => p[1] === null);
    expect(nulls.length).toBe(10);
    expect(nulls[0]![0]).toBeCloseTo(5, 9); // sample 500 at 100 Hz
    // Time never goes backwards.
    for (let i = 1; i < trace.length; i++) expect(trace[i]![0]).toBeGreaterThanOrEqual(trace[i - 1]![0]);
    expect(() => envelopeTrace(w, 2, 100)).toThrow(/channel 2 is outside the window's 2 channels/);
    expect(() => envelopeTrace(w, 0, 0)).toThrow(/samplingRate must be a positive number/);
  });

  it('keeps every point of a mid-recording window inside its buckets, in time order', () => {
    const data = matrix(10_000, 1, (t) => Math.sin(t / 50));
    const w = decimateMinMax(data, 1, 4000, 6000, 100);
    const trace = pairs(envelopeTrace(w, 0, 1000));
    expect(trace[0]![0]).toBeCloseTo(4, 9);
    expect(trace[trace.length - 1]![0]).toBeCloseTo(5.999, 9);
    for (let i = 1; i < trace.length; i++) expect(trace[i]![0]).toBeGreaterThanOrEqual(trace[i - 1]![0]);
  });

  it('centreline uses bucket means when present, else the middle of min and max', () => {
    const data = matrix(20, 1, (t) => (t < 10 ? 0 : t === 19 ? 10 : 1));
    const w = decimateMinMax(data, 1, 0, 20, 2);
    const withMean = pairs(envelopeCentreline(w, 0, 10));
    expect(withMean.map((p) => p[1])).toEqual([0, expect.closeTo(1.9, 5)]);
    expect(withMean[0]![0]).toBeCloseTo(0.5, 9);
    delete w.mean;
    expect(pairs(envelopeCentreline(w, 0, 10)).map((p) => p[1])).toEqual([0, 5.5]);
  });

  it('stacks centrelines as running sums over the visible channels, gaps breaking the stack', () => {
    const data = matrix(4, 3, (t, c) => (t === 2 && c === 1 ? Number.NaN : [0.2, 0.3, 0.5][c]!));
    const w = decimateMinMax(data, 3, 0, 4, 4);
    const all = stackedCentrelines(w, 1).map((line) => pairs(line).map((p) => p[1]));
    expect(all[0]).toEqual([0.2, 0.2, 0.2, 0.2].map((v) => expect.closeTo(v, 6)));
    expect(all[1]).toEqual([0.5, 0.5, null, 0.5].map((v) => (v === null ? null : expect.closeTo(v, 6))));
    expect(all[2]).toEqual([1, 1, null, 1].map((v) => (v === null ? null : expect.closeTo(v, 6))));
    const hidden = stackedCentrelines(w, 1, [true, false, true]).map((line) => pairs(line)[0]![1]);
    expect(hidden).toEqual([0.2, 0.2, 0.7].map((v) => expect.closeTo(v, 6)));
  });
});

describe('stackedChannelOffsets', () => {
  it('puts channel 0 on top in equal lanes that do not overlap', () => {
    const data = matrix(100, 3, (t, c) => [t / 100, 10 + (2 * t) / 100, -5][c]!);
    const w = decimateMinMax(data, 3, 0, 100, 50);
    const s = stackedChannelOffsets(w, 0.1);
    expect(s.spacing).toBeCloseTo(1.98 * 1.1, 5);
    expect(s.centres).toEqual([2 * s.spacing, s.spacing, 0]);
    // Each channel's drawn range stays inside its lane.
    const ranges = [
      [0, 0.99],
      [10, 11.98],
      [-5, -5],
    ];
    ranges.forEach(([lo, hi], c) => {
      expect(lo! + s.offsets[c]!).toBeGreaterThanOrEqual(s.centres[c]! - s.spacing / 2 - 1e-6);
      expect(hi! + s.offsets[c]!).toBeLessThanOrEqual(s.centres[c]! + s.spacing / 2 + 1e-6);
    });
  });

  it('gives unit lanes to constant or empty channels', () => {
    const data = new Float32Array(20).fill(Number.NaN);
    const s = stackedChannelOffsets(decimateMinMax(data, 2, 0, 10, 5), 0);
    expect(s.spacing).toBe(1);
    expect(s.offsets).toEqual([1, 0]);
    expect(() => stackedChannelOffsets(decimateMinMax(data, 2, 0, 10, 5), -1)).toThrow(/margin/);
  });
});

describe('diverging colour scale', () => {
  it('is symmetric about zero with the limit at max |value|', () => {
    expect(symmetricLimit([0.5, -2, 1, Number.NaN])).toBe(2);
    expect(symmetricLimit(new Float64Array(4))).toBe(1);
    expect(divergingColor(0, 2)).toBe('rgb(247,247,247)');
    expect(divergingColor(-2, 2)).toBe('rgb(33,102,172)');
    expect(divergingColor(2, 2)).toBe('rgb(178,24,43)');
    expect(divergingColor(5, 2)).toBe(divergingColor(2, 2));
    expect(divergingColor(Number.NaN, 2)).toBe('rgb(190,190,190)');
    // Same distance from zero, mirrored colour: red channel of +v equals blue channel of -v roughly.
    const pos = divergingColor(1, 2).match(/\d+/g)!.map(Number);
    const neg = divergingColor(-1, 2).match(/\d+/g)!.map(Number);
    expect(pos[0]).toBeGreaterThan(pos[2]!);
    expect(neg[2]).toBeGreaterThan(neg[0]!);
    expect(() => divergingColor(1, 0)).toThrow(/colour limit must be a positive finite number/);
  });
});

describe('niceTicks', () => {
  it('picks 1-2-5 steps inside the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual({ step: 2, ticks: [0, 2, 4, 6, 8, 10] });
    expect(niceTicks(-0.23, 0.31, 5).ticks).toEqual([-0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(niceTicks(3, 3, 4).ticks).toEqual([2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3]);
    expect(niceTicks(0, 1e6, 4).step).toBe(200_000);
    expect(() => niceTicks(0, Number.POSITIVE_INFINITY)).toThrow(/must be finite/);
  });
});

describe('palette and file names', () => {
  it('gives each mode a fixed distinct colour and safe export names', () => {
    expect(new Set(modePalette).size).toBe(modePalette.length);
    expect(modeColor(0)).toBe(modePalette[0]);
    expect(modeColor(modePalette.length)).toBe(modePalette[0]);
    expect(exportFileName('Mode 1 / covariance', 'svg')).toBe('Mode-1-covariance.svg');
    expect(exportFileName('***', 'png')).toBe('chart.png');
  });
});

describe('sample windows', () => {
  it('maps zoom percentages to whole samples with a minimum span', () => {
    expect(zoomToSampleRange(0, 100, 1000)).toEqual({ start: 0, end: 1000 });
    expect(zoomToSampleRange(10.05, 20.01, 1000)).toEqual({ start: 100, end: 201 });
    expect(zoomToSampleRange(50, 50, 1000, 10)).toEqual({ start: 495, end: 505 });
    expect(zoomToSampleRange(100, 100, 1000, 10)).toEqual({ start: 990, end: 1000 });
    expect(zoomToSampleRange(-5, 120, 1000)).toEqual({ start: 0, end: 1000 });
    expect(secondsToSampleRange(1, 2, 100, 1000)).toEqual({ start: 100, end: 200 });
    expect(() => zoomToSampleRange(0, Number.NaN, 10)).toThrow(/must be finite/);
    expect(() => zoomToSampleRange(0, 1, 0)).toThrow(/nSamples must be a positive integer/);
  });

  it('loads one window at a time and only applies the newest', async () => {
    const resolvers: (() => void)[] = [];
    const applied: SampleRange[] = [];
    const loader = new LatestWindowLoader<SampleRange>(
      (range) => new Promise((resolve) => resolvers.push(() => resolve(range))),
      (result) => applied.push(result),
    );
    loader.request({ start: 0, end: 10 });
    loader.request({ start: 1, end: 11 });
    loader.request({ start: 2, end: 12 });
    expect(loader.loadsStarted).toBe(1);
    resolvers.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    // The first result was overtaken: not drawn; the latest pending one is loading now.
    expect(applied).toEqual([]);
    expect(loader.loadsStarted).toBe(2);
    resolvers.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(applied).toEqual([{ start: 2, end: 12 }]);
    expect(loader.busy).toBe(false);
  });

  it('reports failed loads and keeps working', async () => {
    const errors: unknown[] = [];
    const applied: number[] = [];
    let calls = 0;
    const loader = new LatestWindowLoader<number>(
      () => (++calls === 1 ? Promise.reject(new Error('backend gone')) : Promise.resolve(calls)),
      (n) => applied.push(n),
      (e) => errors.push(e),
    );
    loader.request({ start: 0, end: 1 });
    await new Promise((r) => setTimeout(r, 0));
    loader.request({ start: 0, end: 1 });
    await new Promise((r) => setTimeout(r, 0));
    expect((errors[0] as Error).message).toBe('backend gone');
    expect(applied).toEqual([2]);
  });
});

describe('CurveBuffer', () => {
  it('appends without limit, notifies, and decimates long curves keeping spikes', () => {
    const buffer = new CurveBuffer();
    let notified = 0;
    const off = buffer.subscribe(() => notified++);
    for (let i = 0; i < 10_000; i++) buffer.append('loss', i, i === 7777 ? 1e6 : 1 / (i + 1));
    buffer.append('kl', 0, Number.NaN);
    expect(notified).toBe(10_001);
    off();
    buffer.append('kl', 1, 2);
    expect(notified).toBe(10_001);
    expect(buffer.names()).toEqual(['loss', 'kl']);
    expect(buffer.length('loss')).toBe(10_000);
    const pts = buffer.points('loss', 300);
    expect(pts.length).toBeLessThanOrEqual(2 * 300 + 3);
    expect(pts.some((p) => p[0] === 7777 && p[1] === 1e6)).toBe(true);
    expect(pts[0]).toEqual([0, 1]);
    expect(buffer.points('kl', 10)).toEqual([
      [0, null],
      [1, 2],
    ]);
    expect(() => buffer.append('loss', 5, 1)).toThrow(/x went backwards from 9999 to 5/);
    expect(() => buffer.append('loss', Number.NaN, 1)).toThrow(/x must be finite/);
    expect(() => buffer.points('loss', 0)).toThrow(/maxPoints/);
  });
});
