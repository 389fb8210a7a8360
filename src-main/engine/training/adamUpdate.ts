import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import { ShapeError } from '../ops/floatArrays';

/**
 * One Adam step over a flat parameter block, in place (Keras' formulation):
 *   g ← gradScale·g;  m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂);
 *   param ← param − stepSize · m / (√v + ε)
 * where stepSize = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) carries the bias correction. One pass instead of about
 * ten tfjs kernels (and their tensors) per variable. The TypeScript loop is the fallback and the
 * test oracle of the native kernel.
 */
export interface AdamUpdateParams {
  stepSize: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Multiplies the gradient first (gradient clipping); 1 leaves it. */
  gradScale: number;
}

export interface AdamBuffers<A extends Float32Array | Float64Array> {
  param: A;
  grad: A;
  m: A;
  v: A;
}

export function validateAdamBuffers<A extends Float32Array | Float64Array>(b: AdamBuffers<A>): void {
  const n = b.param.length;
  for (const name of ['grad', 'm', 'v'] as const)
    if (b[name].length !== n)
      throw new ShapeError(`Adam update: ${name} has ${b[name].length} elements, the parameter has ${n}`);
}

export function adamUpdateReference<A extends Float32Array | Float64Array>(
  b: AdamBuffers<A>,
  p: AdamUpdateParams,
): void {
  validateAdamBuffers(b);
  const c1 = 1 - p.beta1;
  const c2 = 1 - p.beta2;
  for (let i = 0; i < b.param.length; i++) {
    const g = b.grad[i]! * p.gradScale;
    const m = b.m[i]! + (g - b.m[i]!) * c1;
    const v = b.v[i]! + (g * g - b.v[i]!) * c2;
    b.m[i] = m;
    b.v[i] = v;
    b.param[i] = b.param[i]! - (p.stepSize * m) / (Math.sqrt(v) + p.epsilon);
  }
}

export function adamUpdateNative(
  native: NativeKernels,
  b: AdamBuffers<Float32Array>,
  p: AdamUpdateParams,
): void {
  validateAdamBuffers(b);
  if (b.param.length === 0) return;
  native.adamUpdate(
    b.param.length,
    p.stepSize,
    p.beta1,
    p.beta2,
    p.epsilon,
    p.gradScale,
    b.param,
    b.grad,
    b.m,
    b.v,
  );
}

export function adamUpdateKernel(b: AdamBuffers<Float32Array>, p: AdamUpdateParams): void {
  const native = nativeKernelsOrWarn();
  if (native) adamUpdateNative(native, b, p);
  else adamUpdateReference(b, p);
}
