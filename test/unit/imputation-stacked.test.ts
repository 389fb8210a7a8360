import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve } from '../../src-main/numerics/cholesky';
import { SeededRandom } from '../../src-main/numerics/random';
import { autoregressiveImputation } from '../../src-main/imputation/autoregressiveImputation';
import {
  gaussianProcessFill,
  gaussianProcessInterpolation,
  observedAutocovariance,
} from '../../src-main/imputation/gaussianProcessInterpolation';
import { observedChannelMeans } from '../../src-main/imputation/baselines';
import { ImputationInputError, type MaskedSession } from '../../src-main/imputation/missingEntries';
import { withMissing } from '../helpers/maskedSessions';
import {
  gaussianProcessWeight,
  stackedImputation,
  stackingFeatures,
  type StackingCurves,
} from '../../src-main/imputation/stackedImputation';
import {
  calibrateStacking,
  fitStackingCurve,
  fitStackingCurves,
  mergeStackingStatistics,
  placeCalibrationStretches,
  stackingStatistics,
} from '../../src-main/imputation/stackingCalibration';

/**
 * EEG-like in the two ways that matter here: each channel has its own rhythm (8–12 Hz at 100 Hz
 * sampling, a sum of random-phase sinusoids: long memory that a short autoregression holds only in
 * part), and a fast common source (AR(1), φ = 0.8) reaches every channel with its own gain, so the
 * other channels' values say where it is.
 */
function simulateMixedRhythms(T: number, C: number, seed: number): MaskedSession {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(T * C);
  const gains = Array.from({ length: C }, () => 0.6 + rng.uniform());
  for (let c = 0; c < C; c++) {
    const parts = Array.from({ length: 24 }, () => ({
      w: (2 * Math.PI * (8 + 4 * rng.uniform())) / 100,
      phase: 2 * Math.PI * rng.uniform(),
    }));
    for (let t = 0; t < T; t++) {
      let v = 0;
      for (const p of parts) v += Math.cos(p.w * t + p.phase);
      data[t * C + c] = v / Math.sqrt(parts.length / 2);
    }
  }
  let common = 0;
  for (let t = 0; t < T; t++) {
    common = 0.8 * common + 0.4 * rng.normal();
    for (let c = 0; c < C; c++) data[t * C + c]! += gains[c]! * common + 0.1 * rng.normal();
  }
  return { data, nSamples: T, nChannels: C };
}

const rmse = (est: Float32Array, truth: MaskedSession, hidden: MaskedSession) => {
  let se = 0;
  let n = 0;
  for (let i = 0; i < est.length; i++)
    if (hidden.missing![i]) {
      se += (est[i]! - truth.data[i]!) ** 2;
      n++;
    }
  return Math.sqrt(se / n);
};

describe('stacking features', () => {
  it('measures each missing entry from its channel’s nearest observed sample and flags all-missing times', () => {
    // 8 samples × 2 channels: channel 0 missing at 0–1 (session edge) and 4–6, channel 1 at 4–5.
    const s = withMissing(
      { data: new Float32Array(16).fill(1), nSamples: 8, nChannels: 2 },
      (t, c) => (c === 0 && (t <= 1 || (t >= 4 && t <= 6))) || (c === 1 && t >= 4 && t <= 5),
    );
    const { distance, allMissing } = stackingFeatures(s);
    const ch0 = Array.from({ length: 8 }, (_, t) => distance[t * 2]);
    const ch1 = Array.from({ length: 8 }, (_, t) => distance[t * 2 + 1]);
    // At the session's start only the right side is observed: distance counts from there.
    expect(ch0).toEqual([1, 0, -1, -1, 0, 1, 0, -1]);
    expect(ch1).toEqual([-1, -1, -1, -1, 0, 0, -1, -1]);
    expect(Array.from(allMissing)).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
  });
});

