import { ChartDataError } from './chartDataError';

/**
 * Blue-white-red stops (ColorBrewer RdBu reversed, readable with red-green colour blindness):
 * negative values blue, zero white, positive red.
 */
export const divergingStops = [
  '#2166ac',
  '#67a9cf',
  '#d1e5f0',
  '#f7f7f7',
  '#fddbc7',
  '#ef8a62',
  '#b2182b',
] as const;

/**
 * The colour limit for a matrix: the largest |value|, so the scale runs over [-m, m] and zero is
 * always white. An all-zero (or all-NaN) matrix gets 1 so the scale stays drawable.
 */
export function symmetricLimit(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m > 0 ? m : 1;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const stopRgb = divergingStops.map(hexToRgb);

/** The colour of `value` on the scale [-limit, limit], clamped at the ends; NaN gets grey. */
export function divergingColor(value: number, limit: number): string {
  if (!(limit > 0) || !Number.isFinite(limit)) {
    throw new ChartDataError(`the colour limit must be a positive finite number, got ${limit}`);
  }
  if (value !== value) return 'rgb(190,190,190)';
  const u = (Math.max(-1, Math.min(1, value / limit)) + 1) / 2;
  const x = u * (stopRgb.length - 1);
  const i = Math.min(stopRgb.length - 2, Math.floor(x));
  const f = x - i;
  const a = stopRgb[i]!;
  const b = stopRgb[i + 1]!;
  const mix = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}
