import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { VospTrainer } from '../../src-main/engine/models/vosp';
import { SeededRandom } from '../../src-main/numerics/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('VOSP training', () => {
  it('trains on sessions with gaps (masked likelihood) and its one-step emission improves', async () => {
    const rng = new SeededRandom(4);
    const sessions = [0, 1].map(() => {
      const T = 300;
      const data = new Float32Array(T * 2);
      const missing = new Uint8Array(T * 2);
      for (let t = 0; t < T; t++) {
        data[2 * t] = Math.sin(0.4 * t) + 0.05 * rng.normal();
        data[2 * t + 1] = Math.cos(0.4 * t) + 0.05 * rng.normal();
      }
      // A real gap: NaNs in the data, marked missing; sequences span it.
      for (let i = 2 * 100; i < 2 * 110; i++) {
        data[i] = NaN;
        missing[i] = 1;
      }
      return { data, nSamples: T, nChannels: 2, missing };
    });
    const trainer = new VospTrainer(
      {
        n_channels: 2,
        sequence_length: 30,
        n_units: 12,
        latent_dim: 2,
        n_emission_units: 12,
        n_epochs: 12,
        batch_size: 5,
        n_kl_annealing_epochs: 2,
        learning_rate: 0.01,
        masking: { gap_min_samples: 2, gap_max_samples: 6 },
      },
      sessions,
    );
    const { history } = await trainer.train();
    expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(history[11]!.nll).toBeLessThan(history[0]!.nll - 0.5);
    expect(trainer.getState().kind).toBe('vosp');
    trainer.dispose();
  });
});
