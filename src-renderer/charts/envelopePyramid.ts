import { ChartDataError } from './chartDataError';
import { decimateMinMax, type EnvelopeWindow, type NumericArray } from './envelope';

/** Samples per cell grow by this factor from one level to the next. */
const fanOut = 8;

interface Level {
  /** Samples per cell. */
  size: number;
  cells: number;
  min: Float32Array;
  max: Float32Array;
  sum: Float64Array;
  count: Int32Array;
}

/**
 * Min/max/sum/count of a [T × C] array precomputed at cell sizes 8, 64, 512… samples, so a window
 * over a million samples is reduced from a few thousand cells instead of every sample. Buckets are
 * whole cells: the window's start snaps down and its step rounds up to the level's cell size, which
 * keeps every extreme exact (a cell holds the true min and max of its samples).
 */
export class EnvelopePyramid {
  private readonly levels: Level[] = [];
  readonly nSamples: number;

  constructor(
    private readonly data: NumericArray,
    readonly nChannels: number,
  ) {
    if (!Number.isInteger(nChannels) || nChannels < 1 || data.length % nChannels !== 0) {
      throw new ChartDataError(
        `a pyramid needs whole rows: ${data.length} values cannot be split into ${nChannels} channels`,
      );
    }
    this.nSamples = data.length / nChannels;
    let size = fanOut;
    while (size <= this.nSamples) {
      this.levels.push(this.buildLevel(size));
      size *= fanOut;
    }
  }

  private buildLevel(size: number): Level {
    const nc = this.nChannels;
    const cells = Math.ceil(this.nSamples / size);
    const level: Level = {
      size,
      cells,
      min: new Float32Array(cells * nc).fill(Number.NaN),
      max: new Float32Array(cells * nc).fill(Number.NaN),
      sum: new Float64Array(cells * nc),
      count: new Int32Array(cells * nc),
    };
    const below = this.levels[this.levels.length - 1];
    for (let cell = 0; cell < cells; cell++) {
      for (let c = 0; c < nc; c++) {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        let sum = 0;
        let count = 0;
        if (!below) {
          const last = Math.min(this.nSamples, (cell + 1) * size) * nc + c;
          for (let i = cell * size * nc + c; i < last; i += nc) {
            const v = this.data[i]!;
            if (v !== v) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            sum += v;
            count++;
          }
        } else {
          const last = Math.min(below.cells, (cell + 1) * fanOut) * nc + c;
          for (let i = cell * fanOut * nc + c; i < last; i += nc) {
            const n = below.count[i]!;
            if (n === 0) continue;
            if (below.min[i]! < lo) lo = below.min[i]!;
            if (below.max[i]! > hi) hi = below.max[i]!;
            sum += below.sum[i]!;
            count += n;
          }
        }
        const out = cell * nc + c;
        level.count[out] = count;
        level.sum[out] = sum;
        if (count > 0) {
          level.min[out] = lo;
          level.max[out] = hi;
        }
      }
    }
    return level;
  }

  /**
   * The window [startSample, endSample) in at most maxPoints buckets. Uses the coarsest level whose
   * cells are no wider than a bucket; falls back to the raw samples when buckets are narrower than
   * the finest cells.
   */
  window(startSample: number, endSample: number, maxPoints: number): EnvelopeWindow {
    const rawStep = Math.max(1, Math.ceil((endSample - startSample) / maxPoints));
    let level: Level | undefined;
    for (const l of this.levels) if (l.size <= rawStep) level = l;
    if (!level) return decimateMinMax(this.data, this.nChannels, startSample, endSample, maxPoints);
    if (!Number.isInteger(maxPoints) || maxPoints < 1) {
      throw new ChartDataError(`maxPoints must be a positive integer, got ${maxPoints}`);
    }
    if (
      !Number.isInteger(startSample) ||
      !Number.isInteger(endSample) ||
      startSample < 0 ||
      endSample > this.nSamples ||
      endSample <= startSample
    ) {
      throw new ChartDataError(
        `sample range [${startSample}, ${endSample}) is empty or outside the ${this.nSamples} samples`,
      );
    }
    const size = level.size;
    const cell0 = Math.floor(startSample / size);
    const cell1 = Math.ceil(endSample / size);
    const cellsPerBucket = Math.max(1, Math.ceil((cell1 - cell0) / maxPoints));
    const points = Math.ceil((cell1 - cell0) / cellsPerBucket);
    const nc = this.nChannels;
    const min = new Float32Array(points * nc).fill(Number.NaN);
    const max = new Float32Array(points * nc).fill(Number.NaN);
    const mean = new Float32Array(points * nc).fill(Number.NaN);
    for (let p = 0; p < points; p++) {
      const a = cell0 + p * cellsPerBucket;
      const b = Math.min(cell1, a + cellsPerBucket);
      for (let c = 0; c < nc; c++) {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        let sum = 0;
        let count = 0;
        for (let i = a * nc + c; i < b * nc + c; i += nc) {
          const n = level.count[i]!;
          if (n === 0) continue;
          if (level.min[i]! < lo) lo = level.min[i]!;
          if (level.max[i]! > hi) hi = level.max[i]!;
          sum += level.sum[i]!;
          count += n;
        }
        if (count === 0) continue;
        min[p * nc + c] = lo;
        max[p * nc + c] = hi;
        mean[p * nc + c] = sum / count;
      }
    }
    return {
      startSample: cell0 * size,
      endSample: Math.min(this.nSamples, cell1 * size),
      step: cellsPerBucket * size,
      nChannels: nc,
      min,
      max,
      mean,
    };
  }
}