describe('stacking curve fit', () => {
  it('recovers the logistic weight that generated the calibration statistics', () => {
    const truth = { intercept: -1.6, slope: 0.37, values: 1 };
    const spread = Array.from({ length: 41 }, (_, d) => 100 + 7 * ((d * 13) % 5));
    // x − a = w*(d)(g − a) exactly, so the least-squares weight at each distance is w*(d).
    const cross = spread.map((s, d) => s * gaussianProcessWeight(truth, d));
    const fit = fitStackingCurve({ cross, spread, values: 41 * 100 });
    expect(fit.intercept).toBeCloseTo(truth.intercept, 1);
    expect(fit.slope).toBeCloseTo(truth.slope, 2);
    expect(fit.values).toBe(4100);
  });

  it('pools statistics by adding them and refuses a calibration without any value', () => {
    const a = {
      gap: { cross: [1, 2], spread: [3, 4], values: 2 },
      dropout: { cross: [], spread: [], values: 0 },
    };
    const b = {
      gap: { cross: [1], spread: [1], values: 1 },
      dropout: { cross: [5], spread: [6], values: 1 },
    };
    const m = mergeStackingStatistics([a, b]);
    expect(m.gap).toEqual({ cross: [2, 2], spread: [4, 4], values: 3 });
    expect(m.dropout).toEqual({ cross: [5], spread: [6], values: 1 });
    expect(() => fitStackingCurves(mergeStackingStatistics([]))).toThrow(ImputationInputError);
    expect(() => fitStackingCurves(mergeStackingStatistics([]))).toThrow(/no calibration stretch fits/);
  });
});

describe('calibration stretches', () => {
  it('places stretches only where the session and the margin around them are observed', () => {
    const s = withMissing(
      { data: new Float32Array(3000 * 2), nSamples: 3000, nChannels: 2 },
      (t) => t >= 1000 && t < 1100,
    );
    const wanted = Array.from({ length: 12 }, (_, i) => ({
      length: 20,
      channel: i % 3 === 0 ? ('one' as const) : ('all' as const),
    }));
    const placed = placeCalibrationStretches(s, wanted, 50, new SeededRandom(3));
    expect(placed.length).toBeGreaterThan(6);
    for (const p of placed) {
      expect(p.end - p.start).toBe(20);
      expect(p.start).toBeGreaterThanOrEqual(50);
      expect(p.end + 50).toBeLessThanOrEqual(3000);
      // Clear of the real gap (with margin) …
      expect(p.end + 50 <= 1000 || p.start - 50 >= 1100).toBe(true);
    }
    // … and of each other.
    for (let i = 1; i < placed.length; i++)
      expect(placed[i]!.start - placed[i - 1]!.end).toBeGreaterThanOrEqual(50);
    expect(placed.filter((p) => p.channel !== null).length).toBeGreaterThan(0);
  });

  it('says clearly when the stretch lengths are not whole samples', () => {
    const s = simulateMixedRhythms(500, 2, 1);
    expect(() => stackingStatistics(s, { contextSamples: 50, order: 2, lengths: [2.5] })).toThrow(
      /whole samples/,
    );
  });

  it('refuses to calibrate on a session too short for one stretch and its context', () => {
    const s = simulateMixedRhythms(120, 2, 1);
    expect(() =>
      calibrateStacking([{ session: s, label: 'short' }], { contextSamples: 100, order: 2, lengths: [10] }),
    ).toThrow(/no calibration stretch fits in the observed data/);
  });
});

