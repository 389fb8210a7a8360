import { describe, expect, it } from 'vitest';
import {
  mvnMixtureLogLikGradReference,
  mvnMixtureLogLikReference,
  type MvnMixtureParams,
  type MvnMixtureShape,
} from '../../src-main/engine/ops/mvnMixtureReference';
import { NotPositiveDefiniteError } from '../../src-main/engine/ops/notPositiveDefiniteError';
import { dot, finiteDifferences, random64, randomSimplex, randomSpd, relativeError } from './engineFixtures';

/** log det and quadratic form by Gaussian elimination with partial pivoting: independent of Cholesky. */
function gaussianLogDensity(cov: number[][], r: number[]): number {
  const n = r.length;
  const a = cov.map((row, i) => [...row, r[i]!]);
  let logDet = 0;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(a[i]![col]!) > Math.abs(a[pivot]![col]!)) pivot = i;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    logDet += Math.log(Math.abs(p));
    for (let i = col + 1; i < n; i++) {
      const f = a[i]![col]! / p;
      for (let j = col; j <= n; j++) a[i]![j]! -= f * a[col]![j]!;
    }
  }
  const sol = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let v = a[i]![n]!;
    for (let j = i + 1; j < n; j++) v -= a[i]![j]! * sol[j]!;
    sol[i] = v / a[i]![i]!;
  }
  const quad = r.reduce((s, ri, i) => s + ri * sol[i]!, 0);
  return -0.5 * (n * Math.log(2 * Math.PI) + logDet + quad);
}

function makeCase(diagonal: boolean, withMeans: boolean, seed: number) {
  const shape: MvnMixtureShape = { batch: 2, steps: 3, channels: 4, modes: 3, diagonal };
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  const covariances = diagonal ? random64(K * C, seed).map((v) => 1 + 0.8 * v) : randomSpd(K, C, seed);
  const params: MvnMixtureParams<Float64Array> = {
    x: random64(B * T * C, seed + 1, 1.5),
    alpha: randomSimplex(B * T, K, seed + 2),
    means: withMeans ? random64(K * C, seed + 3, 0.7) : undefined,
    covariances,
  };
  return { shape, params };
}

