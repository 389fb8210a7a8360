import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import { biasLength, gateCount, tapeWidth, validateRnn, type RnnCell, type RnnShape } from './rnnReference';
import { rnnSequence, type RnnWeights } from './rnnSequence';
import { ShapeError } from './floatArrays';
import { returnBuffer, takeBuffer } from './bufferPool';

/**
 * Keras-style Bidirectional(merge_mode='concat') over a whole sequence: [forward states, backward
 * states] → [B, T, 2H]. With the native kernels this is one op: both directions write straight
 * into the shared output and read the shared output gradient, so there is no concat, no slice and
 * one copy of x. Without them it is two rnnSequence ops and a concat.
 */
export interface BidirectionalOptions {
  /** See RnnSequenceOptions.inputGradient. */
  inputGradient?: boolean;
}

const f32 = float32Values;

export function bidirectionalRnnSequence(
  x: tf.Tensor3D,
  forward: RnnWeights,
  backward: RnnWeights,
  cell: RnnCell,
  options: BidirectionalOptions = {},
): tf.Tensor3D {
  const native = nativeKernelsOrWarn();
  if (!native) {
    const common = { cell, inputGradient: options.inputGradient };
    return tf.concat(
      [rnnSequence(x, forward, common), rnnSequence(x, backward, { ...common, reverse: true })],
      2,
    );
  }
  return fusedBidirectional(native, x, forward, backward, cell, options.inputGradient !== false);
}

function fusedBidirectional(
  native: NativeKernels,
  x: tf.Tensor3D,
  fw: RnnWeights,
  bw: RnnWeights,
  cell: RnnCell,
  wantDx: boolean,
): tf.Tensor3D {
  if (x.rank !== 3) throw new ShapeError(`bidirectionalRnnSequence expects x of rank 3, got rank ${x.rank}`);
  const [B, T, I] = x.shape;
  const H = fw.recurrentKernel.shape[0];
  if (bw.recurrentKernel.shape[0] !== H)
    throw new ShapeError('forward and backward RNNs must have the same units');
  const shapes: RnnShape[] = [
    { cell, batch: B, steps: T, inputSize: I, units: H, reverse: false },
    { cell, batch: B, steps: T, inputSize: I, units: H, reverse: true },
  ];
  const code = cell === 'lstm' ? 0 : 1;
  const GH = gateCount(cell) * H;
  const op = tf.customGrad((...args) => {
    const ts = args.slice(0, 7) as tf.Tensor[];
    const xs = f32(ts[0]!);
    const weights = [0, 1].map((d) => ({
      x: xs,
      kernel: f32(ts[1 + 3 * d]!),
      recurrentKernel: f32(ts[2 + 3 * d]!),
      bias: f32(ts[3 + 3 * d]!),
    }));
    weights.forEach((w, d) => validateRnn(shapes[d]!, w));
    const hidden = new Float32Array(B * T * 2 * H);
    const tapes = [0, 1].map(() => takeBuffer(B * T * tapeWidth(H)));
    let consumed = false;
    for (let d = 0; d < 2; d++) {
      const w = weights[d]!;
      native.rnnForward(
        code,
        B,
        T,
        I,
        H,
        d === 1,
        xs,
        w.kernel,
        w.recurrentKernel,
        w.bias,
        null,
        null,
        hidden,
        tapes[d]!,
        d * H,
        2 * H,
      );
    }
    return {
      value: tensorFromValues(hidden, [B, T, 2 * H]) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor) => {
        if (consumed)
          throw new Error('bidirectionalRnnSequence: backward pass ran twice for one forward pass');
        consumed = true;
        const dys = f32(dy);
        const grads: tf.Tensor[] = [];
        const dx = wantDx ? new Float32Array(B * T * I) : null;
        const dxPart = wantDx ? new Float32Array(B * T * I) : null;
        for (let d = 0; d < 2; d++) {
          const w = weights[d]!;
          const dKernel = new Float32Array(I * GH);
          const dRecurrent = new Float32Array(H * GH);
          const dBias = new Float32Array(biasLength(cell, H));
          native.rnnBackward(
            code,
            B,
            T,
            I,
            H,
            d === 1,
            xs,
            w.kernel,
            w.recurrentKernel,
            null,
            null,
            hidden,
            tapes[d]!,
            dys,
            dxPart,
            dKernel,
            dRecurrent,
            dBias,
            new Float32Array(B * H),
            new Float32Array(cell === 'lstm' ? B * H : 0),
            d * H,
            2 * H,
          );
          if (dx && dxPart) for (let i = 0; i < dx.length; i++) dx[i]! += dxPart[i]!;
          grads.push(
            tf.tensor(dKernel, ts[1 + 3 * d]!.shape),
            tf.tensor(dRecurrent, ts[2 + 3 * d]!.shape),
            tf.tensor(dBias, ts[3 + 3 * d]!.shape),
          );
        }
        // The tapes are dead once both directions have run backward.
        tapes.forEach(returnBuffer);
        return [dx ? tf.tensor3d(dx, [B, T, I]) : tf.zeros([B, T, I]), ...grads];
      },
    };
  });
  return op(x, fw.kernel, fw.recurrentKernel, fw.bias, bw.kernel, bw.recurrentKernel, bw.bias) as tf.Tensor3D;
}
