import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadNativeKernels } from '../../src-main/engine/native/load';
import * as tf from '@tensorflow/tfjs';
import { engineInfo, initEngineBackend } from '../../src-main/engine/backend';
import { rnnSequence } from '../../src-main/engine/ops/rnnSequence';
import { bidirectionalRnnSequence } from '../../src-main/engine/ops/bidirectionalRnn';
import { mvnMixtureLogLik } from '../../src-main/engine/ops/mvnMixtureLogLik';
import {
  rnnBackwardReference,
  rnnForwardReference,
  type RnnCell,
} from '../../src-main/engine/ops/rnnReference';
import {
  mvnMixtureLogLikGradReference,
  mvnMixtureLogLikReference,
} from '../../src-main/engine/ops/mvnMixtureReference';
import { dense } from '../../src-main/engine/ops/dense';
import { denseGradReference, denseReference } from '../../src-main/engine/ops/denseReference';
import { NotPositiveDefiniteError } from '../../src-main/engine/ops/notPositiveDefiniteError';
import { layerNormalization } from '../../src-main/engine/ops/layerNorm';
import { choleskyCovariance } from '../../src-main/engine/ops/choleskyCovariance';
import { sequenceGaussianKl } from '../../src-main/engine/ops/sequenceGaussianKl';
import {
  sequenceKlGradReference,
  sequenceKlReference,
} from '../../src-main/engine/ops/sequenceGaussianKlReference';
import {
  choleskyCovarianceGradReference,
  choleskyCovarianceReference,
} from '../../src-main/engine/ops/choleskyCovarianceReference';
import {
  layerNormBackwardReference,
  layerNormForwardReference,
} from '../../src-main/engine/ops/layerNormReference';
import { random64, randomSimplex, randomSpd, relativeError } from '../unit/engineFixtures';

const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
const F = (a: ArrayLike<number>) => Float32Array.from(a);

