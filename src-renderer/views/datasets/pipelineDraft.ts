import {
  checkPipelineAgainstData,
  preparationStepSchema,
  type PipelineInputShape,
  type PreparationPipeline,
  type PreparationStepName,
} from '../../../src-shared/domain/preparation';

/**
 * The pipeline editor's working copy: each step's parameters as the text people type, checked
 * with the same zod schemas the services parse with, so the form shows the services' own
 * messages next to the field before anything is sent.
 */

export type FieldKind = 'integer' | 'number' | 'optionalNumber' | 'boolean' | 'list';

export interface StepField {
  key: string;
  label: string;
  kind: FieldKind;
  unit?: string;
  hint?: string;
}

export interface StepDescription {
  name: PreparationStepName;
  label: string;
  summary: string;
  fields: StepField[];
}

const useRawField: StepField = {
  key: 'use_raw',
  label: 'use raw data',
  kind: 'boolean',
  hint: 'apply to the imported data instead of the previous step’s output',
};

export const stepCatalog: readonly StepDescription[] = [
  {
    name: 'standardize',
    label: 'Standardize',
    summary: 'zero mean, unit variance per channel',
    fields: [useRawField],
  },
  {
    name: 'filter',
    label: 'Filter',
    summary: 'Butterworth band/low/high-pass',
    fields: [
      { key: 'low_freq', label: 'low', kind: 'optionalNumber', unit: 'Hz', hint: 'empty for low-pass' },
      { key: 'high_freq', label: 'high', kind: 'optionalNumber', unit: 'Hz', hint: 'empty for high-pass' },
      { key: 'order', label: 'order', kind: 'integer' },
      useRawField,
    ],
  },
  {
    name: 'downsample',
    label: 'Downsample',
    summary: 'resample to a lower rate',
    fields: [{ key: 'freq', label: 'new rate', kind: 'number', unit: 'Hz' }, useRawField],
  },
  {
    name: 'amplitude_envelope',
    label: 'Amplitude envelope',
    summary: 'absolute value of the Hilbert transform',
    fields: [useRawField],
  },
  {
    name: 'moving_average',
    label: 'Moving average',
    summary: 'smooth with a centred window',
    fields: [
      { key: 'n_window', label: 'window', kind: 'integer', unit: 'samples', hint: 'odd' },
      useRawField,
    ],
  },
  {
    name: 'tde',
    label: 'Time-delay embedding',
    summary: 'stack lagged copies of each channel',
    fields: [{ key: 'n_embeddings', label: 'embeddings', kind: 'integer', hint: 'odd' }, useRawField],
  },
  {
    name: 'pca',
    label: 'PCA',
    summary: 'project onto the leading principal components',
    fields: [
      { key: 'n_pca_components', label: 'components', kind: 'integer' },
      { key: 'whiten', label: 'whiten', kind: 'boolean' },
      useRawField,
    ],
  },
  {
    name: 'tde_pca',
    label: 'TDE + PCA',
    summary: 'time-delay embedding then PCA, without storing the embedded data',
    fields: [
      { key: 'n_embeddings', label: 'embeddings', kind: 'integer', hint: 'odd' },
      { key: 'n_pca_components', label: 'components', kind: 'integer' },
      { key: 'whiten', label: 'whiten', kind: 'boolean' },
      useRawField,
    ],
  },
  {
    name: 'select',
    label: 'Select',
    summary: 'keep some channels and/or sessions',
    fields: [
      { key: 'channels', label: 'channels', kind: 'list', hint: 'names or indices, comma-separated' },
      { key: 'sessions', label: 'sessions', kind: 'list', hint: 'indices from 0, comma-separated' },
      useRawField,
    ],
  },
];

export function describeStep(name: PreparationStepName): StepDescription {
  const found = stepCatalog.find((s) => s.name === name);
  if (!found) throw new Error(`no preparation step named ${name}`);
  return found;
}

/** A field's value as edited: text for numbers and lists, a flag for booleans. */
export type FieldValue = string | boolean;

export interface DraftStep {
  /** Stable key for list rendering while steps move. */
  uid: number;
  name: PreparationStepName;
  values: Record<string, FieldValue>;
}

let nextUid = 1;

const starting: Partial<Record<PreparationStepName, Record<string, FieldValue>>> = {
  filter: { low_freq: '1', high_freq: '45', order: '5' },
  downsample: { freq: '100' },
  moving_average: { n_window: '25' },
  tde: { n_embeddings: '15' },
  pca: { n_pca_components: '40' },
  tde_pca: { n_embeddings: '15', n_pca_components: '80' },
  select: { channels: '', sessions: '' },
};

/** A new step with osl-dynamics' usual values filled in. */
export function newStep(name: PreparationStepName, values: Record<string, FieldValue> = {}): DraftStep {
  const fields = describeStep(name).fields;
  const base: Record<string, FieldValue> = {};
  for (const f of fields) base[f.key] = f.kind === 'boolean' ? false : '';
  return { uid: nextUid++, name, values: { ...base, ...starting[name], ...values } };
}

