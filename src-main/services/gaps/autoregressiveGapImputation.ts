import { autoregressiveImputation } from '../../imputation/autoregressiveImputation';
import { ImputationInputError, type MaskedSession } from '../../imputation/missingEntries';
import type { SessionImputation } from '../../imputation/modelImputation';

/** Settings of the multichannel autoregressive imputer as `gaps.impute` runs it, one session at a time. */
export interface AutoregressiveGapOptions {
  order: number;
  samples: number;
  seed: number;
}

/**
 * One session filled by a multichannel autoregressive model fitted to its own observed values, in
 * the shape the services store for the model imputer. The fit's refusals (too few fully observed
 * samples for the order, say) do not name the session, so its label is put in front of them.
 */
export function imputeAutoregressive(
  session: MaskedSession,
  options: AutoregressiveGapOptions,
  label: string,
): SessionImputation {
  try {
    const { imputed, missing, std } = autoregressiveImputation(
      session,
      { order: options.order, samples: options.samples, seed: options.seed },
      label,
    );
    return { imputed, missing, std };
  } catch (error) {
    if (error instanceof ImputationInputError && !error.message.startsWith(`${label}:`))
      throw new ImputationInputError(`${label}: ${error.message}`);
    throw error;
  }
}
