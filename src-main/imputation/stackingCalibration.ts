/**
 * Calibration of the stacked imputer's weight curves (stackedImputation.ts) on data whose values
 * are known: synthetic all-channel gaps and single-channel dropouts are hidden in the observed parts
 * of sessions, both fills are computed with those stretches missing (the autoregressive model is
 * refitted without them), and per distance d the sufficient statistics of the least-squares weight
 * are accumulated:
 *
 *   min_w Σ ‖x − a − w (g − a)‖²  →  Σ_d (S_gg[d] w(d)² − 2 S_gx[d] w(d)),
 *   S_gg[d] = Σ (g − a)²,  S_gx[d] = Σ (g − a)(x − a).
 *
 * Statistics from several sessions add, so a curve can be fitted on other subjects' recordings
 * (those a model was trained on) and on the target's own observed values together.
 */
import { SeededRandom } from '../numerics/random';
import { autoregressiveImputation } from './autoregressiveImputation';
import { gaussianProcessFill } from './gaussianProcessInterpolation';
import { ImputationInputError, validateMaskedSession, type MaskedSession } from './missingEntries';
import {
  gaussianProcessWeight,
  stackingFeatures,
  type StackingCurve,
  type StackingCurves,
  type StackingEntryKind,
} from './stackedImputation';

export interface StackingCalibrationOptions {
  /** The GP's context on each side (samples). */
  contextSamples: number;
  /**
   * Observed samples kept between a synthetic stretch and any missing value or other stretch
   * (default: contextSamples, so the GP's context is complete). Short sessions need less.
   */
  marginSamples?: number;
  /** Order of the autoregressive model. */
  order: number;
  /** Lengths (samples) of the synthetic stretches. */
  lengths: number[];
  /** All-channel gaps per length and round (default 3). */
  gapsPerLength?: number;
  /** Single-channel dropouts per length and round (default 1; 0 for single-channel data). */
  dropoutsPerLength?: number;
  /** Rounds of stretches at fresh positions (default 3). */
  rounds?: number;
  seed?: number;
}

/** Per-distance sums for one kind of entry. */
export interface StackingSums {
  /** Σ (g − a)(x − a) at distance d. */
  cross: number[];
  /** Σ (g − a)² at distance d. */
  spread: number[];
  values: number;
}

export interface StackingStatistics {
  gap: StackingSums;
  dropout: StackingSums;
}

/** Nothing to calibrate on: no synthetic stretch fitted in the observed data. */
export class StackingCalibrationError extends ImputationInputError {
  constructor(message: string) {
    super(message);
    this.name = 'StackingCalibrationError';
  }
}

export interface CalibrationStretch {
  channel: number | null;
  start: number;
  end: number;
}

const emptySums = (): StackingSums => ({ cross: [], spread: [], values: 0 });

export function emptyStackingStatistics(): StackingStatistics {
  return { gap: emptySums(), dropout: emptySums() };
}

/**
 * Synthetic stretches placed at random (seeded) where the session and `margin` samples on either
 * side are fully observed, and apart from each other by the same margin. As many as fit, up to the
 * number asked for: a session with many gaps yields fewer.
 */
