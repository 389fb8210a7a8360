/**
 * Soft-mixing mode time courses (osl-dynamics `MixedSine`): logit_k(t) = relative_activation_k +
 * amplitude_k · sin(2π f_k t + φ_k) with a uniformly random phase φ_k per mode, and α(t) the softmax
 * of the logits across modes.
 */
import type { SeededRandom } from '../../numerics/random';

export function mixedSineModes(
  rng: SeededRandom,
  spec: {
    relative_activation: number[];
    amplitudes: number[];
    frequencies: number[];
    sampling_frequency: number;
  },
  nSamples: number,
): { alpha: Float32Array; logits: Float32Array; phases: number[] } {
  const K = spec.relative_activation.length;
  const phases = Array.from({ length: K }, () => 2 * Math.PI * rng.uniform());
  const logits = new Float32Array(nSamples * K);
  const alpha = new Float32Array(nSamples * K);
  const row = new Float64Array(K);
  for (let t = 0; t < nSamples; t++) {
    const time = t / spec.sampling_frequency;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      row[k] =
        spec.relative_activation[k]! +
        spec.amplitudes[k]! * Math.sin(2 * Math.PI * spec.frequencies[k]! * time + phases[k]!);
      logits[t * K + k] = row[k]!;
      max = Math.max(max, row[k]!);
    }
    let sum = 0;
    for (let k = 0; k < K; k++) {
      row[k] = Math.exp(row[k]! - max);
      sum += row[k]!;
    }
    for (let k = 0; k < K; k++) alpha[t * K + k] = row[k]! / sum;
  }
  return { alpha, logits, phases };
}
