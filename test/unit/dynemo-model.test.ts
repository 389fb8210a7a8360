import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngineBackend } from '../../src-main/engine/backend';
import { simulate } from '../../src-main/data/simulate/simulate';
import { SeededRandom } from '../../src-main/numerics/random';
import { DynemoModel } from '../../src-main/engine/models/dynemo/model';
import { sequenceGaussianKl } from '../../src-main/engine/ops/sequenceGaussianKl';
import {
  CheckpointMismatchError,
  DynemoTrainer,
  TrainingDivergedError,
  type DynemoTrainerState,
  type EpochRecord,
  type NanReport,
} from '../../src-main/engine/models/dynemo/trainer';
import { DynemoConfigError, parseDynemoConfig, type DynemoConfigInput } from '../../src-shared/models/dynemo';
import type { SessionInput } from '../../src-main/engine/training/sequences';

const small: DynemoConfigInput = {
  n_modes: 3,
  n_channels: 5,
  sequence_length: 40,
  inference_n_units: 12,
  model_n_units: 12,
  batch_size: 8,
  n_epochs: 4,
  n_kl_annealing_epochs: 2,
  n_init: 2,
  n_init_epochs: 1,
  seed: 11,
};

function hmmSessions(nSamples = 1600, seed = 1): SessionInput[] {
  return simulate({ kind: 'HMM_MVN', n_states: 3, n_channels: 5, n_samples: nSamples, seed }).sessions;
}

function sameWeights(a: Record<string, Float32Array>, b: Record<string, Float32Array>): boolean {
  return Object.keys(a).every(
    (k) => a[k]!.length === b[k]!.length && a[k]!.every((v, i) => Object.is(v, b[k]![i])),
  );
}

beforeAll(async () => {
  await initEngineBackend({ maxBackend: 'wasm' });
});

describe('DyNeMo model', () => {
  it('gives posterior, α and observation model of the right shapes and kinds', () => {
    const config = parseDynemoConfig({ ...small, learn_means: true });
    const model = new DynemoModel(config);
    model.initialise(new SeededRandom(1));
    const x = tf.randomNormal([2, 40, 5], 0, 1, 'float32', 3) as tf.Tensor3D;
    const out = model.infer(x);
    expect(out.alpha.shape).toEqual([2, 40, 3]);
    expect(out.thetaMean.shape).toEqual([2, 40, 3]);
    const alpha = out.alpha.dataSync();
    for (let t = 0; t < 80; t++)
      expect(alpha[3 * t]! + alpha[3 * t + 1]! + alpha[3 * t + 2]!).toBeCloseTo(1, 5);
    expect(Math.min(...out.thetaStd.dataSync())).toBeGreaterThan(0);
    const covs = model.covariances();
    expect(covs.length).toBe(3 * 25);
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < 5; i++) {
        // osl-dynamics' start: diagonal matrices with entries near 1.
        expect(covs[k * 25 + i * 5 + i]).toBeGreaterThan(0.7);
        expect(covs[k * 25 + i * 5 + i]).toBeLessThan(1.3);
        for (let j = 0; j < i; j++) expect(covs[k * 25 + i * 5 + j]).toBe(0);
      }
    const means = model.means();
    expect(means.length).toBe(15);
    expect(Math.max(...means.map(Math.abs))).toBeLessThan(0.05);
    expect(model.temperature()).toBe(1);
    const terms = tf.tidy(() => {
      const t = model.lossTerms(x, { training: true, rng: new SeededRandom(2), klFactor: 0.5 });
      return [t.loss, t.nll, t.kl].map((s) => s.dataSync()[0]!);
    });
    expect(terms[0]).toBeCloseTo(terms[1]! + 0.5 * terms[2]!, 4);
    expect(terms[2]).toBeGreaterThan(0);
    model.dispose();
    tf.dispose([x, out.alpha, out.thetaMean, out.thetaStd]);
  });

  it('reproduces given initial covariances and fixed means', () => {
    const cov = [
      [2, 0.5],
      [0.5, 1],
    ];
    const config = parseDynemoConfig({
      ...small,
      n_modes: 2,
      n_channels: 2,
      learn_covariances: false,
      initial_covariances: [
        cov,
        [
          [1, 0],
          [0, 3],
        ],
      ],
      initial_means: [
        [1, 2],
        [3, 4],
      ],
    });
    const model = new DynemoModel(config);
    model.initialise(new SeededRandom(1));
    expect(model.trainable.has('covs')).toBe(false);
    expect(model.trainable.has('means')).toBe(false);
    const c = Array.from(model.covariances());
    [2, 0.5, 0.5, 1, 1, 0, 0, 3].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 5));
    expect(Array.from(model.means())).toEqual([1, 2, 3, 4]);
    model.dispose();
  });

  it('computes the analytic Gaussian KL', () => {
    const one = (v: number) => tf.tensor3d([v], [1, 1, 1]);
    const kl = sequenceGaussianKl(one(1), one(0.5), one(0), one(2), 0).dataSync()[0]!;
    expect(kl).toBeCloseTo(Math.log(2 / 0.5) + (0.25 + 1) / 8 - 0.5, 6);
    expect(sequenceGaussianKl(one(0.3), one(1.2), one(0.3), one(1.2), 0).dataSync()[0]).toBeCloseTo(0, 7);
  });
});

