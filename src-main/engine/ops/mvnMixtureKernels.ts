import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
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
): MvnMixtureGradients<Float32Array> {
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  requireLength('dLogLik', dLogLik, B * T, `[${B}, ${T}]`);
  const g: MvnMixtureGradients<Float32Array> = {
    dx: new Float32Array(B * T * C),
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
    g.dx,
    g.dAlpha,
    p.means ? g.dMeans : null,
    g.dCovariances,
  );
  throwIfFailed(shape, failure);
  return g;
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
