import { dynemoConfigSchema, type DynemoConfig } from '../../../src-shared/models/dynemo';
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
 * The DyNeMo config form: which schema fields appear, grouped as osl-dynamics documents them, with
 * labels and units for people. Defaults and validation come from dynemoConfigSchema itself; a unit
 * test checks every schema field is placed in exactly one group (or deliberately left out).
 */

export type ConfigField = FormField<keyof DynemoConfig & string>;
export type ConfigGroup = FormGroup<keyof DynemoConfig & string>;

const rnnChoices = ['lstm', 'gru'] as const;
const normChoices = ['layer', 'batch', null] as const;
const activationChoices = [
  null,
  'linear',
  'relu',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'softplus',
  'swish',
  'gelu',
] as const;

function rnnFields(prefix: 'inference' | 'model'): ConfigField[] {
  return [
    { key: `${prefix}_rnn`, label: 'RNN cell', kind: 'choice', choices: rnnChoices },
    { key: `${prefix}_n_layers`, label: 'layers', kind: 'integer' },
    { key: `${prefix}_n_units`, label: 'units per layer', kind: 'integer' },
    { key: `${prefix}_normalization`, label: 'normalisation', kind: 'choice', choices: normChoices },
    { key: `${prefix}_activation`, label: 'activation', kind: 'choice', choices: activationChoices },
    { key: `${prefix}_dropout`, label: 'dropout', kind: 'number', hint: 'fraction in [0, 1)' },
  ];
}

export const dynemoConfigGroups: readonly ConfigGroup[] = [
  {
    id: 'shape',
    title: 'Modes, channels and sequences',
    fields: [
      { key: 'n_modes', label: 'modes', kind: 'integer' },
      { key: 'n_channels', label: 'channels', kind: 'integer', hint: 'set from the chosen data' },
      { key: 'sequence_length', label: 'sequence length', kind: 'integer', unit: 'samples' },
    ],
  },
  { id: 'inference', title: 'Inference RNN', fields: rnnFields('inference') },
  { id: 'model', title: 'Model RNN', fields: rnnFields('model') },
  {
    id: 'observation',
    title: 'Observation model',
    fields: [
      { key: 'learn_means', label: 'learn means', kind: 'boolean' },
      { key: 'learn_covariances', label: 'learn covariances', kind: 'boolean' },
      { key: 'diagonal_covariances', label: 'diagonal covariances', kind: 'boolean' },
      {
        key: 'covariances_epsilon',
        label: 'covariance ε',
        kind: 'number',
        nullable: true,
        hint: 'empty: 1e-6 when learnt, else 0',
      },
      { key: 'learn_alpha_temperature', label: 'learn α temperature', kind: 'boolean' },
      { key: 'initial_alpha_temperature', label: 'initial α temperature', kind: 'number' },
      { key: 'theta_std_epsilon', label: 'θ std ε', kind: 'number' },
    ],
  },
  {
    id: 'kl',
    title: 'KL annealing',
    fields: [
      klAnnealingSwitch,
      { key: 'kl_annealing_curve', label: 'curve', kind: 'choice', choices: ['tanh', 'linear'] },
      { key: 'kl_annealing_sharpness', label: 'sharpness', kind: 'number' },
      klAnnealingEpochs,
    ],
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
        hint: 'gradient norm; empty: no clipping',
      },
      { key: 'gradient_clip_mode', label: 'clip mode', kind: 'choice', choices: ['per_weight', 'global'] },
      { key: 'loss_calc', label: 'loss over sequence', kind: 'choice', choices: ['mean', 'sum'] },
      { key: 'best_of', label: 'best of', kind: 'integer', unit: 'trainings' },
      seedField,
    ],
  },
  {
    id: 'init',
    title: 'Initialisation',
    fields: [
      { key: 'init_method', label: 'method', kind: 'choice', choices: ['random_subset', null] },
      { key: 'n_init', label: 'initialisations', kind: 'integer' },
      { key: 'n_init_epochs', label: 'epochs each', kind: 'integer', unit: 'epochs' },
      { key: 'init_take', label: 'fraction of data', kind: 'number', hint: 'in (0, 1]' },
    ],
  },
];

/** Schema fields with no form control: a constant, and matrices one does not type into a form. */
export const fieldsLeftOutOfForm: readonly string[] = ['model_name', 'initial_means', 'initial_covariances'];

export const allFormFields: readonly ConfigField[] = dynemoConfigGroups.flatMap((g) => g.fields);

/** The form's text per field. */
export type ConfigDraft = Record<string, string>;

/** How a choice value is written in a <select>: null as the word "none". */
export function choiceText(value: string | null): string {
  return value === null ? 'none' : value;
}

/** The schema's defaults for a given number of modes and channels, as form text. */
export function defaultDraft(nModes: number, nChannels: number): ConfigDraft {
  const defaults = dynemoConfigSchema.parse({ n_modes: nModes, n_channels: nChannels }) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(allFormFields.map((f) => [f.key, fieldText(f, defaults[f.key])]));
}

/** Changes applied over the current draft; numbers and booleans as values. */
export type ConfigPatch = Partial<Record<keyof DynemoConfig, unknown>>;

export function applyPatch(draft: ConfigDraft, patch: ConfigPatch): ConfigDraft {
  const next = { ...draft };
  for (const [key, value] of Object.entries(patch)) {
    const field = allFormFields.find((f) => f.key === key);
    if (field) next[key] = fieldText(field, value);
  }
  return next;
}

export interface DraftCheck {
  /** The parsed config when every field is valid. */
  config: DynemoConfig | null;
  /** Message per field key ('' key: a problem not tied to one field). */
  problems: Record<string, string>;
}

/** Validates the draft with the model's schema; messages are the schema's own, per field. */
export function checkDraft(draft: ConfigDraft): DraftCheck {
  const input: Record<string, unknown> = {};
  for (const field of allFormFields) {
    const value = fieldValue(field, draft[field.key] ?? '');
    if (value !== undefined) input[field.key] = value;
  }
  const result = dynemoConfigSchema.safeParse(input);
  if (result.success) return { config: result.data, problems: {} };
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '';
    if (problems[key] === undefined) {
      // Zod does not echo the input back, so "missing" is known from what was sent.
      problems[key] = key !== '' && !(key in input) ? `${key} is required` : issue.message;
    }
  }
  return { config: null, problems };
}
