/**
 * α is NaN at samples in gaps (no inference there). The pure analyses reject non-finite input, so
 * the services cut each session into its stretches of finite rows, analyse the stretches packed
 * together (or one by one where continuity matters), and put NaN back at the gap rows.
 */

export interface RowRange {
  start: number;
  end: number;
}

/** Maximal runs of rows whose every column is finite (in every given array). */
export function finiteRowRanges(arrays: readonly ArrayLike<number>[], widths: readonly number[]): RowRange[] {
  const nRows = arrays[0]!.length / widths[0]!;
  const ranges: RowRange[] = [];
  let start = -1;
  for (let t = 0; t <= nRows; t++) {
    let finite = t < nRows;
    for (let a = 0; finite && a < arrays.length; a++) {
      const w = widths[a]!;
      const x = arrays[a]!;
      for (let c = 0; c < w; c++) {
        if (!Number.isFinite(x[t * w + c]!)) {
          finite = false;
          break;
        }
      }
    }
    if (finite && start < 0) start = t;
    if (!finite && start >= 0) {
      ranges.push({ start, end: t });
      start = -1;
    }
  }
  return ranges;
}

export function countRows(ranges: readonly RowRange[]): number {
  return ranges.reduce((n, r) => n + r.end - r.start, 0);
}

/** The rows inside `ranges`, packed one after another. */
export function packRows(x: ArrayLike<number>, width: number, ranges: readonly RowRange[]): Float64Array {
  const out = new Float64Array(countRows(ranges) * width);
  let o = 0;
  for (const { start, end } of ranges) {
    for (let i = start * width; i < end * width; i++) out[o++] = x[i]!;
  }
  return out;
}

/** The inverse of packRows: a full-length float32 array with NaN outside `ranges`. */
export function unpackRows(
  packed: ArrayLike<number>,
  width: number,
  ranges: readonly RowRange[],
  nRows: number,
): Float32Array {
  const out = new Float32Array(nRows * width).fill(NaN);
  let o = 0;
  for (const { start, end } of ranges) {
    for (let i = start * width; i < end * width; i++) out[i] = packed[o++]!;
  }
  return out;
}