describe('stacked imputation', () => {
  const calibration = simulateMixedRhythms(8000, 6, 1);
  const truth = simulateMixedRhythms(8000, 6, 2);
  const lengths = [10, 20, 30];
  const starts = Array.from({ length: 24 }, (_, k) => 150 + k * 320);
  const hidden = withMissing(truth, (t, c) =>
    starts.some((g, k) => {
      const len = lengths[k % 3]!;
      // Every fourth stretch is a dropout of one channel, the rest all-channel gaps.
      return t >= g && t < g + len && (k % 4 !== 3 || c === k % 6);
    }),
  );

  it('is the GP and autoregressive fills weighted entry by entry with the curves', () => {
    const curves: StackingCurves = {
      gap: { intercept: -1.5, slope: 0.3, values: 1 },
      dropout: { intercept: -4, slope: 0.05, values: 1 },
    };
    const out = stackedImputation(hidden, { contextSamples: 100, order: 6, curves, samples: 16, seed: 3 });
    const gp = gaussianProcessFill(hidden, { contextSamples: 100, withStd: true });
    const ar = autoregressiveImputation(hidden, { order: 6, samples: 16, seed: 3 });
    const { distance, allMissing } = stackingFeatures(hidden);
    const C = hidden.nChannels;
    let checked = 0;
    for (let i = 0; i < out.imputed.length; i++) {
      if (!hidden.missing![i]) {
        expect(out.imputed[i]).toBe(hidden.data[i]);
        continue;
      }
      const curve = allMissing[Math.floor(i / C)] ? curves.gap : curves.dropout;
      const w = gaussianProcessWeight(curve, distance[i]!);
      expect(out.imputed[i]).toBeCloseTo(w * gp.imputed[i]! + (1 - w) * ar.imputed[i]!, 5);
      expect(out.std![i]).toBeCloseTo(w * gp.std![i]! + (1 - w) * ar.std![i]!, 5);
      checked++;
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('reports the GP’s posterior std: γ(0) − kᵀK⁻¹k under the channel’s autocovariance', () => {
    const one = withMissing(simulateMixedRhythms(1200, 1, 4), (t) => t >= 600 && t < 615);
    const L = 60;
    const { imputed, std } = gaussianProcessFill(one, { contextSamples: L, withStd: true });
    expect(Array.from(imputed)).toEqual(Array.from(gaussianProcessInterpolation(one, { contextSamples: L })));
    const mean = observedChannelMeans(one)[0]!;
    const gamma = observedAutocovariance(one, 0, mean, 2 * L + 15);
    const context = [
      ...Array.from({ length: L }, (_, i) => 540 + i),
      ...Array.from({ length: L }, (_, i) => 615 + i),
    ];
    const n = context.length;
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        K[i * n + j] = gamma[Math.abs(context[i]! - context[j]!)]! + (i === j ? 1e-4 * gamma[0]! + 1e-12 : 0);
    const chol = cholesky(K, n);
    for (const t of [600, 607, 614]) {
      const k = context.map((u) => gamma[Math.abs(t - u)]!);
      const solved = choleskySolve(chol, n, k);
      const variance = gamma[0]! - k.reduce((acc, v, i) => acc + v * solved[i]!, 0);
      expect(std![t]).toBeCloseTo(Math.sqrt(variance), 4);
    }
  });

  it('with curves calibrated on another recording, beats both of its parts on held-out gaps', () => {
    const curves = calibrateStacking([{ session: calibration, label: 'calibration' }], {
      contextSamples: 100,
      order: 8,
      lengths,
      rounds: 2,
      seed: 5,
    });
    expect(curves.gap.values).toBeGreaterThan(1000);
    expect(curves.dropout.values).toBeGreaterThan(0);
    const stacked = rmse(
      stackedImputation(hidden, { contextSamples: 100, order: 8, curves }).imputed,
      truth,
      hidden,
    );
    const gp = rmse(gaussianProcessInterpolation(hidden, { contextSamples: 100 }), truth, hidden);
    const ar = rmse(autoregressiveImputation(hidden, { order: 8 }).imputed, truth, hidden);
    // Measured 0.749 against 0.788 (GP) and 0.773 (autoregressive).
    expect(stacked).toBeLessThan(0.98 * Math.min(gp, ar));
  });

  it('refuses a session with nothing to impute', () => {
    const curves: StackingCurves = {
      gap: { intercept: 0, slope: 0.1, values: 1 },
      dropout: { intercept: 0, slope: 0.1, values: 1 },
    };
    expect(() => stackedImputation(truth, { contextSamples: 100, order: 4, curves })).toThrow(
      /nothing to impute/,
    );
  });
});
