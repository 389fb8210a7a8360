import { describe, expect, it } from 'vitest';
import { argmaxBinarise } from '../../src-main/analysis/binarise';
import { alphaCorrelation, dice } from '../../src-main/analysis/modeMatching';
import { summaryStatistics } from '../../src-main/analysis/summaryStatistics';
import { simulate } from '../../src-main/data/simulate/simulate';

describe('analysis on a simulated hidden Markov model', () => {
  // A 3-state cycle (stay with p = 0.95, else move to the next state): each visit lasts
  // 1 / (1 − p) = 20 samples on average, a state is away for the other two visits (40 samples),
  // one full cycle takes 60 samples, and each state holds a third of the time.
  const fs = 250;
  const result = simulate({
    kind: 'HMM_MVN',
    n_samples: 90_000,
    n_states: 3,
    n_channels: 2,
    trans_prob: 'sequence',
    stay_prob: 0.95,
    sampling_frequency: fs,
    seed: 41,
  });
  const alpha = result.truth.alpha[0]!;

  it('recovers the Markov chain’s occupancy, lifetimes, intervals and switching rates', () => {
    const states = argmaxBinarise(alpha, 3);
    const stats = summaryStatistics(states, 3, fs);
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(stats.fractionalOccupancy[k]! - 1 / 3)).toBeLessThan(0.02);
      expect(stats.meanLifetime[k]! / (20 / fs)).toBeGreaterThan(0.95);
      expect(stats.meanLifetime[k]! / (20 / fs)).toBeLessThan(1.05);
      expect(stats.meanInterval[k]! / (40 / fs)).toBeGreaterThan(0.95);
      expect(stats.meanInterval[k]! / (40 / fs)).toBeLessThan(1.05);
      expect(stats.switchingRate[k]! / (fs / 60)).toBeGreaterThan(0.95);
      expect(stats.switchingRate[k]! / (fs / 60)).toBeLessThan(1.05);
    }
  });

  it('scores a relabelled copy of the truth as perfect after matching', () => {
    const relabelled = new Float32Array(alpha.length);
    const permutation = [2, 0, 1];
    for (let t = 0; t < alpha.length / 3; t++) {
      for (let j = 0; j < 3; j++) relabelled[t * 3 + j] = alpha[t * 3 + permutation[j]!]!;
    }
    const matched = alphaCorrelation(relabelled, alpha, 3);
    expect(Array.from(matched.order)).toEqual([1, 2, 0]);
    expect(matched.mean).toBeCloseTo(1, 10);
    const reordered = new Float32Array(alpha.length);
    for (let t = 0; t < alpha.length / 3; t++) {
      for (let k = 0; k < 3; k++) reordered[t * 3 + k] = relabelled[t * 3 + matched.order[k]!]!;
    }
    expect(dice(argmaxBinarise(reordered, 3), argmaxBinarise(alpha, 3), 3).overall).toBe(1);
  });
});
