import { describe, expect, it } from 'vitest';
import { loadNativeKernels, type NativeKernels } from '../../src-main/engine/native/load';
import { rnnBackwardNative, rnnForwardNative } from '../../src-main/engine/ops/rnnKernels';
import {
  rnnBackwardReference,
  rnnForwardReference,
  type RnnCell,
} from '../../src-main/engine/ops/rnnReference';
import {
  mvnMixtureLogLikForTraining,
  mvnMixtureLogLikGradNative,
  mvnMixtureLogLikNative,
} from '../../src-main/engine/ops/mvnMixtureKernels';
import {
  mvnMixtureLogLikGradReference,
  mvnMixtureLogLikReference,
} from '../../src-main/engine/ops/mvnMixtureReference';
import { denseGradNative, denseNative } from '../../src-main/engine/ops/denseKernels';
import { denseGradReference, denseReference } from '../../src-main/engine/ops/denseReference';
import { NotPositiveDefiniteError } from '../../src-main/engine/ops/notPositiveDefiniteError';
import { adamUpdateNative, adamUpdateReference } from '../../src-main/engine/training/adamUpdate';
import {
  choleskyCovarianceGradNative,
  choleskyCovarianceNative,
} from '../../src-main/engine/ops/choleskyCovarianceKernels';
import {
  choleskyCovarianceGradReference,
  choleskyCovarianceReference,
} from '../../src-main/engine/ops/choleskyCovarianceReference';
import { layerNormBackwardNative, layerNormForwardNative } from '../../src-main/engine/ops/layerNormKernels';
import {
  layerNormBackwardReference,
  layerNormForwardReference,
} from '../../src-main/engine/ops/layerNormReference';
import { random32, randomSimplex, randomSpd, relativeError } from '../unit/engineFixtures';

const loaded = loadNativeKernels();
const native = loaded.kernels;
if (!native) {
  if (process.env.CI)
    throw new Error(`native kernels are required in CI: ${'reason' in loaded ? loaded.reason : ''}`);
  console.warn(`skipping native kernel tests: ${'reason' in loaded ? loaded.reason : ''}`);
}
const isas = native ? (['avx2-fma', 'scalar'] as const).filter((isa) => native.setIsa(isa)) : [];
const TOL = 1e-5;

