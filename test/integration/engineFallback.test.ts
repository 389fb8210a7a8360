import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { random64, randomSimplex, randomSpd, relativeError } from '../unit/engineFixtures';

// The loader caches its decision per process; vitest runs each test file in its own process, so
// disabling the native kernels here does not affect the other engine tests.
const previous = process.env.MODESCOPE_DISABLE_NATIVE;
const F = (a: ArrayLike<number>) => Float32Array.from(a);

describe('engine without native kernels', () => {
  beforeAll(() => {
    process.env.MODESCOPE_DISABLE_NATIVE = '1';
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MODESCOPE_DISABLE_NATIVE;
    else process.env.MODESCOPE_DISABLE_NATIVE = previous;
  });

  it('reports the TypeScript kernel path, warns once, and the ops still match the reference', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { initEngineBackend } = await import('../../src-main/engine/backend');
    const { mvnMixtureLogLik } = await import('../../src-main/engine/ops/mvnMixtureLogLik');
    const { rnnSequence } = await import('../../src-main/engine/ops/rnnSequence');
    const { mvnMixtureLogLikReference } = await import('../../src-main/engine/ops/mvnMixtureReference');
    const info = await initEngineBackend({ maxBackend: 'cpu' });
    expect(info).toMatchObject({ backend: 'cpu', kernelPath: 'typescript', threads: 1 });
    expect(info.nativeUnavailableReason).toMatch(/MODESCOPE_DISABLE_NATIVE/);
    expect(tf.getBackend()).toBe('cpu');

    const [B, T, C, K] = [2, 3, 3, 2];
    const p = {
      x: random64(B * T * C, 1),
      alpha: randomSimplex(B * T, K, 2),
      covariances: randomSpd(K, C, 3),
    };
    const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
    const ll = mvnMixtureLogLik(
      tf.tensor3d(F(p.x), [B, T, C]),
      tf.tensor3d(F(p.alpha), [B, T, K]),
      tf.tensor3d(F(p.covariances), [K, C, C]),
    );
    expect(relativeError(ll.dataSync(), mvnMixtureLogLikReference(shape, p))).toBeLessThan(1e-5);
    rnnSequence(
      tf.zeros([1, 2, 3]) as tf.Tensor3D,
      {
        kernel: tf.zeros([3, 8]) as tf.Tensor2D,
        recurrentKernel: tf.zeros([2, 8]) as tf.Tensor2D,
        bias: tf.zeros([8]),
      },
      { cell: 'lstm' },
    );
    // The newer fused ops take their TypeScript path too.
    const { layerNormalization } = await import('../../src-main/engine/ops/layerNorm');
    const { layerNormForwardReference } = await import('../../src-main/engine/ops/layerNormReference');
    const { choleskyCovariance } = await import('../../src-main/engine/ops/choleskyCovariance');
    const { choleskyCovarianceReference } =
      await import('../../src-main/engine/ops/choleskyCovarianceReference');
    const { Adam } = await import('../../src-main/engine/training/adam');
    const x = random64(12, 4);
    const gamma = random64(4, 5);
    const beta = random64(4, 6);
    const y = layerNormalization(
      tf.tensor2d(F(x), [3, 4]),
      tf.tensor1d(F(gamma)),
      tf.tensor1d(F(beta)),
      1e-3,
    );
    const yRef = layerNormForwardReference({ rows: 3, features: 4, epsilon: 1e-3 }, { x, gamma, beta }).y;
    expect(relativeError(y.dataSync(), yRef)).toBeLessThan(1e-5);
    const free = random64(2 * 9, 7);
    const D = choleskyCovariance(tf.tensor3d(F(free), [2, 3, 3]), 1e-5, 1e-4);
    const dRef = choleskyCovarianceReference(
      { modes: 2, channels: 3, diagonalShift: 1e-5, epsilon: 1e-4 },
      free,
    );
    expect(relativeError(D.dataSync(), dRef)).toBeLessThan(1e-5);
    const w = tf.variable(tf.tensor1d([1, -2]));
    new Adam(new Map([['w', w]])).apply({ w: tf.tensor1d([0.5, -1]) }, 0.1, null);
    expect(w.dataSync()[0]).toBeCloseTo(0.9, 5);
    expect(w.dataSync()[1]).toBeCloseTo(-1.9, 5);

    const engineWarnings = warn.mock.calls.filter((c) => String(c[0]).includes('native kernels unavailable'));
    expect(engineWarnings).toHaveLength(1);
    expect(String(engineWarnings[0]![0])).toMatch(/using TypeScript reference kernels/);
    warn.mockRestore();
  });
});
