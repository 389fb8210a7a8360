import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import { rnnBackwardKernel, rnnForwardKernel } from './rnnKernels';
import { ShapeError } from './floatArrays';
import { returnBuffer } from './bufferPool';
import type { RnnCell, RnnParams, RnnShape } from './rnnReference';

/**
 * An LSTM or GRU over a whole [B, T, I] sequence as one tfjs op with a custom gradient: forward and
 * backward each cross into the kernels once, whatever T is. Returns every hidden state, [B, T, H].
 */
export interface RnnSequenceOptions {
  cell: RnnCell;
  /** Walk the sequence from the end; outputs stay at their own time index. */
  reverse?: boolean;
  initialH?: tf.Tensor2D;
  /** LSTM only. */
  initialC?: tf.Tensor2D;
  /**
   * false when x is data rather than a function of trained parameters (e.g. the first layer on the
   * recordings): the backward pass then skips dL/dx, one of its three large products, and
   * reports zeros for it.
   */
  inputGradient?: boolean;
}

export interface RnnWeights {
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  /** [4H] for an LSTM, [2, 3H] for a GRU. */
  bias: tf.Tensor;
}

const f32 = float32Values;

export function rnnSequence(x: tf.Tensor3D, weights: RnnWeights, options: RnnSequenceOptions): tf.Tensor3D {
  if (x.rank !== 3)
    throw new ShapeError(`rnnSequence expects x of rank 3 [batch, time, features], got rank ${x.rank}`);
  const [B, T, I] = x.shape;
  const gates = options.cell === 'lstm' ? 4 : 3;
  const H = weights.recurrentKernel.shape[0];
  if (weights.recurrentKernel.shape[1] !== gates * H) {
    throw new ShapeError(
      `recurrentKernel must be [units, ${gates}·units] for ${options.cell}, got [${weights.recurrentKernel.shape.join(', ')}]`,
    );
  }
  const shape: RnnShape = {
    cell: options.cell,
    batch: B,
    steps: T,
    inputSize: I,
    units: H,
    reverse: !!options.reverse,
  };
  const hasH = options.initialH !== undefined;
  const hasC = options.initialC !== undefined;
  const wantDx = options.inputGradient !== false;
  const inputs: tf.Tensor[] = [x, weights.kernel, weights.recurrentKernel, weights.bias];
  if (options.initialH) inputs.push(options.initialH);
  if (options.initialC) inputs.push(options.initialC);

  const op = tf.customGrad((...args) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const params: RnnParams<Float32Array> = {
      x: f32(ts[0]!),
      kernel: f32(ts[1]!),
      recurrentKernel: f32(ts[2]!),
      bias: f32(ts[3]!),
      initialH: hasH ? f32(ts[4]!) : undefined,
      initialC: hasC ? f32(ts[hasH ? 5 : 4]!) : undefined,
    };
    const forward = rnnForwardKernel(shape, params);
    let consumed = false;
    return {
      value: tensorFromValues(forward.hidden, [B, T, H]) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor) => {
        if (consumed) throw new Error('rnnSequence: backward pass ran twice for one forward pass');
        consumed = true;
        const g = rnnBackwardKernel(shape, params, forward, f32(dy), wantDx);
        // The tape is dead after the backward pass; the next step's forward pass reuses it.
        returnBuffer(forward.tape);
        const grads: tf.Tensor[] = [
          wantDx ? tensorFromValues(g.dx, ts[0]!.shape) : tf.zeros(ts[0]!.shape),
          tf.tensor(g.dKernel, ts[1]!.shape),
          tf.tensor(g.dRecurrentKernel, ts[2]!.shape),
          tf.tensor(g.dBias, ts[3]!.shape),
        ];
        if (hasH) grads.push(tf.tensor(g.dInitialH, [B, H]));
        if (hasC) grads.push(tf.tensor(g.dInitialC, [B, H]));
        return grads;
      },
    };
  });
  return op(...inputs) as tf.Tensor3D;
}