describe('DyNeMo training', () => {
  it('lowers the loss, reports batches and epochs, and returns per-session outputs', async () => {
    const sessions = hmmSessions();
    const epochs: EpochRecord[] = [];
    let batchesSeen = 0;
    const trainer = new DynemoTrainer({ ...small, n_epochs: 6, learning_rate: 0.02 }, sessions, {
      onEpoch: (r) => void epochs.push(r),
      onBatch: (r) => {
        batchesSeen++;
        expect(Number.isFinite(r.loss)).toBe(true);
      },
    });
    const result = await trainer.train();
    expect(result.status).toBe('completed');
    // 1600 / 40 = 40 sequences → 5 batches per epoch; 2 init epochs + 6 fit epochs.
    expect(batchesSeen).toBe(8 * 5);
    const fit = epochs.filter((e) => e.phase === 'fit');
    expect(fit.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fit.map((e) => e.kl_factor)).toEqual([0, 0.5, 1, 1, 1, 1]);
    expect(fit[0]!.lr).toBe(0.02);
    expect(fit[2]!.lr).toBeCloseTo(0.02 * Math.exp(-0.1), 10);
    expect(fit[5]!.nll).toBeLessThan(fit[0]!.nll);
    const out = trainer.outputs();
    expect(out.alpha).toHaveLength(1);
    expect(out.alpha[0]!.length).toBe(1600 * 3);
    expect(out.alpha[0]!.every(Number.isFinite)).toBe(true);
    expect(out.covariances.length).toBe(3 * 25);
    expect(out.free_energy.free_energy).toBeCloseTo(out.free_energy.nll + out.free_energy.kl, 6);
    expect(result.run_free_energies[0]!.free_energy).toBeCloseTo(out.free_energy.free_energy, 6);
    expect(out.history).toHaveLength(8);
    trainer.dispose();
  });

  it('trains the other variants: GRU, batch norm, activations, dropout, diagonal covariances, means, summed loss', async () => {
    const t = new DynemoTrainer(
      {
        ...small,
        n_init: 0,
        n_epochs: 2,
        n_kl_annealing_epochs: 1,
        inference_rnn: 'gru',
        model_rnn: 'gru',
        inference_n_layers: 2,
        inference_normalization: 'batch',
        model_normalization: 'batch',
        inference_activation: 'elu',
        model_activation: 'tanh',
        inference_dropout: 0.2,
        model_dropout: 0.1,
        diagonal_covariances: true,
        learn_means: true,
        loss_calc: 'sum',
        gradient_clip: 1,
        gradient_clip_mode: 'global',
        learn_alpha_temperature: false,
      },
      hmmSessions(),
    );
    const result = await t.train();
    expect(result.status).toBe('completed');
    // Summed over 40 time points, the NLL is tens of times the per-point value of ~7 nats.
    expect(result.history[0]!.nll).toBeGreaterThan(100);
    const w = t.model.getWeights();
    expect(Math.max(...w['inf_rnn/0/norm/moving_mean']!.map(Math.abs))).toBeGreaterThan(0);
    expect(w['alpha/temperature']![0]).toBe(1);
    expect(t.model.trainable.has('alpha/temperature')).toBe(false);
    const out = t.outputs();
    expect(out.alpha[0]!.every(Number.isFinite)).toBe(true);
    // Diagonal model: off-diagonal entries of the reported full matrices are zero.
    expect(out.covariances[1]).toBe(0);
    expect(out.covariances[0]).toBeGreaterThan(0);
    expect(Math.max(...out.means.map(Math.abs))).toBeGreaterThan(0);
    t.dispose();
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const sessions = hmmSessions();
    const run = async (seed: number) => {
      const t = new DynemoTrainer({ ...small, n_epochs: 2, n_kl_annealing_epochs: 1, seed }, sessions);
      await t.train();
      const w = t.model.getWeights();
      t.dispose();
      return w;
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(sameWeights(a, b)).toBe(true);
    expect(sameWeights(a, c)).toBe(false);
  });

  it('resumes bit for bit from a checkpoint taken during initialisation or training', async () => {
    const sessions = hmmSessions();
    const config = { ...small, n_epochs: 4, best_of: 2 };
    const straight = new DynemoTrainer(config, sessions);
    const straightResult = await straight.train();
    const expected = straight.model.getWeights();
    straight.dispose();

    // Stop after the k-th epoch boundary (counting initialisation epochs), resume in a fresh trainer.
    for (const stopAfter of [1, 4, 8]) {
      const controller = new AbortController();
      let seen = 0;
      let saved: DynemoTrainerState | undefined;
      const first = new DynemoTrainer(config, sessions, {
        signal: controller.signal,
        onEpoch: (_r, checkpoint) => {
          if (++seen === stopAfter) {
            saved = structuredClone(checkpoint);
            controller.abort();
          }
        },
      });
      expect((await first.train()).status).toBe('cancelled');
      // The saved epoch checkpoint and the trainer's latest one (which may be a later boundary,
      // e.g. the end of an initialisation) both continue exactly as the uninterrupted run.
      for (const state of [saved!, first.getState()]) {
        const second = new DynemoTrainer(config, sessions);
        second.setState(state);
        const resumed = await second.train();
        expect(resumed.status).toBe('completed');
        expect(sameWeights(second.model.getWeights(), expected)).toBe(true);
        expect(resumed.history).toEqual(straightResult.history);
        expect(resumed.run_free_energies).toEqual(straightResult.run_free_energies);
        second.dispose();
      }
      first.dispose();
    }
  }, 120_000);

  it('refuses a checkpoint from other data or another configuration', async () => {
    const t = new DynemoTrainer(small, hmmSessions());
    const state = t.getState();
    t.dispose();
    const other = new DynemoTrainer(small, hmmSessions(2000));
    expect(() => other.setState(state)).toThrow(CheckpointMismatchError);
    expect(() => other.setState(state)).toThrow(/different data/);
    other.dispose();
    const otherConfig = new DynemoTrainer({ ...small, learning_rate: 0.5 }, hmmSessions());
    expect(() => otherConfig.setState(state)).toThrow(/different model configuration/);
    otherConfig.dispose();
  });

  it('leaves no tensors behind once disposed', async () => {
    const before = tf.memory().numTensors;
    const t = new DynemoTrainer({ ...small, n_epochs: 2, n_kl_annealing_epochs: 1 }, hmmSessions());
    await t.train();
    t.outputs();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels before the first batch', async () => {
    const controller = new AbortController();
    controller.abort();
    const t = new DynemoTrainer(small, hmmSessions(), { signal: controller.signal });
    const r = await t.train();
    expect(r.status).toBe('cancelled');
    expect(r.history).toEqual([]);
    t.dispose();
  });

  it('restores the last checkpoint and lowers the learning rate on a NaN loss, then gives up', async () => {
    const sessions = hmmSessions();
    sessions[0]!.data[7] = NaN;
    const reports: NanReport[] = [];
    const t = new DynemoTrainer({ ...small, n_init: 0 }, sessions, {
      onNan: (r) => void reports.push(r),
      maxNanRetries: 2,
    });
    await expect(t.train()).rejects.toThrow(TrainingDivergedError);
    expect(reports.map((r) => r.action)).toEqual(['retry', 'retry']);
    expect(reports[0]!.new_lr).toBeCloseTo(0.005, 12);
    expect(reports[1]!.new_lr).toBeCloseTo(0.0025, 12);
    expect(t.getState().epoch).toBe(0);
    t.dispose();

    const skipped: NanReport[] = [];
    const init = new DynemoTrainer(small, sessions, { onNan: (r) => void skipped.push(r) });
    await expect(init.train()).rejects.toThrow(/no valid initialisation/);
    expect(skipped.map((r) => r.action)).toEqual(['skip_init', 'skip_init']);
    init.dispose();
  });

  it('keeps sequences out of gaps and leaves α undefined inside them', async () => {
    const sessions = hmmSessions(1000);
    const gapMask = new Uint8Array(1000);
    gapMask.fill(1, 300, 350);
    sessions[0]!.gapMask = gapMask;
    // Data inside the gap is garbage: it must never reach the loss.
    sessions[0]!.data.fill(NaN, 300 * 5, 350 * 5);
    const t = new DynemoTrainer({ ...small, n_init: 0, n_epochs: 2 }, sessions);
    expect((await t.train()).status).toBe('completed');
    const alpha = t.outputs().alpha[0]!;
    expect(Number.isNaN(alpha[310 * 3])).toBe(true);
    expect(Number.isFinite(alpha[299 * 3])).toBe(true);
    expect(Number.isFinite(alpha[350 * 3])).toBe(true);
    expect(Number.isFinite(alpha[999 * 3])).toBe(true);
    t.dispose();
  });

  it('refuses data shorter than one sequence', () => {
    expect(() => new DynemoTrainer({ ...small, sequence_length: 500 }, hmmSessions(400))).toThrow(
      DynemoConfigError,
    );
    expect(() => new DynemoTrainer({ ...small, sequence_length: 500 }, hmmSessions(400))).toThrow(
      /sequence_length \(500\) is longer/,
    );
  });
});
