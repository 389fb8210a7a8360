import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src-main/numerics/random';
import { EmbeddedCovarianceAccumulator, tdePcaSessions } from '../../src-main/data/prepare/tdePca';
import { groupCovariance, pcaFromCovariance } from '../../src-main/data/prepare/pca';
import { runPipeline } from '../../src-main/data/prepare/pipeline';
import { symmetricEigen } from '../../src-main/numerics/symmetricEigen';
import type { TimeSeriesSession } from '../../src-shared/domain/preparation';
import { gapMaskWith, sessionFrom } from './prepare-helpers';

/** Correlated AR(1) noise so lagged covariances are not trivial. */
function noisySession(
  rng: SeededRandom,
  nSamples: number,
  nChannels: number,
  gapMask?: Uint8Array,
): TimeSeriesSession {
  const state = new Float64Array(nChannels);
  const rows: number[][] = [];
  for (let t = 0; t < nSamples; t++) {
    const shared = rng.normal();
    for (let c = 0; c < nChannels; c++) state[c] = 0.8 * state[c]! + rng.normal() + (c + 1) * 0.3 * shared;
    rows.push(Array.from(state, (v, c) => v * (c + 1) + c));
  }
  return sessionFrom(
    nSamples,
    100,
    Array.from({ length: nChannels }, (_, c) => (t: number) => rows[t]![c]!),
    gapMask,
  );
}

/** Naive reference: standardise, embed explicitly (osl order), keep windows fully inside valid runs. */
function naiveEmbedded(s: TimeSeriesSession, e: number): { rows: Float64Array[]; index: number[] } {
  const C = s.nChannels;
  const valid = (t: number) => !s.gapMask || s.gapMask[t] === 0;
  const mean = new Float64Array(C);
  const sd = new Float64Array(C);
  let count = 0;
  for (let t = 0; t < s.nSamples; t++) if (valid(t)) count++;
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let t = 0; t < s.nSamples; t++) if (valid(t)) m += s.data[t * C + c]!;
    m /= count;
    let v = 0;
    for (let t = 0; t < s.nSamples; t++) if (valid(t)) v += (s.data[t * C + c]! - m) ** 2;
    mean[c] = m;
    sd[c] = Math.sqrt(v / count);
  }
  const span = e - 1;
  const rows: Float64Array[] = [];
  const index: number[] = [];
  for (let i = 0; i + span < s.nSamples; i++) {
    let ok = true;
    for (let t = i; t <= i + span; t++) ok &&= valid(t);
    if (!ok) continue;
    const row = new Float64Array(C * e);
    for (let c = 0; c < C; c++)
      for (let j = 0; j < e; j++) row[c * e + j] = (s.data[(i + span - j) * C + c]! - mean[c]!) / sd[c]!;
    rows.push(row);
    index.push(i);
  }
  return { rows, index };
}

function naiveCovariance(rows: Float64Array[], width: number): Float64Array {
  const cov = new Float64Array(width * width);
  for (const r of rows)
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) cov[i * width + j]! += r[i]! * r[j]!;
  return cov;
}

describe('embedded covariance from lagged covariances', () => {
  it.each([
    [3, 5, 300], // short runs: direct lagged sums
    [3, 5, 3000], // long runs: blocked FFT cross-spectra
    [2, 15, 2500],
  ])(
    'equals the covariance of the explicit embedding (%i channels, %i embeddings, %i samples)',
    (C, E, n) => {
      const rng = new SeededRandom(C * 1000 + E + n);
      const s = noisySession(rng, n, C);
      const { rows } = naiveEmbedded(s, E);
      const expected = naiveCovariance(rows, C * E);
      const acc = new EmbeddedCovarianceAccumulator(C, E);
      // Feed the same standardised columns the naive reference used (an embedding of 1 is the data).
      const std = naiveEmbedded(s, 1).rows;
      acc.addRun(Array.from({ length: C }, (_, c) => Float64Array.from(std, (r) => r[c]!)));
      const got = acc.covariance();
      expect(acc.nCentres).toBe(rows.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / n);
      expect(worst).toBeLessThan(1e-10);
    },
  );
});

