import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src-main/numerics/random';
import { fftPlan, fftTwoReal, inverseFftTwoReal } from '../../src-main/numerics/fft';
import { symmetricEigen } from '../../src-main/numerics/symmetricEigen';
import {
  cholesky,
  choleskySolve,
  logDeterminantFromCholesky,
  NotPositiveDefiniteError,
} from '../../src-main/numerics/cholesky';
import { multiply, transpose } from '../../src-main/numerics/matrix';
import {
  designButterworth,
  FilterDesignError,
  sosFrequencyResponse,
} from '../../src-main/numerics/butterworth';
import { sosFiltfilt } from '../../src-main/numerics/sosFilter';

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((j * k) % n)) / n;
      outRe[k]! += re[j]! * Math.cos(angle) - im[j]! * Math.sin(angle);
      outIm[k]! += re[j]! * Math.sin(angle) + im[j]! * Math.cos(angle);
    }
  }
  return [outRe, outIm];
}

function randomSymmetric(rng: SeededRandom, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

describe('SeededRandom', () => {
  it('is reproducible by seed and differs between seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('resumes bit for bit from a saved state', () => {
    const a = new SeededRandom(7);
    a.normal();
    const state = a.getState();
    const expected = [a.normal(), a.uniform(), a.normal()];
    const b = SeededRandom.fromState(state);
    expect([b.normal(), b.uniform(), b.normal()]).toEqual(expected);
  });

  it('draws uniforms, normals and gammas with the right moments', () => {
    const rng = new SeededRandom(1);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let sg = 0;
    let sg2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      su += u;
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
      const g = rng.gamma(3, 2);
      sg += g;
      sg2 += g * g;
    }
    expect(outside).toBe(0);
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(sn2 / n).toBeCloseTo(1, 1);
    expect(sg / n).toBeCloseTo(6, 1); // kθ
    expect(sg2 / n - (sg / n) ** 2).toBeGreaterThan(11.5); // kθ² = 12
    expect(sg2 / n - (sg / n) ** 2).toBeLessThan(12.5);
  });

  it('rejects bad parameters', () => {
    const rng = new SeededRandom(0);
    expect(() => rng.gamma(0, 1)).toThrow(/shape > 0/);
    expect(() => rng.integerBelow(0)).toThrow(/integer/);
    expect(() => new SeededRandom(Number.NaN)).toThrow(/finite/);
    expect(() => rng.categorical([0, 0])).toThrow(/positive sum/);
  });
});