export function moveStep(steps: readonly DraftStep[], index: number, by: -1 | 1): DraftStep[] {
  const target = index + by;
  if (index < 0 || index >= steps.length || target < 0 || target >= steps.length) return [...steps];
  const out = [...steps];
  [out[index], out[target]] = [out[target]!, out[index]!];
  return out;
}

function listValue(text: string): Array<string | number> | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return undefined;
  return items.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The step as the schema sees it (empty optional fields left out; text that is not a number stays text, so the schema names the field). */
export function stepParams(step: DraftStep): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of describeStep(step.name).fields) {
    const value = step.values[field.key];
    if (field.kind === 'boolean') {
      params[field.key] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (field.kind === 'list') {
      const list = listValue(text);
      if (list !== undefined) params[field.key] = list;
    } else if (text === '') {
      if (field.kind === 'optionalNumber') params[field.key] = null;
    } else {
      const n = Number(text);
      params[field.key] = Number.isFinite(n) ? n : text;
    }
  }
  return params;
}

export interface DraftCheck {
  /** Problems by step index, then by field key ('' for the step as a whole). */
  byStep: Array<Record<string, string>>;
  pipeline: PreparationPipeline | null;
  problemCount: number;
}

/** Validates every step with the services' schemas, then the whole pipeline against the data's shape. */
export function checkDraft(steps: readonly DraftStep[], shape: PipelineInputShape | null): DraftCheck {
  const byStep = steps.map(() => ({}) as Record<string, string>);
  const parsed: PreparationPipeline['steps'] = [];
  let problemCount = 0;
  const note = (i: number, key: string, message: string): void => {
    const slot = byStep[i]!;
    if (slot[key] === undefined) {
      slot[key] = message;
      problemCount++;
    }
  };
  steps.forEach((step, i) => {
    const result = preparationStepSchema.safeParse({ name: step.name, params: stepParams(step) });
    if (result.success) {
      parsed.push(result.data);
      return;
    }
    for (const issue of result.error.issues) {
      const key = issue.path[0] === 'params' && issue.path.length > 1 ? String(issue.path[1]) : '';
      note(i, key, issue.message);
    }
  });
  if (problemCount > 0) return { byStep, pipeline: null, problemCount };
  const pipeline: PreparationPipeline = { steps: parsed };
  if (shape) {
    for (const issue of checkPipelineAgainstData(pipeline, shape)) {
      const m = /^steps\.(\d+)\.params\.([^.]+)/.exec(issue.path);
      if (m) note(Number(m[1]), m[2]!, issue.message);
      else note(0, '', issue.message);
    }
  }
  return { byStep, pipeline: problemCount > 0 ? null : pipeline, problemCount };
}

export type PresetId = 'tde_pca' | 'amplitude_envelope';

export interface PipelinePreset {
  id: PresetId;
  label: string;
  description: string;
}

export const presets: readonly PipelinePreset[] = [
  {
    id: 'tde_pca',
    label: 'TDE-PCA (MEG parcels)',
    description:
      'osl-dynamics’ recipe for DyNeMo/HMM on source-reconstructed MEG: 15 embeddings (±7 lags), 80 principal components, then standardize.',
  },
  {
    id: 'amplitude_envelope',
    label: 'Amplitude envelope',
    description:
      'osl-dynamics’ amplitude-envelope recipe: 1–45 Hz band-pass, Hilbert envelope, 25-sample moving average, then standardize.',
  },
];

/**
 * The preset's steps for data of this shape: the TDE-PCA component count is clamped to what the
 * embedded data can give (channels × embeddings).
 */
export function presetSteps(id: PresetId, shape: PipelineInputShape | null): DraftStep[] {
  if (id === 'tde_pca') {
    const embeddings = 15;
    const most = shape ? shape.nChannels * embeddings : 80;
    return [
      newStep('tde_pca', { n_embeddings: String(embeddings), n_pca_components: String(Math.min(80, most)) }),
      newStep('standardize'),
    ];
  }
  const nyquist = shape ? shape.samplingRate / 2 : Infinity;
  // The upper edge must stay below Nyquist for low-rate data (e.g. 80 Hz recordings).
  const high = nyquist > 45 ? 45 : Math.floor(nyquist * 0.9 * 10) / 10;
  return [
    newStep('filter', { low_freq: '1', high_freq: String(high), order: '5' }),
    newStep('amplitude_envelope'),
    newStep('moving_average', { n_window: '25' }),
    newStep('standardize'),
  ];
}

/** The draft as stored pipeline JSON (for a download before it has run). */
export function draftToJson(pipeline: PreparationPipeline): string {
  return JSON.stringify(pipeline, null, 2);
}
