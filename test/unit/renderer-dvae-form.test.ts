import { describe, expect, it } from 'vitest';
import { vospConfigSchema } from '../../src-shared/models/vosp';
import { parseVraeConfig, vraeConfigSchema } from '../../src-shared/models/vrae';
import {
  dvaeCheckDraft,
  dvaeConfigGroups,
  dvaeDefaultDraft,
  dvaeFormFields,
} from '../../src-renderer/views/train/dvaeForm';

/** Every leaf of a parsed config as a dotted key. */
function leafKeys(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

describe('VRAE and VOSP config forms', () => {
  it('place every schema field (nested ones as dotted keys) exactly once', () => {
    for (const [kind, schema] of [
      ['vrae', vraeConfigSchema],
      ['vosp', vospConfigSchema],
    ] as const) {
      const keys = dvaeFormFields(kind).map((f) => f.key);
      expect(new Set(keys).size).toBe(keys.length);
      const schemaKeys = leafKeys(schema.parse({ n_channels: 4 }) as Record<string, unknown>);
      expect([...keys].sort()).toEqual(schemaKeys.sort());
    }
    expect(dvaeFormFields('vosp').map((f) => f.key)).toContain('n_emission_units');
    expect(dvaeFormFields('vrae').map((f) => f.key)).not.toContain('n_emission_units');
    expect(dvaeConfigGroups('vrae').map((g) => g.id)).toEqual([
      'shape',
      'networks',
      'emission',
      'prior',
      'masking',
      'kl',
      'optimisation',
    ]);
  });

  it('opens with the schema defaults and parses them back unchanged', () => {
    const draft = dvaeDefaultDraft('vrae', 12);
    expect(draft.n_channels).toBe('12');
    expect(draft['wiener.increment_variance']).toBe('0.1');
    expect(draft['masking.gap_max_samples']).toBe('96');
    const checked = dvaeCheckDraft('vrae', draft);
    expect(checked.problems).toEqual({});
    expect(checked.config).toEqual(parseVraeConfig({ n_channels: 12 }));
  });

  it('names the field at fault, nested ones included', () => {
    const draft = dvaeDefaultDraft('vosp', 4);
    const bad = dvaeCheckDraft('vosp', {
      ...draft,
      n_units: '-2',
      'masking.gap_max_samples': '300',
      'masking.gap_probability': '1.5',
      n_emission_units: '',
    });
    expect(bad.config).toBeNull();
    expect(bad.problems.n_units).toBe('n_units must be positive');
    expect(bad.problems['masking.gap_probability']).toBe('gap_probability must be in [0, 1]');
    expect(bad.problems.n_emission_units).toBeUndefined();
    const long = dvaeCheckDraft('vosp', { ...draft, 'masking.gap_max_samples': '300' });
    expect(long.problems['masking.gap_max_samples']).toBe(
      'gap_max_samples (300) must be shorter than sequence_length (256)',
    );
    const clip = dvaeCheckDraft('vrae', { ...dvaeDefaultDraft('vrae', 4), gradient_clip: '' });
    expect(clip.config?.gradient_clip).toBeNull();
    const text = dvaeCheckDraft('vrae', { ...dvaeDefaultDraft('vrae', 4), latent_dim: 'abc' });
    expect(text.problems.latent_dim).toBe('latent_dim must be a number');
  });
});
