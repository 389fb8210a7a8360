import { nativeKernelsOrWarn, type MvnFactors, type NativeKernels } from '../native/load';
import {
  mvnMixtureLogLikGradReference,
  mvnMixtureLogLikReference,
  validateMvnMixture,
  type MvnMixtureGradients,
  type MvnMixtureParams,
  type MvnMixtureShape,
} from './mvnMixtureReference';
import { requireLength } from './floatArrays';
import { NotPositiveDefiniteError } from './notPositiveDefiniteError';

/** float32 mixture log-likelihood kernels: native when loaded, else the TypeScript reference. */

function maskArray(mask: ArrayLike<number> | undefined): Float32Array | null {
  if (!mask) return null;
  return mask instanceof Float32Array ? mask : Float32Array.from(mask);
}

function throwIfFailed(shape: MvnMixtureShape, failure: { index: number; pivot: number } | undefined): void {
  if (!failure) return;
  const b = Math.floor(failure.index / shape.steps);
  throw new NotPositiveDefiniteError(b, failure.index - b * shape.steps, failure.pivot);
}

export function mvnMixtureLogLikNative(
  native: NativeKernels,
  shape: MvnMixtureShape,
  p: MvnMixtureParams<Float32Array>,
): Float32Array {
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  const out = new Float32Array(B * T);
  const failure = native.mvnMixtureForward(
    B,
    T,
    C,
    K,
    shape.diagonal,
    p.x,
    p.alpha,
    p.means ?? null,
    p.covariances,
    maskArray(p.mask),
    out,
  );
  throwIfFailed(shape, failure);
  return out;
}

export function mvnMixtureLogLikGradNative(
  native: NativeKernels,
  shape: MvnMixtureShape,
  p: MvnMixtureParams<Float32Array>,
  dLogLik: Float32Array,
  factors: MvnFactors | null = null,
  withDataGradient = true,
): MvnMixtureGradients<Float32Array> {
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  requireLength('dLogLik', dLogLik, B * T, `[${B}, ${T}]`);
  const g: MvnMixtureGradients<Float32Array> = {
    dx: new Float32Array(withDataGradient ? B * T * C : 0),
    dAlpha: new Float32Array(B * T * K),
    dMeans: new Float32Array(p.means ? K * C : 0),
    dCovariances: new Float32Array(p.covariances.length),
  };
  const failure = native.mvnMixtureBackward(
    B,
    T,
    C,
    K,
    shape.diagonal,
    p.x,
    p.alpha,
    p.means ?? null,
    p.covariances,
    maskArray(p.mask),
    dLogLik,
    withDataGradient ? g.dx : null,
    g.dAlpha,
    p.means ? g.dMeans : null,
    g.dCovariances,
    factors,
  );
  throwIfFailed(shape, failure);
  return g;
}

/** A forward pass whose backward pass may follow once (the training path). */
export interface MvnMixtureTrainingPass {
  logLik: Float32Array;
  /** Without the data gradient, dx comes back empty where the native kernels skip it. */
  backward(dLogLik: Float32Array, withDataGradient?: boolean): MvnMixtureGradients<Float32Array>;
  /** Frees what the forward kept; backward() calls it itself. */
  release(): void;
}

/**
 * Forward pass that keeps the native Cholesky factors for its backward pass, so the backward does
 * not mix and factorise every time point again (the cache is bounded; see load.ts).
 */
export function mvnMixtureLogLikForTraining(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<Float32Array>,
): MvnMixtureTrainingPass {
  const native = nativeKernelsOrWarn();
  if (!native || shape.diagonal) {
    const logLik = mvnMixtureLogLikKernel(shape, p);
    return { logLik, backward: (d) => mvnMixtureLogLikGradKernel(shape, p, d), release: () => {} };
  }
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  const logLik = new Float32Array(B * T);
  const mask = maskArray(p.mask);
  const result = native.mvnMixtureForward(
    B,
    T,
    C,
    K,
    false,
    p.x,
    p.alpha,
    p.means ?? null,
    p.covariances,
    mask,
    logLik,
    true,
  );
  throwIfFailed(shape, result.failure ?? undefined);
  let factors = result.factors;
  const release = () => {
    if (factors) native.releaseFactors(factors);
    factors = null;
  };
  return {
    logLik,
    backward: (d, withDataGradient = true) => {
      try {
        return mvnMixtureLogLikGradNative(
          native,
          shape,
          { ...p, mask: mask ?? undefined },
          d,
          factors,
          withDataGradient,
        );
      } finally {
        release();
      }
    },
    release,
  };
}

export function mvnMixtureLogLikKernel(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<Float32Array>,
): Float32Array {
  const native = nativeKernelsOrWarn();
  return native ? mvnMixtureLogLikNative(native, shape, p) : mvnMixtureLogLikReference(shape, p);
}

export function mvnMixtureLogLikGradKernel(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<Float32Array>,
  dLogLik: Float32Array,
): MvnMixtureGradients<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native
    ? mvnMixtureLogLikGradNative(native, shape, p, dLogLik)
    : mvnMixtureLogLikGradReference(shape, p, dLogLik);
}