describe('mvnMixtureLogLik reference', () => {
  for (const diagonal of [false, true]) {
    it(`${diagonal ? 'diagonal' : 'full'}: matches explicit covariance + Gaussian elimination`, () => {
      const { shape, params } = makeCase(diagonal, true, 100);
      const { batch: B, steps: T, channels: C, modes: K } = shape;
      const ll = mvnMixtureLogLikReference(shape, params);
      for (let n = 0; n < B * T; n++) {
        const cov: number[][] = [];
        const r: number[] = [];
        for (let i = 0; i < C; i++) {
          cov.push([]);
          let m = 0;
          for (let k = 0; k < K; k++) m += params.alpha[n * K + k]! * params.means![k * C + i]!;
          r.push(params.x[n * C + i]! - m);
          for (let j = 0; j < C; j++) {
            let v = 0;
            for (let k = 0; k < K; k++) {
              const d = diagonal
                ? i === j
                  ? params.covariances[k * C + i]!
                  : 0
                : params.covariances[(k * C + i) * C + j]!;
              v += params.alpha[n * K + k]! * d;
            }
            cov[i]!.push(v);
          }
        }
        expect(ll[n]).toBeCloseTo(gaussianLogDensity(cov, r), 10);
      }
    });

    for (const withMeans of [true, false]) {
      it(`${diagonal ? 'diagonal' : 'full'}, ${withMeans ? 'with' : 'without'} means: gradients match finite differences`, () => {
        const { shape, params } = makeCase(diagonal, withMeans, 200 + (withMeans ? 1 : 0));
        const { batch: B, steps: T, channels: C } = shape;
        const mask = new Float64Array(B * T).fill(1);
        mask[1] = 0;
        params.mask = mask;
        const w = random64(B * T, 7);
        const loss = () => dot(mvnMixtureLogLikReference(shape, params), w);
        const grads = mvnMixtureLogLikGradReference(shape, params, w);
        const checks: [string, Float64Array, Float64Array][] = [
          ['x', params.x, grads.dx],
          ['alpha', params.alpha, grads.dAlpha],
        ];
        if (withMeans) checks.push(['means', params.means!, grads.dMeans]);
        else expect(grads.dMeans.length).toBe(0);
        for (const [name, param, analytic] of checks) {
          expect(relativeError(analytic, finiteDifferences(param, loss)), name).toBeLessThan(1e-4);
        }
        // Covariances are symmetric: perturb (i, j) and (j, i) together and compare with G_ij + G_ji.
        const D = params.covariances;
        const eps = 1e-6;
        const analytic: number[] = [];
        const numeric: number[] = [];
        const K = shape.modes;
        for (let k = 0; k < K; k++) {
          for (let i = 0; i < C; i++) {
            for (let j = 0; j <= (diagonal ? -1 : i); j++) {
              const e1 = (k * C + i) * C + j;
              const e2 = (k * C + j) * C + i;
              const bump = (d: number) => {
                D[e1]! += d;
                if (e2 !== e1) D[e2]! += d;
              };
              bump(eps);
              const up = loss();
              bump(-2 * eps);
              const down = loss();
              bump(eps);
              numeric.push((up - down) / (2 * eps));
              analytic.push(
                e1 === e2 ? grads.dCovariances[e1]! : grads.dCovariances[e1]! + grads.dCovariances[e2]!,
              );
            }
            if (diagonal) {
              const e = k * C + i;
              const keep = D[e]!;
              D[e] = keep + eps;
              const up = loss();
              D[e] = keep - eps;
              const down = loss();
              D[e] = keep;
              numeric.push((up - down) / (2 * eps));
              analytic.push(grads.dCovariances[e]!);
            }
          }
        }
        expect(relativeError(analytic, numeric), 'covariances').toBeLessThan(1e-4);
        if (!diagonal) {
          for (let k = 0; k < K; k++)
            for (let i = 0; i < C; i++)
              for (let j = 0; j < C; j++)
                expect(grads.dCovariances[(k * C + i) * C + j]).toBe(grads.dCovariances[(k * C + j) * C + i]);
        }
        // The masked point contributes nothing and gets no gradient.
        expect(mvnMixtureLogLikReference(shape, params)[1]).toBe(0);
        for (let c = 0; c < C; c++) expect(grads.dx[C + c]).toBe(0);
      });
    }
  }

  it('masked time points are never read, so NaN gaps are harmless', () => {
    const { shape, params } = makeCase(false, true, 300);
    params.x[5] = Number.NaN; // time point 1 of batch 0
    params.mask = [1, 0, 1, 1, 1, 1];
    const ll = mvnMixtureLogLikReference(shape, params);
    expect(ll.every(Number.isFinite)).toBe(true);
    const g = mvnMixtureLogLikGradReference(shape, params, new Float64Array(6).fill(1));
    expect(g.dCovariances.every(Number.isFinite)).toBe(true);
  });

  it('an ill-conditioned but valid mixture stays finite', () => {
    const C = 6;
    const K = 2;
    // Eigenvalues from 1e-7 to 1e3 along a rotated basis.
    const D = new Float64Array(K * C * C);
    for (let k = 0; k < K; k++) {
      const q = random64(C * C, 400 + k);
      for (let i = 0; i < C; i++) {
        for (let j = 0; j < C; j++) {
          let v = 0;
          for (let l = 0; l < C; l++)
            v += Math.pow(10, -7 + (10 * l) / (C - 1)) * q[i * C + l]! * q[j * C + l]!;
          D[(k * C + i) * C + j] = v;
        }
      }
    }
    const shape: MvnMixtureShape = { batch: 1, steps: 2, channels: C, modes: K, diagonal: false };
    const params = {
      x: random64(2 * C, 402),
      alpha: new Float64Array([0.999999, 0.000001, 0.5, 0.5]),
      covariances: D,
    };
    const ll = mvnMixtureLogLikReference(shape, params);
    const g = mvnMixtureLogLikGradReference(shape, params, new Float64Array([1, 1]));
    expect(ll.every(Number.isFinite)).toBe(true);
    for (const a of [g.dx, g.dAlpha, g.dCovariances]) expect(a.every(Number.isFinite)).toBe(true);
  });

  it('a non-positive-definite mixture throws NotPositiveDefiniteError with its batch and time', () => {
    const { shape, params } = makeCase(false, false, 500);
    const { channels: C, modes: K } = shape;
    // Make every mode indefinite at time point (1, 2) by giving it all weight on a flipped mode.
    for (let k = 0; k < K; k++) params.covariances[(k * C + 2) * C + 2] = -1;
    let caught: unknown;
    try {
      mvnMixtureLogLikReference(shape, params);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NotPositiveDefiniteError);
    expect((caught as NotPositiveDefiniteError).batchIndex).toBe(0);
    expect((caught as NotPositiveDefiniteError).timeIndex).toBe(0);
    expect((caught as Error).message).toMatch(/batch 0, time 0 is not positive definite/);
    const diag = makeCase(true, false, 501);
    diag.params.alpha.fill(0, 3 * 4, 3 * 5); // batch 1, time 1: all weights zero → zero variance
    expect(() => mvnMixtureLogLikReference(diag.shape, diag.params)).toThrow(/batch 1, time 1/);
  });
});
