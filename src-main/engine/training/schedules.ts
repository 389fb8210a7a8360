/**
 * osl-dynamics' per-epoch schedules. `epoch` is zero-based, as Keras counts.
 *
 * KL annealing (KLAnnealingCallback): the factor starts at 0 and is set at the END of epoch e from
 * n = e + 1 completed epochs: tanh: ½·tanh(sharpness·(n − N/2)/N) + ½, linear: n/N, and 1 once
 * n ≥ N (N = n_kl_annealing_epochs).
 *
 * Learning rate (VariationalInferenceModelBase.fit's LearningRateScheduler, applied at the START
 * of epoch e): constant while e < start, then lr₀·exp(−decay·(e − start + 1)), where start is
 * n_kl_annealing_epochs with annealing and 0 without.
 */
export type KlAnnealingCurve = 'tanh' | 'linear';

export interface KlAnnealing {
  enabled: boolean;
  curve: KlAnnealingCurve;
  sharpness: number;
  epochs: number;
}

/** The KL factor in force before any epoch has finished. */
export function initialKlFactor(a: KlAnnealing): number {
  return a.enabled ? 0 : 1;
}

/** The KL factor after epoch `epoch` (zero-based) has finished. */
export function klFactorAfterEpoch(a: KlAnnealing, epoch: number): number {
  if (!a.enabled) return 1;
  const n = epoch + 1;
  if (n >= a.epochs) return 1;
  if (a.curve === 'linear') return n / a.epochs;
  return 0.5 * Math.tanh((a.sharpness * (n - 0.5 * a.epochs)) / a.epochs) + 0.5;
}

export interface LearningRateSchedule {
  learningRate: number;
  decay: number;
  /** First epoch whose rate decays: n_kl_annealing_epochs with annealing, else 0. */
  decayStartEpoch: number;
}

export function learningRateForEpoch(s: LearningRateSchedule, epoch: number): number {
  if (epoch < s.decayStartEpoch) return s.learningRate;
  return s.learningRate * Math.exp(-s.decay * (epoch - s.decayStartEpoch + 1));
}
