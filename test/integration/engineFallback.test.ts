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
    const engineWarnings = warn.mock.calls.filter((c) => String(c[0]).includes('native kernels unavailable'));
    expect(engineWarnings).toHaveLength(1);
    expect(String(engineWarnings[0]![0])).toMatch(/using TypeScript reference kernels/);
    warn.mockRestore();
  });
});
