import * as tf from '@tensorflow/tfjs';

/**
 * Adam as Keras implements it (β₁ 0.9, β₂ 0.999, ε 1e-7 added to √v̂ through the bias-corrected
 * step size), over named variables, with its whole state readable and writable so a checkpoint
 * resumes it exactly. Gradient clipping happens before the moments are updated, as Keras does.
 */
export interface AdamState {
  /** Number of updates applied so far. */
  iteration: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export type GradientClip = { norm: number; mode: 'per_weight' | 'global' } | null;

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private iteration = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    for (const [name, variable] of variables) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      );
    }
  }

  /** Applies one update; gradients missing for a variable leave it (and its moments) untouched. */
  apply(grads: Record<string, tf.Tensor>, learningRate: number, clip: GradientClip): void {
    this.iteration += 1;
    const t = this.iteration;
    const stepSize = (learningRate * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    tf.tidy(() => {
      const clipped = clipGradients(grads, clip);
      for (const [name, g] of Object.entries(clipped)) {
        const variable = this.variables.get(name);
        if (!variable) throw new Error(`Adam: gradient for unknown variable '${name}'`);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const mNew = m.add(g.sub(m).mul(1 - this.beta1));
        const vNew = v.add(
          g
            .square()
            .sub(v)
            .mul(1 - this.beta2),
        );
        m.assign(mNew);
        v.assign(vNew);
        variable.assign(variable.sub(mNew.mul(stepSize).div(vNew.sqrt().add(this.epsilon))));
      }
    });
  }

  getState(): AdamState {
    const read = (map: Map<string, tf.Variable>) =>
      Object.fromEntries([...map].map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]));
    return { iteration: this.iteration, m: read(this.m), v: read(this.v) };
  }

  setState(state: AdamState): void {
    for (const [which, map] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      for (const [name, variable] of map) {
        const values = state[which][name];
        if (!values || values.length !== variable.size)
          throw new Error(`Adam state: ${which}['${name}'] is missing or has the wrong size`);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
      }
    }
    this.iteration = state.iteration;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * Keras clipnorm ('per_weight': each gradient scaled to norm ≤ clip) or global_clipnorm ('global':
 * all gradients scaled together so that their joint norm ≤ clip).
 */
export function clipGradients(
  grads: Record<string, tf.Tensor>,
  clip: GradientClip,
): Record<string, tf.Tensor> {
  if (!clip) return grads;
  const out: Record<string, tf.Tensor> = {};
  if (clip.mode === 'per_weight') {
    for (const [name, g] of Object.entries(grads)) {
      const norm = g.square().sum().sqrt();
      out[name] = g.mul(tf.scalar(clip.norm).div(tf.maximum(norm, clip.norm)));
    }
    return out;
  }
  const total = tf.addN(Object.values(grads).map((g) => g.square().sum())).sqrt();
  const scale = tf.scalar(clip.norm).div(tf.maximum(total, clip.norm));
  for (const [name, g] of Object.entries(grads)) out[name] = g.mul(scale);
  return out;
}
