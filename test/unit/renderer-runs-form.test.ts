import { describe, expect, it } from 'vitest';
import { dynemoConfigSchema } from '../../src-shared/models/dynemo';
import { diffConfigs, configValueText } from '../../src-renderer/views/runs/configDiff';
import {
  configSummary,
  formatDuration,
  formatFreeEnergy,
  runDurationMs,
} from '../../src-renderer/views/runs/runFacts';
import {
  allFormFields,
  applyPatch,
  checkDraft,
  defaultDraft,
  dynemoConfigGroups,
  fieldsLeftOutOfForm,
} from '../../src-renderer/views/train/dynemoForm';
import { trainPresets } from '../../src-renderer/views/train/trainPresets';
import type { RunSummary } from '../../src-shared/domain/run';

describe('DyNeMo config form', () => {
  it('places every schema field in exactly one group, or leaves it out on purpose', () => {
    const schemaKeys = Object.keys(dynemoConfigSchema.shape).sort();
    const placed = allFormFields.map((f) => f.key);
    expect(new Set(placed).size).toBe(placed.length);
    expect([...placed, ...fieldsLeftOutOfForm].sort()).toEqual(schemaKeys);
    expect(dynemoConfigGroups.map((g) => g.id)).toEqual([
      'shape',
      'inference',
      'model',
      'observation',
      'kl',
      'optimisation',
      'init',
    ]);
  });

  it('opens with the schema defaults and parses them back unchanged', () => {
    const draft = defaultDraft(8, 12);
    expect(draft.n_modes).toBe('8');
    expect(draft.n_channels).toBe('12');
    expect(draft.sequence_length).toBe('200');
    expect(draft.inference_normalization).toBe('layer');
    expect(draft.inference_activation).toBe('none');
    expect(draft.gradient_clip).toBe('');
    const { config, problems } = checkDraft(draft);
    expect(problems).toEqual({});
    expect(config).toEqual(dynemoConfigSchema.parse({ n_modes: 8, n_channels: 12 }));
    expect(config?.gradient_clip).toBeNull();
    expect(config?.inference_activation).toBeNull();
  });

  it("shows the schema's own message on the field at fault", () => {
    const draft = defaultDraft(8, 12);
    expect(checkDraft({ ...draft, n_modes: '1' }).problems).toEqual({
      n_modes: 'n_modes must be two or greater (one mode is a static model)',
    });
    expect(checkDraft({ ...draft, learning_rate: 'fast' }).problems.learning_rate).toBe(
      'learning_rate must be a number',
    );
    expect(checkDraft({ ...draft, batch_size: '2.5' }).problems.batch_size).toBe(
      'batch_size must be an integer',
    );
    expect(checkDraft({ ...draft, n_modes: '' }).problems.n_modes).toBe('n_modes is required');
    const kl = checkDraft({ ...draft, n_epochs: '10', n_kl_annealing_epochs: '20' });
    expect(kl.config).toBeNull();
    expect(kl.problems.n_kl_annealing_epochs).toBe(
      'n_kl_annealing_epochs (20) must not exceed n_epochs (10)',
    );
  });

  it('reads booleans and choices, including the null choice', () => {
    const draft = { ...defaultDraft(4, 6), learn_means: 'true', init_method: 'none', gradient_clip: '0.5' };
    const { config } = checkDraft(draft);
    expect(config?.learn_means).toBe(true);
    expect(config?.init_method).toBeNull();
    expect(config?.gradient_clip).toBe(0.5);
  });

  it('has presets that keep the channels and give a valid config', () => {
    for (const preset of trainPresets) {
      expect(preset.patch).not.toHaveProperty('n_channels');
      const draft = applyPatch(defaultDraft(8, 80), preset.patch);
      expect(draft.n_channels).toBe('80');
      const { config, problems } = checkDraft(draft);
      expect(problems, preset.id).toEqual({});
      expect(config).not.toBeNull();
    }
    const tde = checkDraft(applyPatch(defaultDraft(8, 80), trainPresets[0]!.patch)).config!;
    const ae = checkDraft(applyPatch(defaultDraft(8, 80), trainPresets[1]!.patch)).config!;
    expect([tde.learn_means, tde.sequence_length, tde.batch_size]).toEqual([false, 200, 128]);
    expect(ae.learn_means).toBe(true);
  });
});

describe('runs table facts', () => {
  const run: RunSummary = {
    id: 3,
    name: null,
    datasetId: 1,
    preparationId: null,
    modelKind: 'dynemo',
    seed: 0,
    status: 'completed',
    createdAt: '2026-11-23T09:00:00.000Z',
    startedAt: '2026-11-23T09:00:00.000Z',
    finishedAt: '2026-11-23T09:03:07.000Z',
    epochs: 4,
    freeEnergy: -12345.678,
    resumable: false,
    error: null,
  };

  it('summarises a config and a duration', () => {
    expect(configSummary({ n_modes: 8, n_epochs: 40, learning_rate: 0.01 })).toBe(
      '8 modes · 40 epochs · lr 0.01',
    );
    expect(
      configSummary({
        latent_dim: 16,
        n_units: 64,
        sequence_length: 192,
        n_epochs: 60,
        learning_rate: 0.003,
      }),
    ).toBe('16 latents · 64 units · sequences of 192 · 60 epochs · lr 0.003');
    expect(configSummary(undefined)).toBe('—');
    expect(runDurationMs(run)).toBe(187_000);
    expect(formatDuration(runDurationMs(run))).toBe('3 min 07 s');
    expect(formatDuration(850)).toBe('850 ms');
    expect(
      runDurationMs({ ...run, status: 'running', finishedAt: null }, Date.parse(run.startedAt!) + 5000),
    ).toBe(5000);
    expect(runDurationMs({ ...run, startedAt: null })).toBeNull();
    expect(formatFreeEnergy(run.freeEnergy)).toBe('-12346');
    expect(formatFreeEnergy(null)).toBe('—');
  });

  it('diffs configs key by key, comparing arrays by content', () => {
    const rows = diffConfigs([
      { n_modes: 3, lr: 0.01, m: [[1, 2]] },
      { n_modes: 5, lr: 0.01, m: [[1, 2]], extra: true },
    ]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ['n_modes', true],
      ['lr', false],
      ['m', false],
      ['extra', true],
    ]);
    expect(rows[3]!.values).toEqual([undefined, true]);
    expect(configValueText(undefined)).toBe('—');
    expect(configValueText(null)).toBe('none');
    expect(configValueText([[1], [2]])).toBe('[2 items]');
  });
});