describe('engine tfjs ops', () => {
  beforeAll(async () => {
    await initEngineBackend({ maxBackend: 'wasm' });
  });

  it('reports the backend and kernel path', () => {
    const info = engineInfo();
    expect(info.backend).toBe('wasm');
    expect(['native', 'typescript']).toContain(info.kernelPath);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
  });

  for (const cell of ['lstm', 'gru'] as RnnCell[]) {
    it(`${cell}: tf.grads through rnnSequence equal the reference gradients`, () => {
      const [B, T, I, H] = [3, 5, 4, 6];
      const G = cell === 'lstm' ? 4 : 3;
      const x = random64(B * T * I, 1);
      const kernel = random64(I * G * H, 2, 0.5);
      const rec = random64(H * G * H, 3, 0.5);
      const bias = random64(cell === 'lstm' ? 4 * H : 6 * H, 4, 0.2);
      const h0 = random64(B * H, 5, 0.5);
      const c0 = random64(B * H, 6, 0.5);
      const w = random64(B * T * H, 7);
      const tensors = [
        tf.tensor3d(F(x), [B, T, I], 'float32'),
        tf.tensor2d(F(kernel), [I, G * H], 'float32'),
        tf.tensor2d(F(rec), [H, G * H], 'float32'),
        cell === 'lstm' ? tf.tensor1d(F(bias), 'float32') : tf.tensor2d(F(bias), [2, 3 * H], 'float32'),
        tf.tensor2d(F(h0), [B, H], 'float32'),
        tf.tensor2d(F(c0), [B, H], 'float32'),
      ];
      const wt = tf.tensor3d(F(w), [B, T, H], 'float32');
      const run = (a: tf.Tensor[]) =>
        rnnSequence(
          a[0] as tf.Tensor3D,
          { kernel: a[1] as tf.Tensor2D, recurrentKernel: a[2] as tf.Tensor2D, bias: a[3]! },
          {
            cell,
            reverse: true,
            initialH: a[4] as tf.Tensor2D,
            initialC: cell === 'lstm' ? (a[5] as tf.Tensor2D) : undefined,
          },
        );
      const used = cell === 'lstm' ? tensors : tensors.slice(0, 5);
      const grads = tf.grads((...a: tf.Tensor[]) => run(a).mul(wt).sum())(used);
      // Oracle in float64 on the float32-rounded inputs.
      const shape = { cell, batch: B, steps: T, inputSize: I, units: H, reverse: true };
      const p = {
        x: f64(tensors[0]!),
        kernel: f64(tensors[1]!),
        recurrentKernel: f64(tensors[2]!),
        bias: f64(tensors[3]!),
        initialH: f64(tensors[4]!),
        initialC: cell === 'lstm' ? f64(tensors[5]!) : undefined,
      };
      const fwd = rnnForwardReference(shape, p);
      const ref = rnnBackwardReference(shape, p, fwd, f64(wt));
      expect(relativeError(run(used).dataSync(), fwd.hidden)).toBeLessThan(1e-5);
      const expected = [ref.dx, ref.dKernel, ref.dRecurrentKernel, ref.dBias, ref.dInitialH, ref.dInitialC];
      grads.forEach((g, i) => {
        expect(g.shape).toEqual(used[i]!.shape);
        expect(relativeError(g.dataSync(), expected[i]!), `input ${i}`).toBeLessThan(1e-5);
      });
    });
  }

  it('inputGradient: false gives the same weight gradients and a zero input gradient', () => {
    const [B, T, I, H] = [2, 6, 3, 4];
    const x = tf.tensor3d(F(random64(B * T * I, 70)), [B, T, I]);
    const w = {
      kernel: tf.tensor2d(F(random64(I * 4 * H, 71, 0.5)), [I, 4 * H]),
      recurrentKernel: tf.tensor2d(F(random64(H * 4 * H, 72, 0.5)), [H, 4 * H]),
      bias: tf.tensor1d(F(random64(4 * H, 73, 0.2))),
    };
    const grads = (inputGradient: boolean) =>
      tf.grads((xv, k, r, b) =>
        rnnSequence(
          xv as tf.Tensor3D,
          { kernel: k as tf.Tensor2D, recurrentKernel: r as tf.Tensor2D, bias: b! },
          { cell: 'lstm', inputGradient },
        ).sum(),
      )([x, w.kernel, w.recurrentKernel, w.bias]);
    const full = grads(true);
    const skipped = grads(false);
    expect(Math.max(...Array.from(full[0]!.abs().dataSync()))).toBeGreaterThan(1e-3);
    expect(Array.from(skipped[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    for (let i = 1; i < 4; i++)
      expect(Array.from(skipped[i]!.dataSync())).toEqual(Array.from(full[i]!.dataSync()));
  });

  for (const cell of ['lstm', 'gru'] as RnnCell[]) {
    it(`${cell} bidirectional: [forward, backward] states and tf.grads equal the reference`, () => {
      const [B, T, I, H] = [3, 5, 4, 6];
      const G = cell === 'lstm' ? 4 : 3;
      const biasShape = cell === 'lstm' ? [4 * H] : [2, 3 * H];
      const x = tf.tensor3d(F(random64(B * T * I, 11)), [B, T, I]);
      const mk = (s: number) => [
        tf.tensor2d(F(random64(I * G * H, s, 0.5)), [I, G * H]),
        tf.tensor2d(F(random64(H * G * H, s + 1, 0.5)), [H, G * H]),
        tf.tensor(
          F(
            random64(
              biasShape.reduce((p, q) => p * q, 1),
              s + 2,
              0.2,
            ),
          ),
          biasShape,
        ),
      ];
      const tensors = [x, ...mk(20), ...mk(30)];
      const w = tf.tensor3d(F(random64(B * T * 2 * H, 12)), [B, T, 2 * H]);
      const run = (a: tf.Tensor[]) =>
        bidirectionalRnnSequence(
          a[0] as tf.Tensor3D,
          { kernel: a[1] as tf.Tensor2D, recurrentKernel: a[2] as tf.Tensor2D, bias: a[3]! },
          { kernel: a[4] as tf.Tensor2D, recurrentKernel: a[5] as tf.Tensor2D, bias: a[6]! },
          cell,
        );
      const out = run(tensors);
      expect(out.shape).toEqual([B, T, 2 * H]);
      const grads = tf.grads((...a: tf.Tensor[]) => run(a).mul(w).sum())(tensors);
      const wAll = f64(w);
      const dx = new Float64Array(B * T * I);
      for (let d = 0; d < 2; d++) {
        const shape = { cell, batch: B, steps: T, inputSize: I, units: H, reverse: d === 1 };
        const p = {
          x: f64(x),
          kernel: f64(tensors[1 + 3 * d]!),
          recurrentKernel: f64(tensors[2 + 3 * d]!),
          bias: f64(tensors[3 + 3 * d]!),
        };
        const fwd = rnnForwardReference(shape, p);
        const wd = new Float64Array(B * T * H);
        const outD = new Float64Array(B * T * H);
        const outAll = out.dataSync();
        for (let n = 0; n < B * T; n++)
          for (let j = 0; j < H; j++) {
            wd[n * H + j] = wAll[n * 2 * H + d * H + j]!;
            outD[n * H + j] = outAll[n * 2 * H + d * H + j]!;
          }
        expect(relativeError(outD, fwd.hidden), `direction ${d} states`).toBeLessThan(1e-5);
        const ref = rnnBackwardReference(shape, p, fwd, wd);
        ref.dx.forEach((v, i) => (dx[i]! += v));
        const expected = [ref.dKernel, ref.dRecurrentKernel, ref.dBias];
        for (let i = 0; i < 3; i++) {
          expect(
            relativeError(grads[1 + 3 * d + i]!.dataSync(), expected[i]!),
            `direction ${d} input ${i}`,
          ).toBeLessThan(1e-5);
        }
      }
      expect(relativeError(grads[0]!.dataSync(), dx), 'dx').toBeLessThan(1e-5);
    });
  }

  for (const diagonal of [false, true]) {
    it(`mvnMixtureLogLik (${diagonal ? 'diagonal' : 'full'}): value and tf.grads equal the reference`, () => {
      const [B, T, C, K] = [2, 6, 5, 3];
      const covariances = diagonal ? random64(K * C, 40).map((v) => 1 + 0.5 * v) : randomSpd(K, C, 40);
      const xt = tf.tensor3d(F(random64(B * T * C, 41)), [B, T, C], 'float32');
      const at = tf.tensor3d(F(randomSimplex(B * T, K, 42)), [B, T, K], 'float32');
      const dt = diagonal
        ? tf.tensor2d(F(covariances), [K, C], 'float32')
        : tf.tensor3d(F(covariances), [K, C, C], 'float32');
      const mt = tf.tensor2d(F(random64(K * C, 43, 0.5)), [K, C], 'float32');
      const maskData = new Float64Array(B * T).fill(1);
      maskData[3] = 0;
      const mask = tf.tensor2d(F(maskData), [B, T], 'float32');
      const wt = tf.tensor2d(F(random64(B * T, 44)), [B, T], 'float32');
      const f = (x: tf.Tensor, a: tf.Tensor, d: tf.Tensor, m: tf.Tensor) =>
        mvnMixtureLogLik(x as tf.Tensor3D, a as tf.Tensor3D, d, { means: m as tf.Tensor2D, mask });
      const grads = tf.grads((x, a, d, m) => f(x!, a!, d!, m!).mul(wt).sum())([xt, at, dt, mt]);
      const shape = { batch: B, steps: T, channels: C, modes: K, diagonal };
      const p = { x: f64(xt), alpha: f64(at), covariances: f64(dt), means: f64(mt), mask: maskData };
      const ll = mvnMixtureLogLikReference(shape, p);
      const ref = mvnMixtureLogLikGradReference(shape, p, f64(wt));
      expect(relativeError(f(xt, at, dt, mt).dataSync(), ll)).toBeLessThan(1e-5);
      const expected = [ref.dx, ref.dAlpha, ref.dCovariances, ref.dMeans];
      grads.forEach((g, i) =>
        expect(relativeError(g.dataSync(), expected[i]!), `input ${i}`).toBeLessThan(1e-5),
      );
      // Without the data gradient: zeros for x, every other gradient unchanged.
      const noDx = tf.grads((x, a, d, m) =>
        mvnMixtureLogLik(x as tf.Tensor3D, a as tf.Tensor3D, d!, {
          means: m as tf.Tensor2D,
          mask,
          dataGradient: false,
        })
          .mul(wt)
          .sum(),
      )([xt, at, dt, mt]);
      expect(Array.from(noDx[0]!.dataSync()).every((v) => v === 0)).toBe(true);
      for (let i = 1; i < 4; i++)
        expect(relativeError(noDx[i]!.dataSync(), expected[i]!), `input ${i} without dx`).toBeLessThan(1e-5);
    });
  }

  it('dense over the last axis: value and tf.grads equal the reference', () => {
    const [B, T, K, N] = [3, 4, 5, 2];
    const x = tf.tensor3d(F(random64(B * T * K, 80)), [B, T, K]);
    const W = tf.tensor2d(F(random64(K * N, 81)), [K, N]);
    const b = tf.tensor1d(F(random64(N, 82)));
    const w = tf.tensor3d(F(random64(B * T * N, 83)), [B, T, N]);
    const out = dense(x, W, b);
    expect(out.shape).toEqual([B, T, N]);
    const shape = { rows: B * T, inputs: K, outputs: N };
    const p = { x: f64(x), kernel: f64(W), bias: f64(b) };
    expect(relativeError(out.dataSync(), denseReference(shape, p))).toBeLessThan(1e-5);
    const grads = tf.grads((xv, wv, bv) =>
      dense(xv!, wv as tf.Tensor2D, bv as tf.Tensor1D)
        .mul(w)
        .sum(),
    )([x, W, b]);
    const ref = denseGradReference(shape, p, f64(w));
    [ref.dx, ref.dKernel, ref.dBias].forEach((e, i) =>
      expect(relativeError(grads[i]!.dataSync(), e)).toBeLessThan(1e-5),
    );
    expect(() => dense(x, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow(/dense expects x \[\.\.\., 4\]/);
  });

  it('dense with a softplus output and shift: value and tf.grads equal the plain tfjs composition', () => {
    const [B, T, K, N] = [2, 5, 4, 3];
    const x = tf.tensor3d(F(random64(B * T * K, 180, 2)), [B, T, K]);
    const W = tf.tensor2d(F(random64(K * N, 181)), [K, N]);
    const b = tf.tensor1d(F(random64(N, 182)));
    const w = tf.tensor3d(F(random64(B * T * N, 183)), [B, T, N]);
    const fused = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      dense(xv, wv as tf.Tensor2D, bv as tf.Tensor1D, { activation: 'softplus', shift: 1e-3 });
    const plain = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      tf
        .softplus(xv.reshape([-1, K]).matMul(wv).add(bv))
        .add(1e-3)
        .reshape([B, T, N]);
    const out = fused(x, W, b);
    expect(Math.min(...out.dataSync())).toBeGreaterThan(1e-3);
    expect(relativeError(out.dataSync(), plain(x, W, b).dataSync())).toBeLessThan(1e-5);
    // And against the float64 reference: softplus of the reference dense output.
    const ref = denseReference(
      { rows: B * T, inputs: K, outputs: N },
      { x: f64(x), kernel: f64(W), bias: f64(b) },
    );
    expect(
      relativeError(
        out.dataSync(),
        ref.map((z) => Math.log1p(Math.exp(z)) + 1e-3),
      ),
    ).toBeLessThan(1e-5);
    const g = tf.grads((xv, wv, bv) => fused(xv!, wv!, bv!).mul(w).sum())([x, W, b]);
    const gPlain = tf.grads((xv, wv, bv) => plain(xv!, wv!, bv!).mul(w).sum())([x, W, b]);
    g.forEach((t, i) =>
      expect(relativeError(t.dataSync(), gPlain[i]!.dataSync()), `input ${i}`).toBeLessThan(1e-5),
    );
  });

  it('layerNormalization over the last axis: value and tf.grads equal the reference', () => {
    const [B, T, Fe] = [3, 4, 6];
    const x = tf.tensor3d(F(random64(B * T * Fe, 84, 3)), [B, T, Fe]);
    const g = tf.tensor1d(F(random64(Fe, 85)));
    const b = tf.tensor1d(F(random64(Fe, 86)));
    const w = tf.tensor3d(F(random64(B * T * Fe, 87)), [B, T, Fe]);
    const out = layerNormalization(x, g, b, 1e-3);
    expect(out.shape).toEqual([B, T, Fe]);
    const shape = { rows: B * T, features: Fe, epsilon: 1e-3 };
    const p = { x: f64(x), gamma: f64(g), beta: f64(b) };
    const ref = layerNormForwardReference(shape, p);
    expect(relativeError(out.dataSync(), ref.y)).toBeLessThan(1e-5);
    // The same function from plain tfjs ops, as the model computed it before the fused op.
    const { mean, variance } = tf.moments(x, -1, true);
    const plain = x.sub(mean).div(variance.add(1e-3).sqrt()).mul(g).add(b);
    expect(relativeError(out.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
    const grads = tf.grads((xv, gv, bv) =>
      layerNormalization(xv!, gv as tf.Tensor1D, bv as tf.Tensor1D, 1e-3)
        .mul(w)
        .sum(),
    )([x, g, b]);
    const rg = layerNormBackwardReference(shape, p, ref, f64(w));
    [rg.dx, rg.dGamma, rg.dBeta].forEach((e, i) =>
      expect(relativeError(grads[i]!.dataSync(), e), `input ${i}`).toBeLessThan(1e-5),
    );
    expect(() => layerNormalization(x, tf.zeros([5]) as tf.Tensor1D, b, 1e-3)).toThrow(
      /gamma and beta must be \[6\]/,
    );
  });

  it('choleskyCovariance: value and tf.grads equal the reference and the plain tfjs construction', () => {
    const [K, C] = [3, 6];
    const free = tf.tensor3d(F(random64(K * C * C, 88)), [K, C, C]);
    const w = tf.tensor3d(F(random64(K * C * C, 89)), [K, C, C]);
    const shape = { modes: K, channels: C, diagonalShift: 1e-5, epsilon: 1e-4 };
    const out = choleskyCovariance(free, 1e-5, 1e-4);
    expect(relativeError(out.dataSync(), choleskyCovarianceReference(shape, f64(free)))).toBeLessThan(1e-5);
    // How the model built D before the fused op: masks, softplus and a batched matMul.
    const lower = tf.linalg.bandPart(tf.ones([C, C]), -1, 0).sub(tf.eye(C));
    const plain = (fv: tf.Tensor) => {
      const L = fv.mul(lower).add(tf.softplus(fv).add(1e-5).mul(tf.eye(C))) as tf.Tensor3D;
      return tf.matMul(L, L, false, true).add(tf.eye(C).mul(1e-4));
    };
    expect(relativeError(out.dataSync(), plain(free).dataSync())).toBeLessThan(1e-5);
    const [g] = tf.grads((fv) => choleskyCovariance(fv!, 1e-5, 1e-4).mul(w).sum())([free]);
    const ref = choleskyCovarianceGradReference(shape, f64(free), f64(w));
    expect(relativeError(g!.dataSync(), ref)).toBeLessThan(1e-5);
    const [gPlain] = tf.grads((fv) => plain(fv!).mul(w).sum())([free]);
    expect(relativeError(g!.dataSync(), gPlain!.dataSync())).toBeLessThan(1e-5);
    expect(() => choleskyCovariance(tf.zeros([2, 3, 4]), 1e-5, 0)).toThrow(
      /expects free parameters \[K, C, C\]/,
    );
  });

  it('sequenceGaussianKl: value and tf.grads equal the reference and the sliced tfjs construction', () => {
    const [B, T, K] = [3, 7, 4];
    const n = B * T * K;
    const pos = (seed: number) => F(random64(n, seed).map((v) => 0.2 + Math.abs(v)));
    const muQ = tf.tensor3d(F(random64(n, 95)), [B, T, K]);
    const sdQ = tf.tensor3d(pos(96), [B, T, K]);
    const muP = tf.tensor3d(F(random64(n, 97)), [B, T, K]);
    const sdP = tf.tensor3d(pos(98), [B, T, K]);
    const w = tf.tensor2d(F(random64(B * (T - 1), 99)), [B, T - 1]);
    const out = sequenceGaussianKl(muQ, sdQ, muP, sdP, 1);
    expect(out.shape).toEqual([B, T - 1]);
    const shape = { batch: B, steps: T, modes: K, lag: 1 };
    const p = { muQ: f64(muQ), sdQ: f64(sdQ), muP: f64(muP), sdP: f64(sdP) };
    expect(relativeError(out.dataSync(), sequenceKlReference(shape, p))).toBeLessThan(1e-5);
    // How the model computed the term before the fused op.
    const plain = (mq: tf.Tensor, sq: tf.Tensor, mp: tf.Tensor, sp: tf.Tensor) => {
      const [a, b2] = [mq.slice([0, 1, 0], [B, T - 1, K]), sq.slice([0, 1, 0], [B, T - 1, K])];
      const [c, d] = [mp.slice([0, 0, 0], [B, T - 1, K]), sp.slice([0, 0, 0], [B, T - 1, K])];
      return d
        .log()
        .sub(b2.log())
        .add(b2.square().add(a.sub(c).square()).div(d.square().mul(2)))
        .sub(0.5)
        .sum(2);
    };
    expect(relativeError(out.dataSync(), plain(muQ, sdQ, muP, sdP).dataSync())).toBeLessThan(1e-5);
    const inputs = [muQ, sdQ, muP, sdP];
    const grads = tf.grads((a, b2, c, d) =>
      sequenceGaussianKl(a as tf.Tensor3D, b2 as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor3D, 1)
        .mul(w)
        .sum(),
    )(inputs);
    const ref = sequenceKlGradReference(shape, p, f64(w));
    const gPlain = tf.grads((a, b2, c, d) => plain(a!, b2!, c!, d!).mul(w).sum())(inputs);
    [ref.dMuQ, ref.dSdQ, ref.dMuP, ref.dSdP].forEach((e, i) => {
      expect(relativeError(grads[i]!.dataSync(), e), `input ${i}`).toBeLessThan(1e-5);
      expect(relativeError(grads[i]!.dataSync(), gPlain[i]!.dataSync()), `plain ${i}`).toBeLessThan(1e-5);
    });
    expect(() => sequenceGaussianKl(muQ, sdQ, muP, tf.ones([B, T, K + 1]) as tf.Tensor3D, 1)).toThrow(
      /sdP must be \[3, 7, 4\] like muQ/,
    );
  });

  it.skipIf(!loadNativeKernels().kernels)(
    'keeps native factors only while gradients are recorded, and frees them after backward',
    () => {
      const native = loadNativeKernels().kernels!;
      const release = vi.spyOn(native, 'releaseFactors');
      const [B, T, C, K] = [2, 9, 4, 2];
      const x = tf.tensor3d(F(random64(B * T * C, 90)), [B, T, C]);
      const a = tf.tensor3d(F(randomSimplex(B * T, K, 91)), [B, T, K]);
      const d = tf.tensor3d(F(randomSpd(K, C, 92)), [K, C, C]);
      mvnMixtureLogLik(x, a, d).dataSync();
      expect(release).not.toHaveBeenCalled();
      tf.grads((dv) => mvnMixtureLogLik(x, a, dv!).sum())([d]);
      expect(release).toHaveBeenCalledTimes(1);
      release.mockRestore();
    },
  );

  it('non-positive-definite mixtures surface as NotPositiveDefiniteError through the op', () => {
    const d = tf.tensor3d(F([1, 0, 0, -1]), [1, 2, 2]);
    const x = tf.zeros([1, 3, 2]) as tf.Tensor3D;
    const a = tf.ones([1, 3, 1]) as tf.Tensor3D;
    expect(() => mvnMixtureLogLik(x, a, d)).toThrow(NotPositiveDefiniteError);
  });

  it('same inputs give bit-identical outputs and gradients on repeated runs', () => {
    const [B, T, I, H] = [4, 30, 8, 16];
    const make = () => {
      const x = tf.tensor3d(F(random64(B * T * I, 60)), [B, T, I], 'float32');
      const k = tf.tensor2d(F(random64(I * 4 * H, 61, 0.3)), [I, 4 * H], 'float32');
      const r = tf.tensor2d(F(random64(H * 4 * H, 62, 0.3)), [H, 4 * H], 'float32');
      const b = tf.tensor1d(F(random64(4 * H, 63, 0.1)), 'float32');
      const g = tf.grads((x, k, r, b) =>
        rnnSequence(
          x as tf.Tensor3D,
          { kernel: k as tf.Tensor2D, recurrentKernel: r as tf.Tensor2D, bias: b! },
          { cell: 'lstm' },
        )
          .square()
          .sum(),
      )([x, k, r, b]);
      return g.map((t) => Array.from(t.dataSync()));
    };
    expect(make()).toEqual(make());
  });
});
