import {
  hmmMvnSchema,
  hsmmMvnSchema,
  mixedSineMvnSchema,
  simulationSpecSchema,
  type SimulationKind,
  type SimulationSpecInput,
} from '../../../src-shared/domain/simulation';

/**
 * Simulation preset forms: the scalar parameters of osl-dynamics' HMM_MVN, HSMM_MVN and
 * MixedSine_MVN, with defaults read from the schemas (not restated here), validated by them.
 */

export type SimFieldKind = 'integer' | 'number' | 'choice' | 'numberList';

export interface SimField {
  key: string;
  label: string;
  kind: SimFieldKind;
  unit?: string;
  choices?: readonly string[];
}

const shared: SimField[] = [
  { key: 'n_samples', label: 'samples per session', kind: 'integer' },
  { key: 'n_channels', label: 'channels', kind: 'integer' },
  { key: 'sampling_frequency', label: 'sampling rate', kind: 'number', unit: 'Hz' },
  { key: 'n_sessions', label: 'sessions', kind: 'integer' },
  { key: 'means', label: 'means', kind: 'choice', choices: ['zero', 'random'] },
  { key: 'n_covariances_act', label: 'active covariances', kind: 'integer' },
  { key: 'observation_error', label: 'observation error', kind: 'number' },
];

export const simulationFields: Record<SimulationKind, SimField[]> = {
  HMM_MVN: [
    { key: 'n_states', label: 'states', kind: 'integer' },
    { key: 'trans_prob', label: 'transitions', kind: 'choice', choices: ['sequence', 'uniform'] },
    { key: 'stay_prob', label: 'stay probability', kind: 'number' },
    ...shared,
  ],
  HSMM_MVN: [
    { key: 'n_states', label: 'states', kind: 'integer' },
    { key: 'gamma_shape', label: 'lifetime gamma shape', kind: 'number' },
    { key: 'gamma_scale', label: 'lifetime gamma scale', kind: 'number', unit: 'samples' },
    ...shared,
  ],
  MixedSine_MVN: [
    { key: 'n_modes', label: 'modes', kind: 'integer' },
    { key: 'relative_activation', label: 'relative activation', kind: 'numberList' },
    { key: 'amplitudes', label: 'amplitudes', kind: 'numberList' },
    { key: 'frequencies', label: 'frequencies', kind: 'numberList', unit: 'Hz' },
    ...shared,
  ],
};

export const simulationKinds: readonly { kind: SimulationKind; label: string; summary: string }[] = [
  { kind: 'HMM_MVN', label: 'HMM', summary: 'mutually exclusive states, Markov switching, MVN observations' },
  { kind: 'HSMM_MVN', label: 'HSMM', summary: 'semi-Markov states with gamma-distributed lifetimes' },
  {
    kind: 'MixedSine_MVN',
    label: 'Mixed sine',
    summary: 'soft-mixed modes from softmax of sinusoidal logits',
  },
];

const schemas = { HMM_MVN: hmmMvnSchema, HSMM_MVN: hsmmMvnSchema, MixedSine_MVN: mixedSineMvnSchema };

/** The form's text for each field, from the schema's defaults. */
export function defaultSimulationValues(kind: SimulationKind): Record<string, string> {
  const defaults = schemas[kind].parse({ kind }) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of simulationFields[kind]) {
    const v = defaults[field.key];
    values[field.key] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  values.seed = String(defaults.seed);
  return values;
}

function parseField(field: SimField, text: string): unknown {
  const trimmed = text.trim();
  if (field.kind === 'choice') return trimmed;
  if (field.kind === 'numberList') {
    return trimmed === ''
      ? []
      : trimmed.split(',').map((s) => {
          const n = Number(s.trim());
          return Number.isFinite(n) && s.trim() !== '' ? n : s.trim();
        });
  }
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

export interface SimulationCheck {
  spec: SimulationSpecInput | null;
  /** Messages by field key ('' for the spec as a whole). */
  problems: Record<string, string>;
}

export function checkSimulation(kind: SimulationKind, values: Record<string, string>): SimulationCheck {
  const input: Record<string, unknown> = { kind };
  for (const field of [
    ...simulationFields[kind],
    { key: 'seed', label: 'seed', kind: 'integer' } as SimField,
  ]) {
    const parsed = parseField(field, values[field.key] ?? '');
    if (parsed !== undefined) input[field.key] = parsed;
  }
  const result = simulationSpecSchema.safeParse(input);
  if (result.success) return { spec: input as SimulationSpecInput, problems: {} };
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '';
    problems[key] ??= issue.message;
  }
  return { spec: null, problems };
}
