import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { VraeTrainer } from '../../src-main/engine/models/vrae';
import { VospModel } from '../../src-main/engine/models/vosp';
import { parseVospConfig } from '../../src-shared/models/vosp';
import { imputeSession, imputeSessions } from '../../src-main/imputation/modelImputation';
import { linearInterpolation } from '../../src-main/imputation/baselines';
import { SeededRandom } from '../../src-main/numerics/random';
import type { MaskedSession } from '../../src-main/imputation/missingEntries';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const C = 3;
function sines(T: number, seed: number): MaskedSession {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(T * C);
  const phase = rng.uniform() * 6;
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) data[t * C + c] = Math.sin(0.35 * t + phase + 0.8 * c);
  return { data, nSamples: T, nChannels: C };
}

function withGap(s: MaskedSession, start: number, end: number): MaskedSession {
  const missing = new Uint8Array(s.data.length);
  missing.fill(1, start * C, end * C);
  const data = Float32Array.from(s.data);
  data.fill(NaN, start * C, end * C);
  return { ...s, data, missing };
}

describe('imputation with a trained VRAE', () => {
  let trainer: VraeTrainer;
  beforeAll(async () => {
    trainer = new VraeTrainer(
      {
        n_channels: C,
        sequence_length: 32,
        n_units: 16,
        latent_dim: 4,
        n_epochs: 25,
        batch_size: 8,
        n_kl_annealing_epochs: 3,
        learning_rate: 0.01,
        masking: { gap_min_samples: 2, gap_max_samples: 10, gap_probability: 0.9 },
        seed: 2,
      },
      [0, 1, 2, 3].map((i) => sines(400, i)),
    );
    await trainer.train();
  }, 120_000);

  it('fills a gap better than a straight line, keeps observed values, and reports uncertainty only in the gap', () => {
    const truth = sines(200, 9);
    const gapped = withGap(truth, 100, 108);
    const out = imputeSession(trainer.model, gapped, { iterations: 2, samples: 8, seed: 1 });
    const rmse = (x: Float32Array) => {
      let s = 0;
      for (let i = 100 * C; i < 108 * C; i++) s += (x[i]! - truth.data[i]!) ** 2;
      return Math.sqrt(s / (8 * C));
    };
    const model = rmse(out.imputed);
    expect(model).toBeLessThan(0.8 * rmse(linearInterpolation(gapped)));
    expect(out.imputed[50 * C]).toBe(truth.data[50 * C]);
    expect(out.std![50 * C]).toBe(0);
    expect(out.std![104 * C]).toBeGreaterThan(0);
    expect([...out.missing.subarray(100 * C, 108 * C)].every((v) => v === 1)).toBe(true);
    // Seeded: the same call gives the same samples.
    const again = imputeSession(trainer.model, gapped, { iterations: 2, samples: 8, seed: 1 });
    expect(Array.from(again.std!)).toEqual(Array.from(out.std!));
  });

  it('reports the predictive std by default: the posterior spread of the fill plus the emission noise', () => {
    const gapped = withGap(sines(200, 9), 100, 108);
    const opts = { iterations: 1, samples: 6, seed: 4 };
    const predictive = imputeSession(trainer.model, gapped, opts).std!;
    const posterior = imputeSession(trainer.model, gapped, { ...opts, uncertainty: 'posterior' }).std!;
    for (let i = 100 * C; i < 108 * C; i++) expect(predictive[i]!).toBeGreaterThan(posterior[i]! + 1e-6);
    expect(predictive[50 * C]).toBe(0);
  });

  it('with a fixed emission std σ, predictive² − posterior² is σ² at every missing entry', async () => {
    const fixed = new VraeTrainer(
      {
        n_channels: C,
        sequence_length: 32,
        n_units: 8,
        latent_dim: 2,
        n_epochs: 1,
        batch_size: 8,
        emission_std: 'fixed',
        fixed_std: 0.3,
        masking: { gap_min_samples: 2, gap_max_samples: 8 },
        seed: 3,
      },
      [sines(100, 1)],
    );
    await fixed.train();
    const gapped = withGap(sines(120, 5), 40, 46);
    const opts = { samples: 5, seed: 2 };
    const predictive = imputeSession(fixed.model, gapped, opts).std!;
    const posterior = imputeSession(fixed.model, gapped, { ...opts, uncertainty: 'posterior' }).std!;
    for (let i = 40 * C; i < 46 * C; i++)
      expect(predictive[i]! ** 2 - posterior[i]! ** 2).toBeCloseTo(0.09, 4);
    fixed.dispose();
  });

  it('centred windows and the posterior-mean estimate fill the gap and keep observed values', () => {
    const truth = sines(300, 9);
    const gapped = withGap(truth, 140, 148);
    const rmse = (x: Float32Array) => {
      let s = 0;
      for (let i = 140 * C; i < 148 * C; i++) s += (x[i]! - truth.data[i]!) ** 2;
      return Math.sqrt(s / (8 * C));
    };
    const centred = imputeSession(trainer.model, gapped, { windows: 'centred', windowContext: 24 });
    expect(rmse(centred.imputed)).toBeLessThan(0.8 * rmse(linearInterpolation(gapped)));
    expect(centred.imputed[10 * C]).toBe(truth.data[10 * C]);
    const pm = imputeSession(trainer.model, gapped, {
      windows: 'centred',
      estimate: 'posterior_mean',
      samples: 16,
      seed: 3,
    });
    expect(rmse(pm.imputed)).toBeLessThan(0.8 * rmse(linearInterpolation(gapped)));
    expect(pm.std![144 * C]).toBeGreaterThan(0);
    // The estimate is the mean over the draws, not the mode.
    expect(pm.imputed[144 * C]).not.toBe(centred.imputed[144 * C]);
  });

  it('refuses what it cannot impute, with specific messages', () => {
    const ok = sines(200, 9);
    expect(() => imputeSessions(trainer.model, [ok, ok])).toThrow(
      /no gaps or missing values: there is nothing to impute/,
    );
    expect(() => imputeSessions(trainer.model, [])).toThrow(/no sessions to impute/);
    expect(() => imputeSessions(trainer.model, [withGap(ok, 0, 200)])).toThrow(
      /session 0: every value is missing/,
    );
    expect(() => imputeSessions(trainer.model, [withGap(ok, 50, 70)])).toThrow(
      /gap of 20 samples ending at sample 70 is longer than half the model's sequence length \(32 samples\)/,
    );
    expect(() =>
      imputeSessions(trainer.model, [{ ...withGap(ok, 50, 55), missing: new Uint8Array(200) }]),
    ).toThrow(/mask has 200 entries but the data has 600/);
    expect(() =>
      imputeSessions(trainer.model, [{ data: new Float32Array(400), nSamples: 200, nChannels: 2 }]),
    ).toThrow(/session 0 has 2 channels, the model was trained on 3/);
    expect(() => imputeSession(trainer.model, withGap(ok, 50, 55), { iterations: 0 })).toThrow(
      /iterations must be a positive integer/,
    );
    expect(() => imputeSession(trainer.model, withGap(ok, 50, 55), { estimate: 'posterior_mean' })).toThrow(
      /the posterior_mean estimate needs samples of at least 1, got 0/,
    );
    expect(() =>
      imputeSession(trainer.model, withGap(ok, 50, 55), { windows: 'centred', windowContext: 0 }),
    ).toThrow(/windowContext must be a positive integer, got 0/);
  });

  it('passes sessions without gaps through unchanged when others have gaps', () => {
    const ok = sines(100, 3);
    const res = imputeSessions(trainer.model, [ok, withGap(sines(100, 4), 40, 44)]);
    expect(Array.from(res[0]!.imputed)).toEqual(Array.from(ok.data));
    expect(res[0]!.std).toBeNull();
    expect(Number.isFinite(res[1]!.imputed[41 * C]!)).toBe(true);
  });
});

describe('imputation with a VOSP', () => {
  it('runs the same procedure online and fills only the missing entries', () => {
    const model = new VospModel(
      parseVospConfig({
        n_channels: C,
        sequence_length: 32,
        n_units: 8,
        latent_dim: 2,
        masking: { gap_max_samples: 8 },
      }),
    );
    model.params.initialise(new SeededRandom(1));
    const s = withGap(sines(120, 1), 60, 64);
    const out = imputeSession(model, s, { iterations: 3 });
    expect(out.imputed[10]).toBe(s.data[10]);
    for (let i = 60 * C; i < 64 * C; i++) expect(Number.isFinite(out.imputed[i]!)).toBe(true);
    model.params.dispose();
  });
});
