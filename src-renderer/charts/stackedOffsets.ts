import { ChartDataError } from './chartDataError';
import { envelopePoints, type EnvelopeWindow } from './envelope';

export interface ChannelStacking {
  /** Added to channel c's values so channel 0 is drawn on top and each sits in its own lane. */
  offsets: number[];
  /** Distance between lanes in data units (the tallest channel's range plus a margin). */
  spacing: number;
  /** Lane centres, for axis labels: where channel c's middle lands after its offset. */
  centres: number[];
}

/**
 * Lane offsets for drawing channels stacked top to bottom without overlap. Every channel gets the
 * same lane height so relative amplitudes stay comparable; channels with no finite data are centred
 * on zero. A window with all-constant channels still gets unit lanes.
 */
export function stackedChannelOffsets(window: EnvelopeWindow, margin = 0.1): ChannelStacking {
  if (!(margin >= 0)) throw new ChartDataError(`margin must be non-negative, got ${margin}`);
  const nc = window.nChannels;
  const points = envelopePoints(window);
  const lo = new Array<number>(nc).fill(Number.POSITIVE_INFINITY);
  const hi = new Array<number>(nc).fill(Number.NEGATIVE_INFINITY);
  for (let p = 0; p < points; p++) {
    for (let c = 0; c < nc; c++) {
      const a = window.min[p * nc + c]!;
      const b = window.max[p * nc + c]!;
      if (a === a && a < lo[c]!) lo[c] = a;
      if (b === b && b > hi[c]!) hi[c] = b;
    }
  }
  let span = 0;
  const mids: number[] = [];
  for (let c = 0; c < nc; c++) {
    const finite = lo[c]! <= hi[c]!;
    mids.push(finite ? (lo[c]! + hi[c]!) / 2 : 0);
    if (finite) span = Math.max(span, hi[c]! - lo[c]!);
  }
  const spacing = (span > 0 ? span : 1) * (1 + margin);
  const centres = mids.map((_, c) => (nc - 1 - c) * spacing);
  const offsets = mids.map((mid, c) => centres[c]! - mid);
  return { offsets, spacing, centres };
}
