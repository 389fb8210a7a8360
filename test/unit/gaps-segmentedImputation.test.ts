import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VraeModel } from '../../src-main/engine/models/vrae';
import { imputeSession } from '../../src-main/imputation/modelImputation';
import type { MaskedSession } from '../../src-main/imputation/missingEntries';
import { SeededRandom } from '../../src-main/numerics/random';
import { imputationSegments, imputeInSegments } from '../../src-main/services/gaps/segmentedImputation';
import { parseVraeConfig } from '../../src-shared/models/vrae';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function session(T: number, C: number): MaskedSession {
  const rng = new SeededRandom(4);
  const data = new Float32Array(T * C);
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) data[t * C + c] = Math.sin(0.07 * t * (c + 1)) + 0.1 * rng.normal();
  const missing = new Uint8Array(T * C);
  // All-channel gaps everywhere, one straddling a segment edge (kept part 0..511), and dropouts.
  for (const [a, b] of [
    [30, 37],
    [505, 513],
    [900, 904],
    [1530, 1536],
    [2400, 2407],
  ])
    missing.fill(1, a! * C, b! * C);
  for (const t of [700, 701, 702, 1800, 1801]) missing[t * C + 1] = 1;
  return { data, missing, nSamples: T, nChannels: C };
}

describe('segmented imputation', () => {
  it('cuts long sessions on the hop grid with context on both sides', () => {
    expect(imputationSegments(640, 16, 2)).toEqual([{ start: 0, end: 640, keepStart: 0, keepEnd: 640 }]);
    expect(imputationSegments(641, 16, 2)).toHaveLength(2);
    const segs = imputationSegments(3000, 16, 2);
    expect(segs[0]).toEqual({ start: 0, end: 576, keepStart: 0, keepEnd: 512 });
    expect(segs[1]).toEqual({ start: 448, end: 1088, keepStart: 512, keepEnd: 1024 });
    // Kept parts tile the session exactly; a short tail is folded into the last segment.
    expect(segs.map((s) => [s.keepStart, s.keepEnd])).toEqual([
      [0, 512],
      [512, 1024],
      [1024, 1536],
      [1536, 2048],
      [2048, 2560],
      [2560, 3000],
    ]);
    expect(imputationSegments(2600, 16, 2).at(-1)).toEqual({
      start: 1984,
      end: 2600,
      keepStart: 2048,
      keepEnd: 2600,
    });
    for (const s of segs) expect(s.start % 8).toBe(0);
  });

  it('gives the same imputed values as imputing the whole session at once, yielding between segments', async () => {
    const model = new VraeModel(
      parseVraeConfig({
        n_channels: 3,
        sequence_length: 16,
        n_units: 6,
        latent_dim: 2,
        masking: { gap_max_samples: 8 },
      }),
    );
    model.params.initialise(new SeededRandom(2));
    const s = session(3000, 3);
    const options = { iterations: 2, samples: 3, seed: 5 };
    const whole = imputeSession(model, s, options, 'whole');
    const calls: [number, number][] = [];
    const parts = await imputeInSegments(imputeSession, model, s, options, 'parts', async (d, t) => {
      calls.push([d, t]);
      await Promise.resolve();
    });
    expect(calls).toEqual([0, 1, 2, 3, 4, 5].map((d) => [d, 6]));
    let worst = 0;
    for (let i = 0; i < whole.imputed.length; i++)
      worst = Math.max(worst, Math.abs(whole.imputed[i]! - parts.imputed[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(Array.from(parts.missing)).toEqual(Array.from(s.missing!));
    // Spread only where values were missing, from other posterior draws than the whole-session call.
    for (let i = 0; i < s.data.length; i++) {
      if (s.missing![i]) expect(parts.std![i]).toBeGreaterThan(0);
      else expect(parts.std![i]).toBe(0);
    }
    model.params.dispose();
  }, 60_000);

  it('names the gap that is too long by its place in the session', async () => {
    const model = new VraeModel(
      parseVraeConfig({
        n_channels: 3,
        sequence_length: 16,
        n_units: 6,
        latent_dim: 2,
        masking: { gap_max_samples: 8 },
      }),
    );
    model.params.initialise(new SeededRandom(2));
    const s = session(3000, 3);
    s.missing!.fill(1, 2000 * 3, 2010 * 3);
    await expect(
      imputeInSegments(
        imputeSession,
        model,
        s,
        { iterations: 1, samples: 0, seed: 0 },
        'session 9',
        async () => {},
      ),
    ).rejects.toThrow('session 9: the gap of 10 samples ending at sample 2010 is longer than half');
    model.params.dispose();
  });
});