export function placeCalibrationStretches(
  s: MaskedSession,
  wanted: ReadonlyArray<{ length: number; channel: 'all' | 'one' }>,
  margin: number,
  rng: SeededRandom,
): CalibrationStretch[] {
  const T = s.nSamples;
  const C = s.nChannels;
  const blocked = new Uint8Array(T);
  if (s.missing)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++)
        if (s.missing[t * C + c]) {
          blocked[t] = 1;
          break;
        }
  const order = wanted.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.integerBelow(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: CalibrationStretch[] = [];
  for (const i of order) {
    const { length, channel } = wanted[i]!;
    const first = margin;
    const last = T - margin - length;
    if (last < first) continue;
    for (let attempt = 0; attempt < 200; attempt++) {
      const start = first + rng.integerBelow(last - first + 1);
      let clash = false;
      for (let t = start - margin; t < start + length + margin && !clash; t++) clash = blocked[t] === 1;
      if (clash) continue;
      blocked.fill(1, start, start + length);
      out.push({ channel: channel === 'all' ? null : rng.integerBelow(C), start, end: start + length });
      break;
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function accumulate(sums: StackingSums, d: number, cross: number, spread: number): void {
  while (sums.cross.length <= d) {
    sums.cross.push(0);
    sums.spread.push(0);
  }
  sums.cross[d]! += cross;
  sums.spread[d]! += spread;
  sums.values += 1;
}

/** Statistics of one session: `rounds` sets of synthetic stretches, each scored with both fills. */
export function stackingStatistics(
  s: MaskedSession,
  options: StackingCalibrationOptions,
  label = 'session',
): StackingStatistics {
  validateMaskedSession(s, label);
  const T = s.nSamples;
  const C = s.nChannels;
  const rng = new SeededRandom(options.seed ?? 0);
  const wanted: Array<{ length: number; channel: 'all' | 'one' }> = [];
  for (const length of options.lengths) {
    if (!Number.isInteger(length) || length < 1)
      throw new ImputationInputError(`calibration stretch lengths must be whole samples ≥ 1, got ${length}`);
    for (let i = 0; i < (options.gapsPerLength ?? 3); i++) wanted.push({ length, channel: 'all' });
    if (C > 1)
      for (let i = 0; i < (options.dropoutsPerLength ?? 1); i++) wanted.push({ length, channel: 'one' });
  }
  const stats = emptyStackingStatistics();
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    const stretches = placeCalibrationStretches(
      s,
      wanted,
      options.marginSamples ?? options.contextSamples,
      rng,
    );
    if (stretches.length === 0) continue;
    const missing = s.missing ? Uint8Array.from(s.missing) : new Uint8Array(T * C);
    const synthetic = new Uint8Array(T * C);
    for (const st of stretches)
      for (let t = st.start; t < st.end; t++)
        for (let c = 0; c < C; c++) {
          if (st.channel !== null && c !== st.channel) continue;
          missing[t * C + c] = 1;
          synthetic[t * C + c] = 1;
        }
    const masked: MaskedSession = { ...s, missing };
    const gp = gaussianProcessFill(masked, {
      contextSamples: options.contextSamples,
      fillRun: (r) => synthetic[r.start * C + r.channel] === 1,
    }).imputed;
    const ar = autoregressiveImputation(
      masked,
      { order: options.order, solveOnly: synthetic },
      label,
    ).imputed;
    const { distance, allMissing } = stackingFeatures(masked);
    for (let i = 0; i < synthetic.length; i++) {
      if (!synthetic[i]) continue;
      const u = gp[i]! - ar[i]!;
      const v = s.data[i]! - ar[i]!;
      const kind: StackingEntryKind = allMissing[Math.floor(i / C)] ? 'gap' : 'dropout';
      accumulate(stats[kind], distance[i]!, u * v, u * u);
    }
  }
  return stats;
}

export function mergeStackingStatistics(list: readonly StackingStatistics[]): StackingStatistics {
  const out = emptyStackingStatistics();
  for (const stats of list)
    for (const kind of ['gap', 'dropout'] as const) {
      const from = stats[kind];
      for (let d = 0; d < from.cross.length; d++) {
        while (out[kind].cross.length <= d) {
          out[kind].cross.push(0);
          out[kind].spread.push(0);
        }
        out[kind].cross[d]! += from.cross[d]!;
        out[kind].spread[d]! += from.spread[d]!;
      }
      out[kind].values += from.values;
    }
  return out;
}

/**
 * The logistic curve minimising the calibration's squared error: a grid over intercept ∈ [−8, 8]
 * and slope ∈ [0, 2] per sample (non-negative: the GP's share grows with the distance from the
 * observed edge), refined once around the best cell. The objective is cheap (one term per
 * distance), so the search is exhaustive rather than local.
 */
export function fitStackingCurve(sums: StackingSums): StackingCurve {
  if (sums.values === 0) return { intercept: 0, slope: 0, values: 0 };
  const objective = (a: number, b: number) => {
    let f = 0;
    for (let d = 0; d < sums.cross.length; d++) {
      const w = gaussianProcessWeight({ intercept: a, slope: b, values: 1 }, d);
      f += sums.spread[d]! * w * w - 2 * sums.cross[d]! * w;
    }
    return f;
  };
  let best = { a: 0, b: 0, f: Infinity };
  const search = (a0: number, a1: number, da: number, b0: number, b1: number, db: number) => {
    for (let a = a0; a <= a1 + 1e-9; a += da)
      for (let b = Math.max(0, b0); b <= b1 + 1e-9; b += db) {
        const f = objective(a, b);
        if (f < best.f) best = { a, b, f };
      }
  };
  search(-8, 8, 0.1, 0, 2, 0.02);
  search(best.a - 0.1, best.a + 0.1, 0.01, best.b - 0.02, best.b + 0.02, 0.002);
  return { intercept: best.a, slope: best.b, values: sums.values };
}

export function fitStackingCurves(stats: StackingStatistics): StackingCurves {
  const curves = { gap: fitStackingCurve(stats.gap), dropout: fitStackingCurve(stats.dropout) };
  if (curves.gap.values === 0 && curves.dropout.values === 0)
    throw new StackingCalibrationError(
      'no calibration stretch fits in the observed data: the stacked imputer needs stretches of 100–500 ms (or the asked lengths) with a margin of fully observed data on both sides; use the autoregressive imputer for sessions this short or this gappy',
    );
  return curves;
}

/** Curves from the statistics of several sessions (each with its own seed), pooled. */
export function calibrateStacking(
  sessions: ReadonlyArray<{ session: MaskedSession; label: string }>,
  options: StackingCalibrationOptions,
  onSession: (done: number, total: number) => void = () => undefined,
): StackingCurves {
  const stats: StackingStatistics[] = [];
  sessions.forEach(({ session, label }, i) => {
    stats.push(stackingStatistics(session, { ...options, seed: (options.seed ?? 0) + 7919 * i }, label));
    onSession(i + 1, sessions.length);
  });
  return fitStackingCurves(mergeStackingStatistics(stats));
}
