import { z } from 'zod';
import { checkMaskingAgainstLength, dvaeCommonFields, parseWith } from './vrae';

/**
 * VOSP (variational one-step predictor): the recognition RNN runs forward only, and the emission
 * of x_t is an MLP on the previous recognition state h_{t−1} and z_t, so inference and denoising
 * use the past only. Shares every other field with the VRAE.
 */
export const vospConfigSchema = z
  .strictObject({
    ...dvaeCommonFields,
    /** Hidden units of the emission MLP. */
    n_emission_units: z
      .number({ error: 'n_emission_units must be a number' })
      .int('n_emission_units must be an integer')
      .positive('n_emission_units must be positive')
      .default(64),
  })
  .superRefine(checkMaskingAgainstLength);

export type VospConfig = z.infer<typeof vospConfigSchema>;
export type VospConfigInput = z.input<typeof vospConfigSchema>;

export function parseVospConfig(input: unknown): VospConfig {
  return parseWith(vospConfigSchema, 'VOSP', input);
}
