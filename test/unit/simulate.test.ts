import { describe, expect, it } from 'vitest';
import { simulate } from '../../src-main/data/simulate/simulate';
import { SimulationError } from '../../src-main/data/simulate/errors';
import { parseSimulationSpec, SimulationSpecError } from '../../src-shared/domain/simulation';
import { cholesky } from '../../src-main/numerics/cholesky';

function empiricalCovariance(data: Float32Array, C: number, rows: number[]): Float64Array {
  const mean = new Float64Array(C);
  for (const t of rows) for (let i = 0; i < C; i++) mean[i]! += data[t * C + i]! / rows.length;
  const cov = new Float64Array(C * C);
  for (const t of rows) {
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++)
        cov[i * C + j]! += ((data[t * C + i]! - mean[i]!) * (data[t * C + j]! - mean[j]!)) / rows.length;
  }
  return cov;
}

function relativeFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('HMM_MVN', () => {
  const spec = {
    kind: 'HMM_MVN' as const,
    n_samples: 40_000,
    n_states: 3,
    n_channels: 4,
    trans_prob: 'uniform' as const,
    stay_prob: 0.95,
    seed: 11,
  };

  it('is reproducible by seed and changes with the seed', () => {
    const a = simulate({ ...spec, n_samples: 500 });
    const b = simulate({ ...spec, n_samples: 500 });
    const c = simulate({ ...spec, n_samples: 500, seed: 12 });
    expect(Array.from(a.sessions[0]!.data)).toEqual(Array.from(b.sessions[0]!.data));
    expect(Array.from(a.truth.covariances)).toEqual(Array.from(b.truth.covariances));
    expect(Array.from(a.sessions[0]!.data)).not.toEqual(Array.from(c.sessions[0]!.data));
  });

  it('stays in a state with the stay probability and visits states evenly', () => {
    const { truth } = simulate(spec);
    const states = truth.states![0]!;
    let stays = 0;
    const occupancy = [0, 0, 0];
    for (let t = 0; t < states.length; t++) {
      occupancy[states[t]!]!++;
      if (t > 0 && states[t] === states[t - 1]) stays++;
    }
    expect(stays / (states.length - 1)).toBeCloseTo(0.95, 2);
    occupancy.forEach((o) => expect(o / states.length).toBeGreaterThan(0.28));
    // alpha is the one-hot encoding of the states.
    expect(truth.alpha[0]![5 * 3 + states[5]!]).toBe(1);
    expect(truth.alpha[0]!.subarray(15, 18).reduce((p, q) => p + q, 0)).toBe(1);
    expect(states[0]).toBe(0);
  });

  it('draws each state from its own covariance', () => {
    const { sessions, truth } = simulate(spec);
    const C = 4;
    for (let k = 0; k < 3; k++) {
      const rows = Array.from(truth.states![0]!.keys()).filter((t) => truth.states![0]![t] === k);
      const empirical = empiricalCovariance(sessions[0]!.data, C, rows);
      expect(
        relativeFrobenius(empirical, truth.covariances.subarray(k * C * C, (k + 1) * C * C)),
      ).toBeLessThan(0.06);
    }
    // osl-dynamics-style random covariances are positive definite.
    for (let k = 0; k < 3; k++)
      expect(() => cholesky(truth.covariances.subarray(k * 16, (k + 1) * 16), 4)).not.toThrow();
  });

  it('builds the sequence transition matrix and honours a full one', () => {
    const seq = simulate({ kind: 'HMM_MVN', n_samples: 10, n_states: 3, n_channels: 2, stay_prob: 0.8 });
    expect(Array.from(seq.truth.transProb!).map((v) => +v.toFixed(6))).toEqual([
      0.8, 0.2, 0, 0, 0.8, 0.2, 0.2, 0, 0.8,
    ]);
    const full = simulate({
      kind: 'HMM_MVN',
      n_samples: 2000,
      n_states: 2,
      n_channels: 2,
      trans_prob: [
        [0, 1],
        [1, 0],
      ],
    });
    const states = full.truth.states![0]!;
    for (let t = 1; t < 50; t++) expect(states[t]).toBe(1 - states[t - 1]!);
  });

  it('uses given means and covariances', () => {
    const { sessions } = simulate({
      kind: 'HMM_MVN',
      n_samples: 20_000,
      n_states: 1,
      n_channels: 2,
      means: [[5, -3]],
      covariances: [
        [
          [2, 0.5],
          [0.5, 1],
        ],
      ],
    });
    const x = sessions[0]!.data;
    const rows = Array.from({ length: 20_000 }, (_, t) => t);
    const cov = empiricalCovariance(x, 2, rows);
    const mean0 = rows.reduce((s, t) => s + x[t * 2]!, 0) / rows.length;
    expect(mean0).toBeCloseTo(5, 1);
    expect(relativeFrobenius(cov, [2, 0.5, 0.5, 1])).toBeLessThan(0.03);
  });
});

describe('HSMM_MVN', () => {
  it('has gamma-distributed lifetimes with mean shape × scale and never jumps to the same state', () => {
    const { truth } = simulate({
      kind: 'HSMM_MVN',
      n_samples: 60_000,
      n_states: 4,
      n_channels: 3,
      gamma_shape: 10,
      gamma_scale: 5,
      seed: 3,
    });
    const lifetimes = truth.lifetimes![0]!.slice(0, -1); // the last visit is cut by the end
    const mean = lifetimes.reduce((p, q) => p + q, 0) / lifetimes.length;
    const variance = lifetimes.reduce((p, q) => p + (q - mean) ** 2, 0) / lifetimes.length;
    expect(mean).toBeGreaterThan(48);
    expect(mean).toBeLessThan(52);
    expect(variance).toBeGreaterThan(200); // kθ² = 250
    expect(variance).toBeLessThan(300);
    const states = truth.states![0]!;
    let position = 0;
    for (let i = 0; i + 1 < lifetimes.length; i++) {
      position += lifetimes[i]!;
      expect(states[position]).not.toBe(states[position - 1]);
    }
    for (let k = 0; k < 4; k++) expect(truth.transProb![k * 4 + k]).toBe(0);
  });
});

