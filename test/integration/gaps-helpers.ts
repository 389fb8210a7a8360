import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { npyBytes } from '../helpers/readersFixtures';
import type { Harness } from './training-harness';

/**
 * A small dataset with gaps for the VRAE/VOSP tests: three-channel mixed sines (plus a little
 * seeded noise) stored as npy files with NaN stretches, which the importer turns into gap masks.
 */
export const GAP_RATE = 100;

export function sineSession(nSamples: number, phase: number, gaps: [number, number][]): number[] {
  const values: number[] = [];
  let noise = 12345 + phase * 7;
  for (let t = 0; t < nSamples; t++)
    for (let c = 0; c < 3; c++) {
      noise = (noise * 1103515245 + 12345) % 2147483648;
      const v =
        Math.sin((2 * Math.PI * (3 + c) * t) / GAP_RATE + phase + c) +
        0.5 * Math.sin((2 * Math.PI * 11 * t) / GAP_RATE + c) +
        0.05 * (noise / 2147483648 - 0.5);
      values.push(gaps.some(([a, b]) => t >= a && t < b) ? NaN : v);
    }
  return values;
}

/** Imports sessions (each [samples, 3], NaN in the gaps) as one dataset; returns its summary. */
export async function importGapDataset(
  h: Harness,
  name: string,
  sessions: { nSamples: number; gaps: [number, number][] }[],
) {
  const files = sessions.map((s, i) => {
    const file = path.join(h.dir, `${name}-${i}.npy`);
    writeFileSync(file, npyBytes('<f4', [s.nSamples, 3], false, sineSession(s.nSamples, i, s.gaps)));
    return { path: file, label: `${name}-${i}` };
  });
  return h.call('datasets.import', { name, files, options: { samplingRate: GAP_RATE } });
}

/** A VRAE/VOSP small enough to train an epoch in about a second on two loaded cores. */
export function tinyDvaeConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sequence_length: 50,
    n_units: 8,
    latent_dim: 2,
    batch_size: 8,
    n_epochs: 2,
    n_kl_annealing_epochs: 1,
    learning_rate: 0.01,
    masking: { gap_min_samples: 4, gap_max_samples: 16 },
    seed: 5,
    ...overrides,
  };
}