describe('fft', () => {
  it.each([1, 2, 8, 64, 5, 12, 37, 100, 60, 90, 125, 7 * 11 * 13 * 2, 3 * 17, 250])(
    'matches a naive DFT for length %i, and inverts',
    (n) => {
      const rng = new SeededRandom(n);
      const re = Float64Array.from({ length: n }, () => rng.normal());
      const im = Float64Array.from({ length: n }, () => rng.normal());
      const [expRe, expIm] = naiveDft(re, im);
      const gotRe = re.slice();
      const gotIm = im.slice();
      fftPlan(n).forward(gotRe, gotIm);
      for (let k = 0; k < n; k++) {
        expect(gotRe[k]).toBeCloseTo(expRe[k]!, 9);
        expect(gotIm[k]).toBeCloseTo(expIm[k]!, 9);
      }
      fftPlan(n).inverse(gotRe, gotIm);
      for (let k = 0; k < n; k++) {
        expect(gotRe[k]).toBeCloseTo(re[k]!, 10);
        expect(gotIm[k]).toBeCloseTo(im[k]!, 10);
      }
    },
  );

  it('transforms two real sequences at once and back', () => {
    const n = 16;
    const rng = new SeededRandom(3);
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const plan = fftPlan(n);
    const s = () => new Float64Array(n);
    const [sr, si, ar, ai, br, bi] = [s(), s(), s(), s(), s(), s()];
    fftTwoReal(plan, a, b, sr, si, ar, ai, br, bi);
    const [expRe, expIm] = naiveDft(b, new Float64Array(n));
    for (let k = 0; k <= n / 2; k++) {
      expect(br[k]).toBeCloseTo(expRe[k]!, 10);
      expect(bi[k]).toBeCloseTo(expIm[k]!, 10);
    }
    const outA = s();
    const outB = s();
    inverseFftTwoReal(plan, ar, ai, br, bi, sr, si, outA, outB);
    for (let k = 0; k < n; k++) {
      expect(outA[k]).toBeCloseTo(a[k]!, 12);
      expect(outB[k]).toBeCloseTo(b[k]!, 12);
    }
  });
});

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 10, 40])('diagonalises a random %i×%i symmetric matrix exactly', (n) => {
    const rng = new SeededRandom(100 + n);
    const a = randomSymmetric(rng, n);
    const { values, vectors } = symmetricEigen(a, n);
    // A V = V Λ and Vᵀ V = I.
    const av = multiply(a, vectors, n, n, n);
    const vtv = multiply(transpose(vectors, n, n), vectors, n, n, n);
    for (let i = 0; i < n; i++) {
      if (i > 0) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
      for (let j = 0; j < n; j++) {
        expect(av[i * n + j]).toBeCloseTo(vectors[i * n + j]! * values[j]!, 9);
        expect(vtv[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    const trace = Array.from({ length: n }, (_, i) => a[i * n + i]!).reduce((s, v) => s + v, 0);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
  });

  it('finds the known eigenvalues of a 2×2 matrix and handles repeated eigenvalues', () => {
    const { values } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    const identity = symmetricEigen([1, 0, 0, 0, 1, 0, 0, 0, 1], 3);
    expect(Array.from(identity.values)).toEqual([1, 1, 1]);
  });

  it('rejects non-square and non-finite input', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected 4 entries/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/not finite/);
  });
});

describe('cholesky', () => {
  it('factorises, solves and gives the log-determinant', () => {
    const a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3];
    const l = cholesky(a, 3);
    const llt = multiply(l, transpose(l, 3, 3), 3, 3, 3);
    llt.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 12));
    const x = choleskySolve(l, 3, [1, 2, 3]);
    const ax = multiply(a, x, 3, 3, 1);
    expect(Array.from(ax).map((v) => +v.toFixed(10))).toEqual([1, 2, 3]);
    // det by cofactor expansion: 4(15−1) − 2(6−0.4) + 0.4(2−2) = 44.8
    expect(logDeterminantFromCholesky(l, 3)).toBeCloseTo(Math.log(44.8), 12);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => cholesky([1, 2, 2, 1], 2)).toThrow(NotPositiveDefiniteError);
  });
});