describe('MixedSine_MVN', () => {
  it('mixes modes with the softmax of sinusoidal logits, as osl-dynamics', () => {
    const { truth, sessions } = simulate({ kind: 'MixedSine_MVN', n_samples: 1000, n_channels: 5, seed: 8 });
    const spec = parseSimulationSpec({ kind: 'MixedSine_MVN' });
    if (spec.kind !== 'MixedSine_MVN') throw new Error('unreachable');
    const phases = truth.phases![0]!;
    for (const t of [0, 123, 999]) {
      const logits = spec.relative_activation.map(
        (r, k) =>
          r + spec.amplitudes[k]! * Math.sin((2 * Math.PI * spec.frequencies[k]! * t) / 250 + phases[k]!),
      );
      const z = logits.map(Math.exp);
      const total = z.reduce((p, q) => p + q, 0);
      z.forEach((v, k) => expect(truth.alpha[0]![t * 6 + k]).toBeCloseTo(v / total, 5));
    }
    expect(sessions[0]!.samplingRate).toBe(250);
    expect(sessions[0]!.nChannels).toBe(5);
  });

  it('draws each sample from the α-weighted mixture of covariances', () => {
    const C = 3;
    const { truth, sessions } = simulate({
      kind: 'MixedSine_MVN',
      n_samples: 30_000,
      n_channels: C,
      n_modes: 2,
      relative_activation: [0, 0],
      amplitudes: [3, 0],
      frequencies: [2, 0],
      seed: 2,
    });
    // Overall covariance = mean over time of Σ_k α_tk D_k (zero means).
    const expected = new Float64Array(C * C);
    const a = truth.alpha[0]!;
    for (let t = 0; t < 30_000; t++) {
      for (let k = 0; k < 2; k++)
        for (let i = 0; i < C * C; i++)
          expected[i]! += (a[t * 2 + k]! * truth.covariances[k * C * C + i]!) / 30_000;
    }
    const cov = empiricalCovariance(
      sessions[0]!.data,
      C,
      Array.from({ length: 30_000 }, (_, t) => t),
    );
    expect(relativeFrobenius(cov, expected)).toBeLessThan(0.05);
  });
});

describe('simulation specs', () => {
  it('fills osl-dynamics example defaults', () => {
    const spec = parseSimulationSpec({ kind: 'HMM_MVN' });
    expect(spec).toMatchObject({
      n_samples: 25_600,
      n_states: 5,
      n_channels: 11,
      trans_prob: 'sequence',
      stay_prob: 0.9,
      means: 'zero',
      covariances: 'random',
    });
    expect(parseSimulationSpec({ kind: 'HSMM_MVN' })).toMatchObject({ gamma_shape: 10, gamma_scale: 5 });
  });

  it.each([
    [{ kind: 'AR_MVN' }, /unknown simulation "AR_MVN"/],
    [
      {
        kind: 'HMM_MVN',
        n_states: 2,
        trans_prob: [
          [0.5, 0.4],
          [0, 1],
        ],
      },
      /trans_prob row 0 sums to 0.9/,
    ],
    [
      {
        kind: 'HMM_MVN',
        n_states: 3,
        trans_prob: [
          [1, 0],
          [0, 1],
        ],
      },
      /trans_prob must be 3×3/,
    ],
    [{ kind: 'HMM_MVN', stay_prob: 1.5 }, /stay_prob must be in \[0, 1\]/],
    [{ kind: 'MixedSine_MVN', n_modes: 3 }, /relative_activation has 6 entries but n_modes is 3/],
    [{ kind: 'HSMM_MVN', gamma_shape: 0 }, /gamma_shape must be positive/],
    [
      {
        kind: 'HMM_MVN',
        n_states: 1,
        n_channels: 2,
        covariances: [
          [
            [1, 2],
            [3, 1],
          ],
        ],
      },
      /not symmetric/,
    ],
    [{ kind: 'HMM_MVN', n_samples: 1e12 }, /at most/],
    [{ kind: 'HMM_MVN', n_samples: 10_000_000, n_channels: 100 }, /exceeds 400,000,000 values per session/],
  ])('rejects %j', (input, message) => {
    expect(() => parseSimulationSpec(input)).toThrow(SimulationSpecError);
    expect(() => parseSimulationSpec(input)).toThrow(message);
  });

  it('simulates a single state, whatever the transition construction', () => {
    const { truth } = simulate({
      kind: 'HMM_MVN',
      n_states: 1,
      n_channels: 2,
      n_samples: 50,
      trans_prob: 'uniform',
    });
    expect(Array.from(truth.transProb!)).toEqual([1]);
    expect(truth.states![0]!.every((s) => s === 0)).toBe(true);
  });

  it('refuses a covariance that is not positive definite', () => {
    expect(() =>
      simulate({
        kind: 'HMM_MVN',
        n_states: 1,
        n_channels: 2,
        n_samples: 10,
        covariances: [
          [
            [1, 2],
            [2, 1],
          ],
        ],
      }),
    ).toThrow(SimulationError);
  });
});
