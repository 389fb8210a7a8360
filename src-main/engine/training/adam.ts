import * as tf from '@tensorflow/tfjs';
import { adamUpdateKernel } from './adamUpdate';

/**
 * Adam as Keras implements it (β₁ 0.9, β₂ 0.999, ε 1e-7 added to √v̂ through the bias-corrected
 * step size), over named variables, with its whole state readable and writable so a checkpoint
 * resumes it exactly. Gradient clipping happens before the moments are updated, as Keras does.
 * The moments live in flat float32 arrays and each variable is updated in one fused pass
 * (adamUpdate.ts), then written back to its tf.Variable once.
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
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    for (const [name, variable] of variables) {
      this.m.set(name, new Float32Array(variable.size));
      this.v.set(name, new Float32Array(variable.size));
    }
  }

  /** Applies one update; gradients missing for a variable leave it (and its moments) untouched. */
  apply(grads: Record<string, tf.Tensor>, learningRate: number, clip: GradientClip): void {
    for (const name of Object.keys(grads))
      if (!this.variables.has(name)) throw new Error(`Adam: gradient for unknown variable '${name}'`);
    this.iteration += 1;
    const t = this.iteration;
    const stepSize = (learningRate * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    const values = Object.fromEntries(
      Object.entries(grads).map(([name, g]) => [name, g.dataSync() as Float32Array]),
    );
    const scales = clipScales(values, clip);
    for (const [name, grad] of Object.entries(values)) {
      const variable = this.variables.get(name)!;
      // dataSync hands out a copy on the wasm and cpu backends only; copy to be sure on any.
      const param = Float32Array.from(variable.dataSync() as Float32Array);
      adamUpdateKernel(
        { param, grad, m: this.m.get(name)!, v: this.v.get(name)! },
        {
          stepSize,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          gradScale: scales[name]!,
        },
      );
      tf.tidy(() => variable.assign(tf.tensor(param, variable.shape, 'float32')));
    }
  }

  getState(): AdamState {
    const read = (map: Map<string, Float32Array>) =>
      Object.fromEntries([...map].map(([k, a]) => [k, Float32Array.from(a)]));
    return { iteration: this.iteration, m: read(this.m), v: read(this.v) };
  }

  setState(state: AdamState): void {
    for (const which of ['m', 'v'] as const) {
      for (const [name, moments] of this[which]) {
        const values = state[which][name];
        if (!values || values.length !== moments.length)
          throw new Error(`Adam state: ${which}['${name}'] is missing or has the wrong size`);
      }
    }
    for (const which of ['m', 'v'] as const)
      for (const [name, moments] of this[which]) moments.set(state[which][name]!);
    this.iteration = state.iteration;
  }

  /** Nothing to free: the moments are plain arrays. Kept so owners can treat it like a resource. */
  dispose(): void {
    this.m.clear();
    this.v.clear();
  }
}

/**
 * The factor each gradient is multiplied by under Keras clipnorm ('per_weight': each gradient to
 * norm ≤ clip) or global_clipnorm ('global': all together to joint norm ≤ clip); 1 without clipping.
 * Norms are summed in float64.
 */
export function clipScales(
  grads: Record<string, ArrayLike<number>>,
  clip: GradientClip,
): Record<string, number> {
  const sumSquares = (g: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
    return s;
  };
  const out: Record<string, number> = {};
  if (!clip) {
    for (const name of Object.keys(grads)) out[name] = 1;
    return out;
  }
  if (clip.mode === 'per_weight') {
    for (const [name, g] of Object.entries(grads))
      out[name] = clip.norm / Math.max(Math.sqrt(sumSquares(g)), clip.norm);
    return out;
  }
  let total = 0;
  for (const g of Object.values(grads)) total += sumSquares(g);
  const scale = clip.norm / Math.max(Math.sqrt(total), clip.norm);
  for (const name of Object.keys(grads)) out[name] = scale;
  return out;
}

/** The clipped gradients as tensors (what apply() feeds to the moments). */
export function clipGradients(
  grads: Record<string, tf.Tensor>,
  clip: GradientClip,
): Record<string, tf.Tensor> {
  if (!clip) return grads;
  const scales = clipScales(
    Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, g.dataSync()])),
    clip,
  );
  const out: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) out[name] = g.mul(scales[name]!);
  return out;
}