describe('Butterworth design', () => {
  it('matches the hand-derived order-2 low-pass at 0.2 × Nyquist', () => {
    // Bilinear transform of 1/(s² + √2 s + 1) with K = tan(π·0.1):
    // b = K²/D · [1, 2, 1], a = [1, 2(K² − 1)/D, (1 − √2K + K²)/D], D = 1 + √2K + K².
    const k = Math.tan(Math.PI * 0.1);
    const d = 1 + Math.SQRT2 * k + k * k;
    const sos = designButterworth({ order: 2, kind: 'lowpass', cutoff: 20, samplingRate: 200 });
    expect(sos).toHaveLength(1);
    const s = Array.from(sos[0]!);
    const expected = [
      (k * k) / d,
      (2 * k * k) / d,
      (k * k) / d,
      1,
      (2 * (k * k - 1)) / d,
      (1 - Math.SQRT2 * k + k * k) / d,
    ];
    s.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    // scipy.signal.butter(2, 0.2) prints b = [0.06745527, 0.13491055, 0.06745527], a = [1, -1.1429805, 0.4128016].
    expect(s[0]).toBeCloseTo(0.06745527, 7);
    expect(s[4]).toBeCloseTo(-1.1429805, 7);
  });

  it.each([
    ['lowpass', 3, 30, [0, 1], [29.99, Math.SQRT1_2], [90, 0]],
    ['highpass', 4, 10, [100, 1], [10, Math.SQRT1_2], [1, 0]],
  ] as const)(
    '%s order %i has unit passband gain, −3 dB at the edge and a stopband',
    (kind, order, fc, pass, edge, stop) => {
      const fs = 250;
      const sos = designButterworth({ order, kind, cutoff: fc, samplingRate: fs });
      const gain = (f: number) => {
        const h = sosFrequencyResponse(sos, (2 * Math.PI * f) / fs);
        return Math.hypot(h.re, h.im);
      };
      expect(gain(pass[0])).toBeCloseTo(pass[1], 3);
      expect(gain(fc)).toBeCloseTo(edge[1], 6);
      expect(gain(stop[0])).toBeLessThan(0.02);
    },
  );

  it('band-pass has unit gain at the geometric centre and −3 dB at both edges', () => {
    const fs = 250;
    const sos = designButterworth({ order: 5, kind: 'bandpass', cutoff: [8, 12], samplingRate: fs });
    const gain = (f: number) => {
      const h = sosFrequencyResponse(sos, (2 * Math.PI * f) / fs);
      return Math.hypot(h.re, h.im);
    };
    expect(sos).toHaveLength(5);
    expect(gain(8)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(gain(12)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(gain(10)).toBeGreaterThan(0.99);
    expect(gain(2)).toBeLessThan(1e-3);
    expect(gain(30)).toBeLessThan(1e-3);
  });

  it('rejects edges at or above Nyquist and reversed bands', () => {
    expect(() => designButterworth({ order: 2, kind: 'lowpass', cutoff: 125, samplingRate: 250 })).toThrow(
      FilterDesignError,
    );
    expect(() =>
      designButterworth({ order: 2, kind: 'bandpass', cutoff: [12, 8], samplingRate: 250 }),
    ).toThrow(/increasing/);
    expect(() => designButterworth({ order: 0, kind: 'lowpass', cutoff: 10, samplingRate: 250 })).toThrow(
      /order/,
    );
  });
});

describe('sosFiltfilt', () => {
  // Reference values printed by scipy 1.17: x[t] = sin(t/5) + 0.5 cos(t/1.3) + 0.1 t/300 (300 samples),
  // signal.sosfiltfilt(signal.butter(N, Wn, btype, fs=250, output='sos'), x) at t = 0, 50, 150, 299.
  it.each([
    [5, 'lowpass', 20, [0.506824150694985, -0.5234189975490579, -0.941376376308305, -0.41410830354431155]],
    [4, 'highpass', 5, [0.06014368845438805, -0.18208814879427176, -1.2925796903440512, 0.23616076173052192]],
    [
      5,
      'bandpass',
      [8, 12],
      [-0.1865650649766449, -0.16749420057634848, -0.38511729303630843, -0.0024394433938281328],
    ],
  ] as const)('order %i %s at %j Hz matches scipy.signal.sosfiltfilt', (order, kind, cutoff, expected) => {
    const x = Float64Array.from(
      { length: 300 },
      (_, t) => Math.sin(t / 5) + 0.5 * Math.cos(t / 1.3) + (0.1 * t) / 300,
    );
    const sos = designButterworth({
      order,
      kind,
      cutoff: cutoff as number | [number, number],
      samplingRate: 250,
    });
    const y = sosFiltfilt(sos, x);
    [0, 50, 150, 299].forEach((t, i) => expect(y[t]).toBeCloseTo(expected[i]!, 11));
  });

  it('passes a constant unchanged (steady-state initial conditions)', () => {
    const sos = designButterworth({ order: 4, kind: 'lowpass', cutoff: 10, samplingRate: 100 });
    const y = sosFiltfilt(sos, new Float64Array(200).fill(3));
    y.forEach((v) => expect(v).toBeCloseTo(3, 9));
  });
});
