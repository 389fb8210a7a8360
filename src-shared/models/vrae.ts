import { z } from 'zod';

/**
 * Configuration of the dynamical VAEs of Bayer & Osendorfer (VRAE, and VOSP in vosp.ts) on
 * continuous MEG/EEG: RNN sizes, the latent dimension, the Gaussian emission, the Wiener-process
 * prior, masked training (random gaps hidden from the recognition model during training so that
 * it learns to bridge gaps), and optimisation. Fields are snake_case like the DyNeMo config.
 */

const int = (what: string) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be an integer`);
const positive = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine((v) => Number.isFinite(v) && v > 0, `${what} must be a positive finite number`);
const probability = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .min(0, `${what} must be in [0, 1]`)
    .max(1, `${what} must be in [0, 1]`);

export const dvaeRnnTypes = ['gru', 'lstm'] as const;
export const emissionStdKinds = ['learned', 'fixed'] as const;

export const wienerPriorSchema = z.strictObject({
  /** Variance of z at the first step of a sequence. */
  initial_variance: positive('initial_variance').default(1),
  /** Variance of each increment z_t − z_{t−1}. */
  increment_variance: positive('increment_variance').default(0.1),
});

export const trainingMaskingSchema = z
  .strictObject({
    /** Probability that a training sequence gets one hidden all-channel gap. */
    gap_probability: probability('gap_probability').default(0.75),
    gap_min_samples: int('gap_min_samples').positive('gap_min_samples must be positive').default(8),
    gap_max_samples: int('gap_max_samples').positive('gap_max_samples must be positive').default(96),
    /** Probability that a training sequence gets one hidden single-channel stretch. */
    channel_dropout_probability: probability('channel_dropout_probability').default(0.25),
    /**
     * Likelihood weight of the hidden entries (1: the plain ELBO). Above 1 the objective leans
     * towards imputation; it is then no longer a bound on the data's log-likelihood.
     */
    hidden_weight: positive('hidden_weight').default(1),
  })
  .refine((m) => m.gap_min_samples <= m.gap_max_samples, {
    message: 'gap_min_samples must not exceed gap_max_samples',
    path: ['gap_min_samples'],
  });

export const dvaeCommonFields = {
  n_channels: int('n_channels').positive('n_channels must be positive'),
  sequence_length: int('sequence_length').min(8, 'sequence_length must be at least 8').default(256),
  rnn_type: z
    .enum(dvaeRnnTypes, { error: `rnn_type must be one of ${dvaeRnnTypes.join(', ')}` })
    .default('gru'),
  n_units: int('n_units')
    .positive('n_units must be positive')
    .max(4096, 'n_units must be at most 4096')
    .default(64),
  latent_dim: int('latent_dim')
    .positive('latent_dim must be positive')
    .max(1024, 'latent_dim must be at most 1024')
    .default(16),
  emission_std: z
    .enum(emissionStdKinds, { error: `emission_std must be 'learned' or 'fixed'` })
    .default('learned'),
  /** The emission standard deviation when emission_std is 'fixed'. */
  fixed_std: positive('fixed_std').default(1),
  /** Floor added to the learned (softplus) standard deviations. */
  min_std: positive('min_std').default(1e-3),
  wiener: wienerPriorSchema.default({ initial_variance: 1, increment_variance: 0.1 }),
  masking: trainingMaskingSchema.default({
    gap_probability: 0.75,
    gap_min_samples: 8,
    gap_max_samples: 96,
    channel_dropout_probability: 0.25,
    hidden_weight: 1,
  }),
  batch_size: int('batch_size').positive('batch_size must be positive').default(16),
  n_epochs: int('n_epochs').positive('n_epochs must be positive').default(40),
  learning_rate: positive('learning_rate').default(3e-3),
  /** Exponential learning-rate decay per epoch after KL annealing (as the DyNeMo schedule). */
  lr_decay: z.number().min(0, 'lr_decay must be non-negative').default(0.02),
  gradient_clip: positive('gradient_clip').nullable().default(10),
  do_kl_annealing: z.boolean().default(true),
  n_kl_annealing_epochs: int('n_kl_annealing_epochs')
    .positive('n_kl_annealing_epochs must be positive')
    .default(10),
  seed: int('seed').default(0),
};

function checkMaskingAgainstLength(
  c: { sequence_length: number; masking: { gap_max_samples: number } },
  ctx: z.RefinementCtx,
): void {
  if (c.masking.gap_max_samples >= c.sequence_length)
    ctx.addIssue({
      code: 'custom',
      path: ['masking', 'gap_max_samples'],
      message: `gap_max_samples (${c.masking.gap_max_samples}) must be shorter than sequence_length (${c.sequence_length})`,
    });
}

export const vraeConfigSchema = z.strictObject(dvaeCommonFields).superRefine(checkMaskingAgainstLength);
export type VraeConfig = z.infer<typeof vraeConfigSchema>;
export type VraeConfigInput = z.input<typeof vraeConfigSchema>;

export class DvaeConfigError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(model: string, issues: Array<{ path: string; message: string }>) {
    super(
      `invalid ${model} configuration: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
    this.name = 'DvaeConfigError';
    this.issues = issues;
  }
}

export function parseWith<S extends z.ZodType>(schema: S, model: string, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new DvaeConfigError(
      model,
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  return r.data;
}

export function parseVraeConfig(input: unknown): VraeConfig {
  return parseWith(vraeConfigSchema, 'VRAE', input);
}

export { checkMaskingAgainstLength };
