import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from '../../../numerics/random';
import { glorotUniform, orthogonal } from '../dynemo/initialisers';
import type { RnnWeights } from '../../ops/rnnSequence';

/**
 * Named trainable variables with seeded initialisers, readable and writable as plain arrays for
 * checkpoints. The models in this folder declare their weights through it.
 */
// tfjs needs unique variable names across models living in one process.
let variableCounter = 0;

export class ParameterSet {
  readonly trainable = new Map<string, tf.Variable>();
  private readonly inits = new Map<string, (rng: SeededRandom) => Float32Array>();

  add(name: string, shape: number[], init: (rng: SeededRandom) => Float32Array): tf.Variable {
    const v = tf.variable(tf.zeros(shape), true, `dvae_${name}_${variableCounter++}`);
    this.trainable.set(name, v);
    this.inits.set(name, init);
    return v;
  }

  dense(name: string, inputs: number, units: number): { kernel: tf.Variable; bias: tf.Variable } {
    return {
      kernel: this.add(`${name}/kernel`, [inputs, units], (rng) => glorotUniform(rng, inputs, units)),
      bias: this.add(`${name}/bias`, [units], () => new Float32Array(units)),
    };
  }

  rnn(name: string, cell: 'gru' | 'lstm', inputs: number, units: number): RnnWeights {
    const G = cell === 'lstm' ? 4 : 3;
    const biasShape = cell === 'lstm' ? [4 * units] : [2, 3 * units];
    return {
      kernel: this.add(`${name}/kernel`, [inputs, G * units], (rng) =>
        glorotUniform(rng, inputs, G * units),
      ) as tf.Variable<tf.Rank.R2>,
      recurrentKernel: this.add(`${name}/recurrent_kernel`, [units, G * units], (rng) =>
        orthogonal(rng, units, G * units),
      ) as tf.Variable<tf.Rank.R2>,
      bias: this.add(`${name}/bias`, biasShape, () => {
        const b = new Float32Array(biasShape.reduce((a, x) => a * x, 1));
        // Keras' unit_forget_bias for LSTMs.
        if (cell === 'lstm') b.fill(1, units, 2 * units);
        return b;
      }),
    };
  }

  initialise(rng: SeededRandom): void {
    for (const [name, v] of this.trainable) v.assign(tf.tensor(this.inits.get(name)!(rng), v.shape));
  }

  getWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.trainable) out[name] = Float32Array.from(v.dataSync() as Float32Array);
    return out;
  }

  setWeights(weights: Record<string, Float32Array>): void {
    for (const [name, v] of this.trainable) {
      const w = weights[name];
      if (!w || w.length !== v.size) throw new Error(`weights: '${name}' is missing or has the wrong size`);
      v.assign(tf.tensor(w, v.shape));
    }
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
  }
}

/** x [..., F] · kernel [F, U] + bias [U]. */
export function applyDense(x: tf.Tensor, w: { kernel: tf.Tensor; bias: tf.Tensor }): tf.Tensor {
  const shape = x.shape;
  const flat = x.reshape([-1, shape[shape.length - 1]!]) as tf.Tensor2D;
  return flat
    .matMul(w.kernel as tf.Tensor2D)
    .add(w.bias)
    .reshape([...shape.slice(0, -1), w.kernel.shape[1]!]);
}
