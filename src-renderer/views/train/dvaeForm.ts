import type { z } from 'zod';
import { vospConfigSchema } from '../../../src-shared/models/vosp';
import { dvaeRnnTypes, emissionStdKinds, vraeConfigSchema } from '../../../src-shared/models/vrae';
import type { ConfigDraft } from './dynemoForm';
import {
  klAnnealingEpochs,
  klAnnealingSwitch,
  seedField,
  trainingLoopFields,
  fieldText,
  fieldValue,
  type FormField,
  type FormGroup,
} from './configFields';

/**
 * The VRAE and VOSP config forms: the same kind of grouped fields as the DyNeMo form, with nested
 * schema fields (the Wiener prior, the training masks) as dotted keys such as `masking.gap_probability`.
 * Defaults and validation come from the models' schemas; a unit test checks every schema field is
 * placed.
 */
export type DvaeKind = 'vrae' | 'vosp';

export type DvaeFormField = FormField;
export type DvaeFormGroup = FormGroup;

const schemas: Record<DvaeKind, z.ZodType> = { vrae: vraeConfigSchema, vosp: vospConfigSchema };

export function dvaeConfigGroups(kind: DvaeKind): DvaeFormGroup[] {
  return [
    {
      id: 'shape',
      title: 'Channels, sequences and latents',
      fields: [
        { key: 'n_channels', label: 'channels', kind: 'integer', hint: 'set from the chosen data' },
        {
          key: 'sequence_length',
          label: 'sequence length',
          kind: 'integer',
          unit: 'samples',
          hint: 'sequences may span gaps; gaps up to half of it can be imputed',
        },
        { key: 'latent_dim', label: 'latent dimensions', kind: 'integer' },
      ],
    },
    {
      id: 'networks',
      title: kind === 'vrae' ? 'Recognition and generation RNNs' : 'Recognition RNN and emission MLP',
      fields: [
        { key: 'rnn_type', label: 'RNN cell', kind: 'choice', choices: dvaeRnnTypes },
        { key: 'n_units', label: 'RNN units', kind: 'integer' },
        ...(kind === 'vosp'
          ? [{ key: 'n_emission_units', label: 'emission MLP units', kind: 'integer' as const }]
          : []),
      ],
    },
    {
      id: 'emission',
      title: 'Gaussian emission',
      fields: [
        { key: 'emission_std', label: 'standard deviation', kind: 'choice', choices: emissionStdKinds },
        { key: 'fixed_std', label: 'fixed std', kind: 'number', hint: 'used when the std is fixed' },
        { key: 'min_std', label: 'std floor', kind: 'number', hint: 'added to a learned std' },
      ],
    },
    {
      id: 'prior',
      title: 'Wiener-process prior',
      fields: [
        { key: 'wiener.initial_variance', label: 'initial variance', kind: 'number' },
        { key: 'wiener.increment_variance', label: 'increment variance', kind: 'number' },
      ],
    },
    {
      id: 'masking',
      title: 'Masked training',
      fields: [
        {
          key: 'masking.gap_probability',
          label: 'hidden-gap probability',
          kind: 'number',
          hint: 'per sequence, in [0, 1]',
        },
        { key: 'masking.gap_min_samples', label: 'shortest hidden gap', kind: 'integer', unit: 'samples' },
        { key: 'masking.gap_max_samples', label: 'longest hidden gap', kind: 'integer', unit: 'samples' },
        {
          key: 'masking.channel_dropout_probability',
          label: 'channel-dropout probability',
          kind: 'number',
          hint: 'per sequence, in [0, 1]',
        },
        {
          key: 'masking.hidden_weight',
          label: 'hidden-value weight',
          kind: 'number',
          hint: '1: the plain ELBO',
        },
      ],
    },
    {
      id: 'kl',
      title: 'KL annealing',
      fields: [klAnnealingSwitch, klAnnealingEpochs],
    },
    {
      id: 'optimisation',
      title: 'Optimisation',
      fields: [
        ...trainingLoopFields,
        {
          key: 'gradient_clip',
          label: 'gradient clip',
          kind: 'number',
          nullable: true,
          hint: 'global gradient norm; empty: no clipping',
        },
        seedField,
      ],
    },
  ];
}

export function dvaeFormFields(kind: DvaeKind): DvaeFormField[] {
  return dvaeConfigGroups(kind).flatMap((g) => g.fields);
}

function read(config: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config);
}

function write(config: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = config;
  for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
}

export function dvaeDefaultDraft(kind: DvaeKind, nChannels: number): ConfigDraft {
  const defaults = schemas[kind].parse({ n_channels: nChannels }) as Record<string, unknown>;
  return Object.fromEntries(dvaeFormFields(kind).map((f) => [f.key, fieldText(f, read(defaults, f.key))]));
}

/** Validates the draft with the model's schema; messages are the schema's, under the dotted field key. */
export function dvaeCheckDraft(
  kind: DvaeKind,
  draft: ConfigDraft,
): { config: Record<string, unknown> | null; problems: Record<string, string> } {
  const input: Record<string, unknown> = {};
  const sent = new Set<string>();
  for (const field of dvaeFormFields(kind)) {
    const value = fieldValue(field, draft[field.key] ?? '');
    if (value === undefined) continue;
    write(input, field.key, value);
    sent.add(field.key);
  }
  const result = schemas[kind].safeParse(input);
  if (result.success) return { config: result.data as Record<string, unknown>, problems: {} };
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.');
    const known = dvaeFormFields(kind).some((f) => f.key === key);
    const at = known ? key : '';
    if (problems[at] === undefined)
      problems[at] = known && !sent.has(key) ? `${key} is required` : issue.message;
  }
  return { config: null, problems };
}
