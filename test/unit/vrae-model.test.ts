import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { wienerKl, wienerKlReference } from '../../src-main/engine/models/dvae/wienerPrior';
import { cholesky, choleskySolve, logDeterminantFromCholesky } from '../../src-main/numerics/cholesky';
import { SeededRandom } from '../../src-main/numerics/random';
import { DvaeConfigError, parseVraeConfig } from '../../src-shared/models/vrae';
import { parseVospConfig } from '../../src-shared/models/vosp';
import { VraeModel, VraeTrainer } from '../../src-main/engine/models/vrae';
import { VospModel } from '../../src-main/engine/models/vosp';
import { negativeElbo, recognitionFeatures } from '../../src-main/engine/models/dvae/sequenceModel';
import { DvaeTrainingError } from '../../src-main/engine/models/dvae/trainer';
import { denoiseSession } from '../../src-main/imputation/modelImputation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** KL(N(μ, diag s²) ‖ N(0, K)) with K_tr = v0 + v·min(t, r), the Wiener covariance, by dense algebra. */
function denseWienerKl(mu: number[], sd: number[], v0: number, v: number): number {
  const T = mu.length;
  const K = new Float64Array(T * T);
  for (let t = 0; t < T; t++) for (let r = 0; r < T; r++) K[t * T + r] = v0 + v * Math.min(t, r);
  const L = cholesky(K, T);
  let trace = 0;
  for (let t = 0; t < T; t++) {
    const e = new Float64Array(T);
    e[t] = 1;
    trace += choleskySolve(L, T, e)[t]! * sd[t]! ** 2;
  }
  const w = choleskySolve(L, T, mu);
  const quad = mu.reduce((a, m, t) => a + m * w[t]!, 0);
  const logDetQ = sd.reduce((a, s) => a + 2 * Math.log(s), 0);
  return 0.5 * (trace + quad - T + logDeterminantFromCholesky(L, T) - logDetQ);
}

describe('Wiener-process prior', () => {
  it('the KL after the increment map equals the KL from the dense Wiener covariance', () => {
    const rng = new SeededRandom(5);
    const T = 12;
    const mu = Array.from({ length: T }, () => rng.normal());
    const sd = Array.from({ length: T }, () => 0.2 + rng.uniform());
    for (const [v0, v] of [
      [1, 0.1],
      [2.5, 0.7],
    ] as const) {
      const dense = denseWienerKl(mu, sd, v0, v);
      expect(wienerKlReference(mu, sd, { initialVariance: v0, incrementVariance: v })).toBeCloseTo(dense, 8);
      const tfKl = wienerKl(tf.tensor3d(mu, [1, T, 1]), tf.tensor3d(sd, [1, T, 1]), {
        initialVariance: v0,
        incrementVariance: v,
      }).dataSync()[0]!;
      expect(tfKl).toBeCloseTo(dense, 2);
    }
  });
  it('is zero only when q is the prior (one step) and sums over batch and latent dimensions', () => {
    const p = { initialVariance: 2, incrementVariance: 0.5 };
    expect(wienerKl(tf.zeros([1, 1, 1]), tf.fill([1, 1, 1], Math.sqrt(2)), p).dataSync()[0]).toBeCloseTo(
      0,
      6,
    );
    const mu = tf.tensor3d([0.3, -1, 0.5, 2, 0.1, 0.4], [2, 3, 1]);
    const sd = tf.tensor3d([0.5, 0.6, 0.7, 0.8, 0.9, 1.0], [2, 3, 1]);
    const both = wienerKl(mu, sd, p).dataSync()[0]!;
    const a = wienerKlReference([0.3, -1, 0.5], [0.5, 0.6, 0.7], p);
    const b = wienerKlReference([2, 0.1, 0.4], [0.8, 0.9, 1.0], p);
    expect(both).toBeCloseTo(a + b, 4);
  });
});

describe('configuration', () => {
  it('fills defaults and names the offending field', () => {
    const c = parseVraeConfig({ n_channels: 4 });
    expect(c.wiener).toEqual({ initial_variance: 1, increment_variance: 0.1 });
    expect(c.sequence_length).toBe(256);
    expect(() => parseVraeConfig({ n_channels: 4, wiener: { increment_variance: -1 } })).toThrow(
      /wiener.increment_variance: increment_variance must be a positive finite number/,
    );
    expect(() => parseVraeConfig({ n_channels: 4, sequence_length: 64 })).toThrow(
      /masking.gap_max_samples: gap_max_samples \(96\) must be shorter than sequence_length \(64\)/,
    );
    expect(() => parseVraeConfig({ n_channels: 4, rnn_type: 'rnn' })).toThrow(DvaeConfigError);
    expect(() => parseVospConfig({ n_channels: 4, n_emission_units: 0 })).toThrow(
      /n_emission_units must be positive/,
    );
    expect(() => parseVraeConfig({ n_channels: 4, bogus: 1 })).toThrow(/invalid VRAE configuration/);
  });
});

const small = {
  n_channels: 3,
  sequence_length: 24,
  n_units: 8,
  latent_dim: 2,
  masking: { gap_min_samples: 2, gap_max_samples: 8 },
};

function sineSessions(n: number, T: number, seed: number) {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const data = new Float32Array(T * 3);
    const phase = rng.uniform() * 6;
    for (let t = 0; t < T; t++)
      for (let c = 0; c < 3; c++) data[t * 3 + c] = Math.sin(0.3 * t + phase + c) + 0.05 * rng.normal();
    return { data, nSamples: T, nChannels: 3 };
  });
}

