/**
 * Filtering with second-order sections (transposed direct form II, float64), and zero-phase
 * forward-backward filtering with the edge handling of scipy.signal.sosfiltfilt: odd extension
 * of the signal at both ends, and initial conditions set to the filter's step-response steady
 * state scaled by the first sample of each pass.
 */
import type { Sos } from './butterworth';

/** Steady-state section states for a unit step input, one [z1, z2] pair per section. */
export function sosInitialConditions(sos: Sos): Float64Array {
  const zi = new Float64Array(sos.length * 2);
  let scale = 1;
  sos.forEach((s, i) => {
    const [b0, b1, b2, , a1, a2] = s as unknown as [number, number, number, number, number, number];
    const gain = (b0 + b1 + b2) / (1 + a1 + a2);
    const z2 = b2 - a2 * gain;
    const z1 = b1 - a1 * gain + z2;
    zi[2 * i] = scale * z1;
    zi[2 * i + 1] = scale * z2;
    scale *= gain;
  });
  return zi;
}

/** Filters `x` in place through the cascade, starting from section states `zi` scaled by `ziScale`. */
export function sosFilterInPlace(sos: Sos, x: Float64Array, zi: Float64Array | null, ziScale = 1): void {
  const n = x.length;
  sos.forEach((s, i) => {
    const b0 = s[0]!;
    const b1 = s[1]!;
    const b2 = s[2]!;
    const a1 = s[4]!;
    const a2 = s[5]!;
    let z1 = zi ? zi[2 * i]! * ziScale : 0;
    let z2 = zi ? zi[2 * i + 1]! * ziScale : 0;
    for (let t = 0; t < n; t++) {
      const xt = x[t]!;
      const yt = b0 * xt + z1;
      z1 = b1 * xt - a1 * yt + z2;
      z2 = b2 * xt - a2 * yt;
      x[t] = yt;
    }
  });
}

/** Default edge extension length, as scipy: 3·(2·sections + 1 − trailing first-order sections). */
export function sosPadLength(sos: Sos): number {
  const zeroB2 = sos.filter((s) => s[2] === 0).length;
  const zeroA2 = sos.filter((s) => s[5] === 0).length;
  return 3 * (2 * sos.length + 1 - Math.min(zeroB2, zeroA2));
}

/**
 * Zero-phase filtering of one contiguous segment. Segments shorter than the default extension
 * use the longest extension they allow (length − 1), where scipy would refuse.
 */
export function sosFiltfilt(sos: Sos, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n === 0) return new Float64Array(0);
  const pad = Math.min(sosPadLength(sos), n - 1);
  const ext = new Float64Array(n + 2 * pad);
  const first = x[0]!;
  const last = x[n - 1]!;
  for (let i = 0; i < pad; i++) ext[i] = 2 * first - x[pad - i]!;
  for (let i = 0; i < n; i++) ext[pad + i] = x[i]!;
  for (let i = 0; i < pad; i++) ext[pad + n + i] = 2 * last - x[n - 2 - i]!;
  const zi = sosInitialConditions(sos);
  sosFilterInPlace(sos, ext, zi, ext[0]!);
  ext.reverse();
  sosFilterInPlace(sos, ext, zi, ext[0]!);
  ext.reverse();
  return ext.slice(pad, pad + n);
}
