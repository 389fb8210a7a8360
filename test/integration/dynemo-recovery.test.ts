import { beforeAll, describe, expect, it } from 'vitest';
import { initEngineBackend } from '../../src-main/engine/backend';
import { simulate } from '../../src-main/data/simulate/simulate';
import { standardizeSession } from '../../src-main/data/prepare/standardize';
import { DynemoTrainer } from '../../src-main/engine/models/dynemo/trainer';
import { alphaCorrelation, dice, reorderModes } from '../../src-main/analysis/modeMatching';
import { argmaxBinarise } from '../../src-main/analysis/binarise';

/**
 * Recovery of simulated ground truth, the checks of osl-dynamics' DyNeMo simulation examples,
 * with every seed fixed. These train for real (tens of seconds each on two cores).
 */
beforeAll(async () => {
  await initEngineBackend();
});

describe('DyNeMo recovers simulated mode time courses', () => {
  it('MixedSine_MVN, 6 modes, 80 channels: mean matched α correlation ≥ 0.9', async () => {
    const sim = simulate({
      kind: 'MixedSine_MVN',
      n_modes: 6,
      n_channels: 80,
      n_samples: 25_600,
      relative_activation: [1, 0.5, 0.5, 0.25, 0.25, 0.1],
      amplitudes: [6, 5, 4, 3, 2, 1],
      frequencies: [1, 2, 3, 4, 6, 8],
      sampling_frequency: 250,
      seed: 2,
    });
    // Standardised per channel, as osl-dynamics' data preparation does before DyNeMo (and as the
    // HMM case below), and started from the best of 5 random-subset initialisations (2 epochs
    // each), osl-dynamics' recommended start. Without both the recovery sat on a knife edge:
    // - raw data, one start: every mode but one had a constant α after the first epoch (8 steps at
    //   rate 0.01, KL factor 0); whether they revived depended on the kernels' floating-point
    //   summation order, and after a change there one mode stayed constant (correlation NaN);
    // - standardised, one start: seed 1 ended at 0.78 (one weak truth mode unmatched, -0.11),
    //   seed 3 at 0.98;
    // - standardised, best of 5 starts: seed 1 0.977 and seed 2 0.978 (every matched mode ≥ 0.94),
    //   but seed 3 0.80: the weak truth mode 5 (activation 0.25, amplitude 2) goes unmatched
    //   (-0.04) while another inferred mode absorbs it. That basin is a real local optimum of the
    //   fit, so a future change of kernel summation order can still tip this seed into it.
    const sessions = sim.sessions.map(standardizeSession);
    // osl-dynamics' examples/simulation/dynemo_soft-mixing.py settings (100 annealing epochs),
    // stopped at 130 epochs instead of 200: by then the decayed rate (4.5e-4) no longer moves α.
    const trainer = new DynemoTrainer(
      {
        n_modes: 6,
        n_channels: 80,
        sequence_length: 200,
        inference_n_units: 64,
        inference_normalization: 'layer',
        model_n_units: 64,
        model_normalization: 'layer',
        learn_alpha_temperature: true,
        initial_alpha_temperature: 1,
        learn_means: false,
        learn_covariances: true,
        do_kl_annealing: true,
        kl_annealing_curve: 'tanh',
        kl_annealing_sharpness: 10,
        n_kl_annealing_epochs: 100,
        batch_size: 16,
        learning_rate: 0.01,
        n_epochs: 130,
        n_init: 5,
        n_init_epochs: 2,
        seed: 1,
      },
      sessions,
    );
    expect((await trainer.train()).status).toBe('completed');
    const out = trainer.outputs();
    const match = alphaCorrelation(out.alpha[0]!, sim.truth.alpha[0]!, 6);
    // A constant inferred mode makes its correlation NaN: say so rather than fail on a NaN mean.
    expect(Array.from(match.perMode).map(Number.isFinite)).toEqual(new Array(6).fill(true));
    expect(match.mean).toBeGreaterThanOrEqual(0.9);
    trainer.dispose();
  }, 900_000);

  it('HMM_MVN, 5 states, 20 channels: argmax-binarised α has Dice ≥ 0.95', async () => {
    const sim = simulate({ kind: 'HMM_MVN', n_states: 5, n_channels: 20, n_samples: 25_600, seed: 2 });
    const sessions = sim.sessions.map(standardizeSession);
    // osl-dynamics' examples/simulation/dynemo_hmm-mvn.py settings.
    const trainer = new DynemoTrainer(
      {
        n_modes: 5,
        n_channels: 20,
        sequence_length: 100,
        inference_n_units: 64,
        inference_normalization: 'layer',
        model_n_units: 64,
        model_normalization: 'layer',
        learn_means: false,
        learn_covariances: true,
        do_kl_annealing: true,
        kl_annealing_curve: 'tanh',
        kl_annealing_sharpness: 10,
        n_kl_annealing_epochs: 20,
        batch_size: 16,
        learning_rate: 0.01,
        n_epochs: 40,
        n_init: 5,
        n_init_epochs: 2,
        seed: 1,
      },
      sessions,
    );
    expect((await trainer.train()).status).toBe('completed');
    const out = trainer.outputs();
    const match = alphaCorrelation(out.alpha[0]!, sim.truth.alpha[0]!, 5);
    const states = reorderModes(argmaxBinarise(out.alpha[0]!, 5), 5, match.order);
    const d = dice(states, sim.truth.alpha[0]!, 5);
    expect(d.overall).toBeGreaterThanOrEqual(0.95);
    expect(Number.isFinite(out.free_energy.free_energy)).toBe(true);
    trainer.dispose();
  }, 600_000);
});