describe('pca', () => {
  it('matches the closed-form eigendecomposition of a 2-channel covariance', async () => {
    const rng = new SeededRandom(5);
    const sessions = [0, 1].map(() => {
      const n = 2000;
      const a = Array.from({ length: n }, () => rng.normal());
      const b = Array.from({ length: n }, () => rng.normal());
      return sessionFrom(n, 100, [(t) => 3 * a[t]! + 1, (t) => 2 * a[t]! + b[t]! - 4]);
    });
    const { sessions: out, info } = await runPipeline(sessions, {
      steps: [{ name: 'pca', params: { n_pca_components: 1 } }],
    });
    // Independent reference: standardise each session, sum x xᵀ, solve the 2 × 2 eigenproblem by hand.
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (const s of sessions) {
      const cols = [0, 1].map((c) => Array.from({ length: s.nSamples }, (_, t) => s.data[t * 2 + c]!));
      const z = cols.map((x) => {
        const m = x.reduce((p, q) => p + q, 0) / x.length;
        const sd = Math.sqrt(x.reduce((p, q) => p + (q - m) ** 2, 0) / x.length);
        return x.map((v) => (v - m) / sd);
      });
      z[0]!.forEach((v, t) => {
        sxx += v * v;
        sxy += v * z[1]![t]!;
        syy += z[1]![t]! ** 2;
      });
    }
    const half = (sxx + syy) / 2;
    const radius = Math.hypot((sxx - syy) / 2, sxy);
    const lambda = half + radius;
    const v = [sxy, lambda - sxx];
    const norm = Math.hypot(v[0]!, v[1]!);
    const sign = Math.abs(v[0]!) >= Math.abs(v[1]!) ? Math.sign(v[0]!) : Math.sign(v[1]!);
    expect(info.pcaComponents![0]![0]).toBeCloseTo((sign * v[0]!) / norm, 6);
    expect(info.pcaComponents![1]![0]).toBeCloseTo((sign * v[1]!) / norm, 6);
    expect(info.explainedVariance).toBeCloseTo(lambda / (sxx + syy), 8);
    expect(out[0]!.nChannels).toBe(1);
    expect(info.channelNames).toEqual(['PC1']);
  });

  it('has orthonormal components, explained variances that sum to one, and whitens to unit variance', async () => {
    const rng = new SeededRandom(9);
    const sessions = [
      noisySession(rng, 1500, 5),
      noisySession(rng, 1200, 5, gapMaskWith(1200, [[300, 340]])),
    ];
    const { covariance, nValid } = groupCovariance(sessions.map((s) => s));
    const all = pcaFromCovariance(covariance, 5, nValid, 5, false);
    expect(all.explainedVariance).toBeCloseTo(1, 12);
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        let dot = 0;
        for (let i = 0; i < 5; i++) dot += all.components[i * 5 + a]! * all.components[i * 5 + b]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    const eig = symmetricEigen(covariance, 5);
    expect(pcaFromCovariance(covariance, 5, nValid, 2, false).explainedVariance).toBeCloseTo(
      (eig.values[0]! + eig.values[1]!) / Array.from(eig.values).reduce((p, q) => p + q, 0),
      12,
    );
    const { sessions: white } = await runPipeline(sessions, {
      steps: [{ name: 'pca', params: { n_pca_components: 3, whiten: true } }],
    });
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      let count = 0;
      white.forEach((s) => {
        for (let t = 0; t < s.nSamples; t++) {
          if (s.gapMask?.[t]) continue;
          sum += s.data[t * 3 + k]! ** 2;
          count++;
        }
      });
      expect(sum / count).toBeCloseTo(1, 4);
    }
  });
});

describe('tde_pca', () => {
  it('equals standardise → explicit embedding → exact PCA → projection, with gaps and several sessions', async () => {
    const rng = new SeededRandom(21);
    const E = 7;
    const sessions = [
      noisySession(rng, 1400, 4, gapMaskWith(1400, [[600, 630]])),
      noisySession(rng, 1300, 4),
    ];
    const K = 6;
    const { sessions: out, model } = await tdePcaSessions(sessions, {
      nEmbeddings: E,
      nPcaComponents: K,
      whiten: false,
    });
    const embedded = sessions.map((s) => naiveEmbedded(s, E));
    const cov = naiveCovariance(
      embedded.flatMap((e) => e.rows),
      4 * E,
    );
    const eig = symmetricEigen(cov, 4 * E);
    for (let k = 0; k < K; k++) {
      // Same subspace direction: |⟨reference, ours⟩| = 1.
      let dot = 0;
      for (let i = 0; i < 4 * E; i++) dot += eig.vectors[i * 4 * E + k]! * model.components[i * K + k]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
    }
    embedded.forEach((e, si) => {
      const s = out[si]!;
      expect(s.nSamples).toBe(sessions[si]!.nSamples - (E - 1));
      e.rows.forEach((row, r) => {
        const i = e.index[r]!;
        expect(s.gapMask?.[i] ?? 0).toBe(0);
        for (let k = 0; k < K; k++) {
          let y = 0;
          for (let j = 0; j < 4 * E; j++) y += row[j]! * model.components[j * K + k]!;
          expect(s.data[i * K + k]).toBeCloseTo(y, 3);
        }
      });
      const nMissing = s.gapMask ? s.gapMask.reduce((p, q) => p + q, 0) : 0;
      expect(s.nSamples - nMissing).toBe(e.rows.length);
    });
  });

  it('matches the tde step followed by the pca computation on the embedded data (up to sign)', async () => {
    const rng = new SeededRandom(4);
    const sessions = [noisySession(rng, 900, 3), noisySession(rng, 700, 3)];
    const viaTdePca = await runPipeline(sessions, {
      steps: [{ name: 'tde_pca', params: { n_embeddings: 5, n_pca_components: 4 } }],
    });
    const viaTde = await runPipeline(sessions, {
      steps: [{ name: 'standardize' }, { name: 'tde', params: { n_embeddings: 5 } }],
    });
    const { covariance, nValid } = groupCovariance(viaTde.sessions);
    const reference = pcaFromCovariance(covariance, 15, nValid, 4, false);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 15; i++) {
        expect(Math.abs(viaTdePca.info.pcaComponents![i]![k]!)).toBeCloseTo(
          Math.abs(reference.components[i * 4 + k]!),
          5,
        );
      }
    }
    expect(viaTdePca.info.explainedVariance).toBeCloseTo(reference.explainedVariance!, 6);
    expect(viaTdePca.info.sessionStartTimes).toEqual([0.02, 0.02]);
  });
});
