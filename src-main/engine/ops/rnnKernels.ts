import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import {
  biasLength,
  gateCount,
  rnnBackwardReference,
  rnnForwardReference,
  tapeWidth,
  validateRnn,
  type RnnForwardResult,
  type RnnGradients,
  type RnnParams,
  type RnnShape,
} from './rnnReference';
import { requireLength } from './floatArrays';
import { takeBuffer } from './bufferPool';

/** float32 RNN kernels: native when loaded, else the TypeScript reference. */

const cellCode = (shape: RnnShape): number => (shape.cell === 'lstm' ? 0 : 1);

export function rnnForwardNative(
  native: NativeKernels,
  shape: RnnShape,
  p: RnnParams<Float32Array>,
): RnnForwardResult<Float32Array> {
  validateRnn(shape, p);
  const { batch: B, steps: T, inputSize: I, units: H } = shape;
  const hidden = new Float32Array(B * T * H);
  // Pooled: the native forward pass writes every entry, and rnnSequence returns it after backward.
  const tape = takeBuffer(B * T * tapeWidth(H));
  native.rnnForward(
    cellCode(shape),
    B,
    T,
    I,
    H,
    shape.reverse,
    p.x,
    p.kernel,
    p.recurrentKernel,
    p.bias,
    p.initialH ?? null,
    p.initialC ?? null,
    hidden,
    tape,
  );
  return { hidden, tape };
}

export function rnnBackwardNative(
  native: NativeKernels,
  shape: RnnShape,
  p: RnnParams<Float32Array>,
  forward: RnnForwardResult<Float32Array>,
  dHidden: Float32Array,
  withInputGradient = true,
): RnnGradients<Float32Array> {
  validateRnn(shape, p);
  const { cell, batch: B, steps: T, inputSize: I, units: H } = shape;
  requireLength('dHidden', dHidden, B * T * H, `[${B}, ${T}, ${H}]`);
  const GH = gateCount(cell) * H;
  const g: RnnGradients<Float32Array> = {
    dx: new Float32Array(withInputGradient ? B * T * I : 0),
    dKernel: new Float32Array(I * GH),
    dRecurrentKernel: new Float32Array(H * GH),
    dBias: new Float32Array(biasLength(cell, H)),
    dInitialH: new Float32Array(B * H),
    dInitialC: new Float32Array(cell === 'lstm' ? B * H : 0),
  };
  native.rnnBackward(
    cellCode(shape),
    B,
    T,
    I,
    H,
    shape.reverse,
    p.x,
    p.kernel,
    p.recurrentKernel,
    p.initialH ?? null,
    p.initialC ?? null,
    forward.hidden,
    forward.tape,
    dHidden,
    withInputGradient ? g.dx : null,
    g.dKernel,
    g.dRecurrentKernel,
    g.dBias,
    g.dInitialH,
    g.dInitialC,
  );
  return g;
}

export function rnnForwardKernel(
  shape: RnnShape,
  p: RnnParams<Float32Array>,
): RnnForwardResult<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native ? rnnForwardNative(native, shape, p) : rnnForwardReference(shape, p);
}

export function rnnBackwardKernel(
  shape: RnnShape,
  p: RnnParams<Float32Array>,
  forward: RnnForwardResult<Float32Array>,
  dHidden: Float32Array,
  withInputGradient = true,
): RnnGradients<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native
    ? rnnBackwardNative(native, shape, p, forward, dHidden, withInputGradient)
    : rnnBackwardReference(shape, p, forward, dHidden);
}
