/**
 * What a config form is made of, whatever the model: fields with a kind, unit and hint, grouped
 * under titles. The fields every model trains with (epochs, batch, learning rate, its decay, KL
 * annealing switch and length) are defined once here so they read the same in every form.
 */
export type ConfigFieldKind = 'integer' | 'number' | 'boolean' | 'choice';

export interface FormField<K extends string = string> {
  key: K;
  label: string;
  kind: ConfigFieldKind;
  unit?: string;
  /** For 'choice': the values; null in the list means the field may be unset. */
  choices?: readonly (string | null)[];
  /** Numbers that may be left empty, which sends null (osl-dynamics' "not set"). */
  nullable?: boolean;
  hint?: string;
}

export interface FormGroup<K extends string = string> {
  id: string;
  title: string;
  fields: FormField<K>[];
}

/** The optimisation block's first fields, in the order osl-dynamics lists them. */
export const trainingLoopFields: FormField<'n_epochs' | 'batch_size' | 'learning_rate' | 'lr_decay'>[] = [
  { key: 'n_epochs', label: 'epochs', kind: 'integer' },
  { key: 'batch_size', label: 'batch size', kind: 'integer', unit: 'sequences' },
  { key: 'learning_rate', label: 'learning rate', kind: 'number' },
  { key: 'lr_decay', label: 'learning-rate decay', kind: 'number', hint: 'lr × exp(−decay × epoch)' },
];

export const klAnnealingSwitch: FormField<'do_kl_annealing'> = {
  key: 'do_kl_annealing',
  label: 'anneal KL',
  kind: 'boolean',
};

export const klAnnealingEpochs: FormField<'n_kl_annealing_epochs'> = {
  key: 'n_kl_annealing_epochs',
  label: 'annealing epochs',
  kind: 'integer',
  unit: 'epochs',
};

export const seedField: FormField<'seed'> = { key: 'seed', label: 'seed', kind: 'integer' };

/** A config value as form text: unset as empty (numbers) or the word "none" (choices). */
export function fieldText(field: FormField, value: unknown): string {
  if (value === null || value === undefined) return field.kind === 'choice' ? 'none' : '';
  return String(value);
}

/**
 * Form text to the value the schema checks; undefined for an empty required number (left out so
 * the schema reports it), and text that is not a number stays text so the schema names it.
 */
export function fieldValue(field: FormField, text: string): unknown {
  const t = text.trim();
  switch (field.kind) {
    case 'boolean':
      return t === 'true';
    case 'choice':
      return t === 'none' ? null : t;
    case 'integer':
    case 'number': {
      if (t === '') return field.nullable ? null : undefined;
      const n = Number(t);
      return Number.isNaN(n) ? t : n;
    }
  }
}