function withIsa(k: NativeKernels, isa: 'avx2-fma' | 'scalar', body: () => void): void {
  const before = k.info().simd;
  k.setIsa(isa);
  try {
    body();
  } finally {
    k.setIsa(before);
  }
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

describe.skipIf(!native)('native kernels vs TypeScript reference', () => {
  const rnnShapes: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [3, 7, 5, 6],
    [5, 13, 17, 16],
    [33, 20, 80, 64],
  ];
  for (const isa of isas) {
    for (const cell of ['lstm', 'gru'] as RnnCell[]) {
      for (const [B, T, I, H] of rnnShapes) {
        for (const reverse of [false, true]) {
          it(`${isa} ${cell} [${B},${T},${I}]→${H} ${reverse ? 'reverse' : 'forward'}: outputs and every gradient`, () => {
            const k = native!;
            const G = cell === 'lstm' ? 4 : 3;
            const seed = B * 1000 + T * 10 + H;
            const p = {
              x: random32(B * T * I, seed),
              kernel: random32(I * G * H, seed + 1, 1 / Math.sqrt(I)),
              recurrentKernel: random32(H * G * H, seed + 2, 1 / Math.sqrt(H)),
              bias: random32(cell === 'lstm' ? 4 * H : 6 * H, seed + 3, 0.2),
              initialH: reverse ? random32(B * H, seed + 4, 0.5) : undefined,
              initialC: reverse && cell === 'lstm' ? random32(B * H, seed + 5, 0.5) : undefined,
            };
            const shape = { cell, batch: B, steps: T, inputSize: I, units: H, reverse };
            const dHidden = random32(B * T * H, seed + 6);
            withIsa(k, isa, () => {
              const fwd = rnnForwardNative(k, shape, p);
              const ref = rnnForwardReference(shape, p);
              expect(relativeError(fwd.hidden, ref.hidden), 'hidden').toBeLessThan(TOL);
              expect(relativeError(fwd.tape, ref.tape), 'tape').toBeLessThan(TOL);
              const g = rnnBackwardNative(k, shape, p, fwd, dHidden);
              const r = rnnBackwardReference(shape, p, ref, dHidden);
              expect(relativeError(g.dx, r.dx), 'dx').toBeLessThan(TOL);
              expect(relativeError(g.dKernel, r.dKernel), 'dKernel').toBeLessThan(TOL);
              expect(relativeError(g.dRecurrentKernel, r.dRecurrentKernel), 'dRecurrentKernel').toBeLessThan(
                TOL,
              );
              expect(relativeError(g.dBias, r.dBias), 'dBias').toBeLessThan(TOL);
              expect(relativeError(g.dInitialH, r.dInitialH), 'dInitialH').toBeLessThan(TOL);
              expect(relativeError(g.dInitialC, r.dInitialC), 'dInitialC').toBeLessThan(TOL);
            });
          });
        }
      }
    }

    const mvnShapes: [number, number, number, number][] = [
      [1, 1, 1, 1],
      [2, 9, 5, 3],
      [3, 17, 13, 5],
      [2, 40, 80, 8],
      [2, 13, 9, 11], // more modes than SIMD lanes
    ];
    for (const diagonal of [false, true]) {
      for (const [B, T, C, K] of mvnShapes) {
        for (const withMeans of [true, false]) {
          it(`${isa} mvnMixtureLogLik ${diagonal ? 'diagonal' : 'full'} B${B} T${T} C${C} K${K}${withMeans ? ' +means' : ''}`, () => {
            const k = native!;
            const seed = B * 100 + T + C * 7 + K;
            const mask = new Float32Array(B * T).fill(1);
            if (B * T > 2) mask[1] = 0;
            const x = random32(B * T * C, seed + 1);
            if (B * T > 2) x[C] = Number.NaN; // the masked point must never be read
            const p = {
              x,
              alpha: f32(randomSimplex(B * T, K, seed + 2)),
              means: withMeans ? random32(K * C, seed + 3, 0.5) : undefined,
              covariances: diagonal
                ? random32(K * C, seed + 4).map((v) => 1 + 0.6 * v)
                : f32(randomSpd(K, C, seed + 4)),
              mask,
            };
            const shape = { batch: B, steps: T, channels: C, modes: K, diagonal };
            const dLogLik = random32(B * T, seed + 5);
            withIsa(k, isa, () => {
              const ll = mvnMixtureLogLikNative(k, shape, p);
              const llRef = mvnMixtureLogLikReference(shape, p);
              expect(relativeError(ll, llRef), 'logLik').toBeLessThan(TOL);
              const g = mvnMixtureLogLikGradNative(k, shape, p, dLogLik);
              const r = mvnMixtureLogLikGradReference(shape, p, dLogLik);
              expect(relativeError(g.dx, r.dx), 'dx').toBeLessThan(TOL);
              expect(relativeError(g.dAlpha, r.dAlpha), 'dAlpha').toBeLessThan(TOL);
              expect(relativeError(g.dMeans, r.dMeans), 'dMeans').toBeLessThan(TOL);
              expect(relativeError(g.dCovariances, r.dCovariances), 'dCovariances').toBeLessThan(TOL);
              expect(ll.every(Number.isFinite)).toBe(true);
            });
          });
        }
      }
    }

    for (const [M, K, N] of [
      [1, 1, 1],
      [7, 5, 3],
      [6400, 128, 8],
      [300, 80, 256],
    ] as [number, number, number][]) {
      it(`${isa} dense [${M}, ${K}] · [${K}, ${N}]: output and every gradient`, () => {
        const k = native!;
        const p = { x: random32(M * K, M + K), kernel: random32(K * N, N, 0.3), bias: random32(N, 5) };
        const shape = { rows: M, inputs: K, outputs: N };
        const dOut = random32(M * N, 6);
        withIsa(k, isa, () => {
          expect(relativeError(denseNative(k, shape, p), denseReference(shape, p))).toBeLessThan(TOL);
          const g = denseGradNative(k, shape, p, dOut);
          const r = denseGradReference(shape, p, dOut);
          expect(relativeError(g.dx, r.dx), 'dx').toBeLessThan(TOL);
          expect(relativeError(g.dKernel, r.dKernel), 'dKernel').toBeLessThan(TOL);
          expect(relativeError(g.dBias, r.dBias), 'dBias').toBeLessThan(TOL);
        });
      });
    }

    for (const [M, F] of [
      [1, 1],
      [7, 5],
      [6400, 128],
      [33, 64],
    ] as [number, number][]) {
      it(`${isa} layer norm [${M}, ${F}]: output, row statistics and every gradient`, () => {
        const k = native!;
        const shape = { rows: M, features: F, epsilon: 1e-3 };
        // An offset so that the mean is far from zero, as after an RNN with a large bias.
        const x = random32(M * F, M + F, 3).map((v) => v + 2);
        const p = { x, gamma: random32(F, 7), beta: random32(F, 8) };
        const dy = random32(M * F, 9);
        withIsa(k, isa, () => {
          const f = layerNormForwardNative(k, shape, p);
          const r = layerNormForwardReference(shape, p);
          expect(relativeError(f.y, r.y), 'y').toBeLessThan(TOL);
          expect(relativeError(f.mean, r.mean), 'mean').toBeLessThan(TOL);
          expect(relativeError(f.rstd, r.rstd), 'rstd').toBeLessThan(TOL);
          const g = layerNormBackwardNative(k, shape, p, f, dy);
          const rg = layerNormBackwardReference(shape, p, r, dy);
          // With one feature dx is 0 up to rounding: compare against a unit scale there.
          expect(relativeError(g.dx, rg.dx, 1), 'dx').toBeLessThan(TOL);
          expect(relativeError(g.dGamma, rg.dGamma), 'dGamma').toBeLessThan(TOL);
          expect(relativeError(g.dBeta, rg.dBeta), 'dBeta').toBeLessThan(TOL);
        });
      });
    }

    for (const [K, C] of [
      [1, 1],
      [3, 7],
      [8, 80],
    ] as [number, number][]) {
      it(`${isa} covariances from Cholesky parameters, ${K} × [${C}, ${C}]: value and gradient`, () => {
        const k = native!;
        const shape = { modes: K, channels: C, diagonalShift: 1e-5, epsilon: 1e-6 };
        const free = random32(K * C * C, K + C, 0.3);
        const dD = random32(K * C * C, 2 * C);
        withIsa(k, isa, () => {
          const D = choleskyCovarianceNative(k, shape, free);
          expect(relativeError(D, choleskyCovarianceReference(shape, free))).toBeLessThan(TOL);
          // The product is symmetric in every bit, as the Cholesky downstream assumes.
          let asymmetric = 0;
          for (let m = 0; m < K; m++)
            for (let i = 0; i < C; i++)
              for (let j = 0; j < i; j++) if (D[(m * C + i) * C + j] !== D[(m * C + j) * C + i]) asymmetric++;
          expect(asymmetric).toBe(0);
          const g = choleskyCovarianceGradNative(k, shape, free, dD);
          expect(relativeError(g, choleskyCovarianceGradReference(shape, free, dD))).toBeLessThan(TOL);
        });
      });
    }

    for (const diagonal of [false, true]) {
      it(`${isa} mvnMixtureLogLik backward without the data gradient (${diagonal ? 'diagonal' : 'full'})`, () => {
        const k = native!;
        const [B, T, C, K] = [2, 11, 6, 3];
        const shape = { batch: B, steps: T, channels: C, modes: K, diagonal };
        const mask = new Float32Array(B * T).fill(1);
        mask[4] = 0;
        const p = {
          x: random32(B * T * C, 70),
          alpha: f32(randomSimplex(B * T, K, 71)),
          covariances: diagonal ? random32(K * C, 72).map((v) => 1 + 0.5 * v) : f32(randomSpd(K, C, 72)),
          means: random32(K * C, 73, 0.5),
          mask,
        };
        const d = random32(B * T, 74);
        withIsa(k, isa, () => {
          const all = mvnMixtureLogLikGradNative(k, shape, p, d);
          const noDx = mvnMixtureLogLikGradNative(k, shape, p, d, null, false);
          expect(noDx.dx.length).toBe(0);
          expect(Array.from(noDx.dAlpha)).toEqual(Array.from(all.dAlpha));
          expect(Array.from(noDx.dCovariances)).toEqual(Array.from(all.dCovariances));
          expect(Array.from(noDx.dMeans)).toEqual(Array.from(all.dMeans));
          const r = mvnMixtureLogLikGradReference(shape, p, d);
          expect(relativeError(all.dx, r.dx)).toBeLessThan(TOL);
        });
      });
    }

    it(`${isa} Adam update over a flat block agrees with the reference over several steps`, () => {
      const k = native!;
      const n = 10_001;
      const f = {
        param: random32(n, 60),
        grad: random32(n, 61),
        m: new Float32Array(n),
        v: new Float32Array(n),
      };
      const r = {
        param: Float64Array.from(f.param),
        grad: Float64Array.from(f.grad),
        m: new Float64Array(n),
        v: new Float64Array(n),
      };
      withIsa(k, isa, () => {
        for (let t = 1; t <= 3; t++) {
          const p = {
            stepSize: (1e-2 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t),
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            gradScale: 0.7,
          };
          adamUpdateNative(k, f, p);
          adamUpdateReference(r, p);
        }
      });
      expect(relativeError(f.param, r.param)).toBeLessThan(TOL);
      expect(relativeError(f.m, r.m)).toBeLessThan(TOL);
      expect(relativeError(f.v, r.v)).toBeLessThan(TOL);
      expect(() =>
        k.adamUpdate(
          3,
          0.1,
          0.9,
          0.999,
          1e-7,
          1,
          f32([0, 0, 0]),
          f32([0, 0]),
          f32([0, 0, 0]),
          f32([0, 0, 0]),
        ),
      ).toThrow(/adamUpdate: grad has 2 elements, expected 3/);
    });

    it(`${isa} layer norm: a wrongly sized argument throws instead of reading out of bounds`, () => {
      const k = native!;
      expect(() =>
        k.layerNormForward(
          2,
          3,
          1e-3,
          new Float32Array(6),
          new Float32Array(3),
          new Float32Array(3),
          new Float32Array(5),
          new Float32Array(2),
          new Float32Array(2),
        ),
      ).toThrow(/layerNormForward: y has 5 elements, expected 6/);
      expect(() =>
        k.layerNormForward(
          2,
          3,
          0,
          new Float32Array(6),
          new Float32Array(3),
          new Float32Array(3),
          new Float32Array(6),
          new Float32Array(2),
          new Float32Array(2),
        ),
      ).toThrow(/epsilon must be a positive finite number/);
    });

    it(`${isa} mvnMixtureLogLik: a non-positive-definite mixture reports the reference's batch and time`, () => {
      const k = native!;
      const [B, T, C, K] = [3, 10, 6, 2];
      const cov = f32(randomSpd(K, C, 900));
      // Mode 1 is indefinite; a point that puts (almost) all weight on it fails.
      for (let i = 0; i < C; i++) cov[(C + i) * C + i] = -2;
      const alpha = new Float32Array(B * T * K);
      for (let n = 0; n < B * T; n++) alpha[n * K] = 1;
      alpha[(1 * T + 7) * K] = 0;
      alpha[(1 * T + 7) * K + 1] = 1;
      alpha[(2 * T + 3) * K] = 0;
      alpha[(2 * T + 3) * K + 1] = 1;
      const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
      const p = { x: random32(B * T * C, 901), alpha, covariances: cov };
      withIsa(k, isa, () => {
        for (const run of [
          () => mvnMixtureLogLikNative(k, shape, p),
          () => mvnMixtureLogLikGradNative(k, shape, p, new Float32Array(B * T).fill(1)),
        ]) {
          let caught: unknown;
          try {
            run();
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(NotPositiveDefiniteError);
          expect((caught as NotPositiveDefiniteError).batchIndex).toBe(1);
          expect((caught as NotPositiveDefiniteError).timeIndex).toBe(7);
        }
        expect(() => mvnMixtureLogLikReference(shape, p)).toThrow(/batch 1, time 7/);
      });
    });

    it(`${isa} mvnMixtureLogLik: ill-conditioned but valid covariances stay finite in float32`, () => {
      const k = native!;
      const [B, T, C, K] = [1, 16, 40, 3];
      // Eigenvalues from 1e-4 to 1e3 in a random basis, plus a nearly singular mixture weight.
      const D = new Float32Array(K * C * C);
      for (let m = 0; m < K; m++) {
        const q = random32(C * C, 950 + m);
        for (let i = 0; i < C; i++)
          for (let j = 0; j < C; j++) {
            let v = 0;
            for (let l = 0; l < C; l++)
              v += Math.pow(10, -4 + (7 * l) / (C - 1)) * q[i * C + l]! * q[j * C + l]!;
            D[(m * C + i) * C + j] = v;
          }
      }
      const alpha = f32(randomSimplex(B * T, K, 960));
      alpha.set([1 - 2e-6, 1e-6, 1e-6], 0);
      const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
      const p = { x: random32(B * T * C, 961), alpha, covariances: D };
      withIsa(k, isa, () => {
        expect(mvnMixtureLogLikNative(k, shape, p).every(Number.isFinite)).toBe(true);
        const g = mvnMixtureLogLikGradNative(k, shape, p, new Float32Array(B * T).fill(1));
        for (const a of [g.dx, g.dAlpha, g.dCovariances]) expect(a.every(Number.isFinite)).toBe(true);
      });
    });
  }

  it('backward from the factors kept by the forward equals a backward that refactorises', () => {
    const k = native!;
    const [B, T, C, K] = [3, 21, 17, 4];
    const mask = new Float32Array(B * T).fill(1);
    mask.fill(0, 5, 9);
    const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
    const p = {
      x: random32(B * T * C, 31),
      alpha: f32(randomSimplex(B * T, K, 32)),
      means: random32(K * C, 33, 0.3),
      covariances: f32(randomSpd(K, C, 34)),
      mask,
    };
    const d = random32(B * T, 35);
    const pass = mvnMixtureLogLikForTraining(shape, p);
    expect(Array.from(pass.logLik)).toEqual(Array.from(mvnMixtureLogLikNative(k, shape, p)));
    const kept = pass.backward(d);
    const fresh = mvnMixtureLogLikGradNative(k, shape, p, d);
    expect(relativeError(kept.dCovariances, fresh.dCovariances)).toBeLessThan(1e-6);
    expect(relativeError(kept.dAlpha, fresh.dAlpha)).toBeLessThan(1e-6);
    expect(relativeError(kept.dx, fresh.dx)).toBeLessThan(1e-6);
    expect(relativeError(kept.dMeans, fresh.dMeans)).toBeLessThan(1e-6);

    const raw = k.mvnMixtureForward(
      B,
      T,
      C,
      K,
      false,
      p.x,
      p.alpha,
      p.means,
      p.covariances,
      mask,
      new Float32Array(B * T),
      true,
    );
    expect(raw.failure).toBeNull();
    const factors = raw.factors!;
    expect(factors).not.toBeNull();
    const outs = () =>
      [
        new Float32Array(B * T * C),
        new Float32Array(B * T * K),
        new Float32Array(K * C),
        new Float32Array(K * C * C),
      ] as const;
    const [dx, da, dm, dD] = outs();
    const otherMask = new Float32Array(B * T).fill(1);
    expect(() =>
      k.mvnMixtureBackward(
        B,
        T,
        C,
        K,
        false,
        p.x,
        p.alpha,
        p.means,
        p.covariances,
        otherMask,
        d,
        dx,
        da,
        dm,
        dD,
        factors,
      ),
    ).toThrow(/different shape or mask/);
    k.releaseFactors(factors);
    expect(() =>
      k.mvnMixtureBackward(
        B,
        T,
        C,
        K,
        false,
        p.x,
        p.alpha,
        p.means,
        p.covariances,
        mask,
        d,
        dx,
        da,
        dm,
        dD,
        factors,
      ),
    ).toThrow(/already released/);
  });

  it('a fully masked batch gives zeros and zero gradients', () => {
    const k = native!;
    const [B, T, C, K] = [2, 5, 4, 3];
    for (const diagonal of [false, true]) {
      const shape = { batch: B, steps: T, channels: C, modes: K, diagonal };
      const p = {
        x: random32(B * T * C, 1).fill(Number.NaN),
        alpha: f32(randomSimplex(B * T, K, 2)),
        covariances: diagonal ? random32(K * C, 3).fill(1) : f32(randomSpd(K, C, 3)),
        mask: new Float32Array(B * T),
      };
      expect(Array.from(mvnMixtureLogLikNative(k, shape, p)).every((v) => v === 0)).toBe(true);
      const g = mvnMixtureLogLikGradNative(k, shape, p, new Float32Array(B * T).fill(1));
      for (const a of [g.dx, g.dAlpha, g.dCovariances]) expect(a.every((v) => v === 0)).toBe(true);
      expect(Array.from(mvnMixtureLogLikForTraining(shape, p).logLik).every((v) => v === 0)).toBe(true);
    }
  });

  it('repeated calls give bit-identical results (fixed task partition, ordered reductions)', () => {
    const k = native!;
    const [B, T, C, K] = [4, 50, 20, 4];
    const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
    const p = {
      x: random32(B * T * C, 1),
      alpha: f32(randomSimplex(B * T, K, 2)),
      covariances: f32(randomSpd(K, C, 3)),
    };
    const d = random32(B * T, 4);
    const a = mvnMixtureLogLikGradNative(k, shape, p, d);
    const b = mvnMixtureLogLikGradNative(k, shape, p, d);
    expect(Array.from(a.dCovariances)).toEqual(Array.from(b.dCovariances));
    const rs = { cell: 'lstm' as const, batch: 8, steps: 30, inputSize: 12, units: 16, reverse: false };
    const rp = {
      x: random32(8 * 30 * 12, 5),
      kernel: random32(12 * 64, 6, 0.3),
      recurrentKernel: random32(16 * 64, 7, 0.3),
      bias: random32(64, 8),
    };
    const f1 = rnnForwardNative(k, rs, rp);
    const f2 = rnnForwardNative(k, rs, rp);
    const dy = random32(8 * 30 * 16, 9);
    expect(Array.from(rnnBackwardNative(k, rs, rp, f1, dy).dKernel)).toEqual(
      Array.from(rnnBackwardNative(k, rs, rp, f2, dy).dKernel),
    );
  });

  it('the addon rejects arrays of the wrong size with a TypeError naming the argument', () => {
    const k = native!;
    const x = new Float32Array(6);
    expect(() =>
      k.rnnForward(
        0,
        1,
        2,
        3,
        1,
        false,
        x,
        new Float32Array(5),
        new Float32Array(4),
        new Float32Array(4),
        null,
        null,
        new Float32Array(2),
        new Float32Array(10),
      ),
    ).toThrow(/rnnForward: kernel has 5 elements, expected 12/);
    expect(() =>
      k.mvnMixtureForward(
        1,
        1,
        2,
        1,
        false,
        new Float64Array(2) as unknown as Float32Array,
        new Float32Array(1),
        null,
        new Float32Array(4),
        null,
        new Float32Array(1),
      ),
    ).toThrow(/x must be a Float32Array/);
  });
});