describe('models', () => {
  it('missing entries do not reach the likelihood or the recognition model', () => {
    for (const model of [
      new VraeModel(parseVraeConfig(small)),
      new VospModel(parseVospConfig({ ...small, n_emission_units: 8 })),
    ]) {
      model.params.initialise(new SeededRandom(1));
      const shape: [number, number, number] = [2, 24, 3];
      const rng = new SeededRandom(2);
      const x = Array.from({ length: 144 }, () => rng.normal());
      const flags = x.map((_, i) => (i % 7 === 0 ? 1 : 0));
      const other = x.map((v, i) => (flags[i] ? v + 10 : v));
      const loss = (vals: number[]) =>
        tf.tidy(() => {
          const targets = tf.tensor3d(vals, shape);
          const f = tf.tensor3d(flags, shape);
          const weights = tf.scalar(1).sub(f) as tf.Tensor3D;
          return negativeElbo(
            model,
            { features: recognitionFeatures(targets, f), targets, weights },
            1,
            null,
          ).loss.dataSync()[0]!;
        });
      expect(loss(x)).toBeCloseTo(loss(other), 5);
      model.params.dispose();
    }
  });
  it('VOSP denoising is online (past only); VRAE is offline', () => {
    const [s] = sineSessions(1, 24, 3);
    const changed = { ...s!, data: Float32Array.from(s!.data) };
    for (let i = 15 * 3; i < 24 * 3; i++) changed.data[i]! += 1;
    const vosp = new VospModel(parseVospConfig({ ...small, n_emission_units: 8 }));
    vosp.params.initialise(new SeededRandom(4));
    const a = denoiseSession(vosp, s!);
    const b = denoiseSession(vosp, changed);
    expect(Array.from(a.subarray(0, 15 * 3))).toEqual(Array.from(b.subarray(0, 15 * 3)));
    expect(Array.from(a.subarray(16 * 3))).not.toEqual(Array.from(b.subarray(16 * 3)));
    const vrae = new VraeModel(parseVraeConfig(small));
    vrae.params.initialise(new SeededRandom(4));
    const c = denoiseSession(vrae, s!);
    const d = denoiseSession(vrae, changed);
    expect(Array.from(c.subarray(0, 3))).not.toEqual(Array.from(d.subarray(0, 3)));
  });
});

describe('training', () => {
  it('lowers the loss, reports batches and epochs, and resumes bit for bit from a checkpoint', async () => {
    const sessions = sineSessions(3, 120, 7);
    const config = { ...small, n_epochs: 4, batch_size: 4, n_kl_annealing_epochs: 1, seed: 3 };
    let batchesSeen = 0;
    const checkpoints: unknown[] = [];
    const full = new VraeTrainer(config, sessions, {
      onBatch: () => batchesSeen++,
      onEpoch: (_r, cp) => {
        checkpoints.push(cp);
      },
    });
    const result = await full.train();
    expect(result.status).toBe('completed');
    expect(result.history).toHaveLength(4);
    expect(batchesSeen).toBeGreaterThanOrEqual(4);
    expect(result.history[3]!.nll).toBeLessThan(result.history[0]!.nll);
    const resumed = new VraeTrainer(config, sessions);
    resumed.setState(checkpoints[1] as ReturnType<typeof full.getState>);
    await resumed.train();
    const w1 = full.model.params.getWeights();
    const w2 = resumed.model.params.getWeights();
    for (const k of Object.keys(w1)) expect(Array.from(w2[k]!)).toEqual(Array.from(w1[k]!));
    const other = new VraeTrainer({ ...config, n_units: 6 }, sessions);
    expect(() => other.setState(checkpoints[1] as ReturnType<typeof full.getState>)).toThrow(
      /different model configuration/,
    );
    full.dispose();
    resumed.dispose();
    other.dispose();
  });
  it('cancels between batches', async () => {
    const ctl = new AbortController();
    const t = new VraeTrainer({ ...small, n_epochs: 3, batch_size: 4 }, sineSessions(2, 200, 1), {
      signal: ctl.signal,
      onBatch: () => ctl.abort(),
    });
    expect((await t.train()).status).toBe('cancelled');
    expect(t.getState().epoch).toBe(0);
    t.dispose();
  });
  it('refuses bad data with specific errors', () => {
    const [s] = sineSessions(1, 60, 1);
    expect(() => new VraeTrainer(small, [{ ...s!, missing: new Uint8Array(60) }])).toThrow(
      /mask has 60 entries but the data has 180/,
    );
    expect(() => new VraeTrainer(small, [{ ...s!, missing: new Uint8Array(180).fill(1) }])).toThrow(
      /session 0: every value is missing/,
    );
    expect(() => new VraeTrainer(small, [{ ...s!, nChannels: 2, data: new Float32Array(120) }])).toThrow(
      /session 0 has 2 channels, the model expects 3/,
    );
    expect(() => new VraeTrainer(small, [{ ...s!, nSamples: 10, data: new Float32Array(30) }])).toThrow(
      DvaeTrainingError,
    );
    const nan = Float32Array.from(s!.data);
    nan[4] = NaN;
    expect(() => new VraeTrainer(small, [{ ...s!, data: nan }])).toThrow(
      /non-finite value at sample 1, channel 1/,
    );
  });
});
