import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import { requireLength } from './floatArrays';
import {
  denseGradReference,
  denseReference,
  validateDense,
  type DenseGradients,
  type DenseParams,
  type DenseShape,
} from './denseReference';

/** float32 dense kernels: native when loaded, else the TypeScript reference. */

export function denseNative(
  native: NativeKernels,
  shape: DenseShape,
  p: DenseParams<Float32Array>,
): Float32Array {
  validateDense(shape, p);
  const out = new Float32Array(shape.rows * shape.outputs);
  native.denseForward(shape.rows, shape.inputs, shape.outputs, p.x, p.kernel, p.bias ?? null, out);
  return out;
}

export function denseGradNative(
  native: NativeKernels,
  shape: DenseShape,
  p: DenseParams<Float32Array>,
  dOut: Float32Array,
  withInputGradient = true,
): DenseGradients<Float32Array> {
  validateDense(shape, p);
  const { rows: M, inputs: K, outputs: N } = shape;
  requireLength('dOut', dOut, M * N, `[${M}, ${N}]`);
  const g: DenseGradients<Float32Array> = {
    dx: new Float32Array(withInputGradient ? M * K : 0),
    dKernel: new Float32Array(K * N),
    dBias: new Float32Array(p.bias ? N : 0),
  };
  native.denseBackward(
    M,
    K,
    N,
    p.x,
    p.kernel,
    dOut,
    withInputGradient ? g.dx : null,
    g.dKernel,
    p.bias ? g.dBias : null,
  );
  return g;
}

export function denseKernel(shape: DenseShape, p: DenseParams<Float32Array>): Float32Array {
  const native = nativeKernelsOrWarn();
  return native ? denseNative(native, shape, p) : denseReference(shape, p);
}

export function denseGradKernel(
  shape: DenseShape,
  p: DenseParams<Float32Array>,
  dOut: Float32Array,
): DenseGradients<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native ? denseGradNative(native, shape, p, dOut) : denseGradReference(shape, p, dOut);
}
