import { describe, expect, it } from 'vitest';
import type { InspectedFile } from '../../src-shared/domain/dataset';
import { estimateEta, formatEta, newJobId } from '../../src-renderer/stores/jobs';
import { gapFraction, formatDuration } from '../../src-renderer/views/datasets/datasetFacts';
import {
  channelTypeCounts,
  commonChannels,
  defaultDatasetName,
  defaultSessionLabel,
  importProblem,
  importRequest,
  isRecordingFile,
  needsOrientation,
  rateRequired,
  rateWasAssumed,
  type ImportChoices,
} from '../../src-renderer/views/datasets/importPlan';
import {
  checkDraft,
  moveStep,
  newStep,
  presetSteps,
  stepParams,
} from '../../src-renderer/views/datasets/pipelineDraft';
import { pipelineSummary } from '../../src-renderer/views/datasets/pipelineSummary';
import { checkSimulation, defaultSimulationValues } from '../../src-renderer/views/datasets/simulationDraft';

function edf(path: string, names: string[], types?: string[]): InspectedFile {
  return {
    ok: true,
    path,
    sizeBytes: 10,
    format: 'edf',
    channels: names.map((name, i) => ({ name, type: types?.[i] ?? 'eeg', unit: 'V' })),
    samplingRate: 160,
    nSamples: 160,
    durationSeconds: 1,
    nAnnotations: 0,
    nBadAnnotations: 0,
    gapSegments: [],
    warnings: [],
  };
}

const npy: InspectedFile = {
  ...(edf('/d/x.npy', ['ch0', 'ch1']) as Extract<InspectedFile, { ok: true }>),
  format: 'npy',
  warnings: ['the file stores no sampling rate; 1 Hz was assumed (pass samplingRate)'],
};
const broken: InspectedFile = {
  ok: false,
  path: '/d/bad.edf',
  error: { code: 'INVALID_INPUT', message: 'bad header' },
};

function choices(files: InspectedFile[], change: Partial<ImportChoices> = {}): ImportChoices {
  return {
    name: 'EEG',
    orientation: 'time-first',
    samplingRate: '',
    files: files.map((f) => ({ path: f.path, label: defaultSessionLabel(f.path), include: f.ok })),
    channels: commonChannels(files).map((c) => c.name),
    ...change,
  };
}

describe('import plan', () => {
  it('keeps the channels every file holds, in the first file’s order, and counts types', () => {
    const files = [
      edf('/d/a.edf', ['Fz', 'Cz', 'EOG'], ['eeg', 'eeg', 'eog']),
      edf('/d/b.edf', ['EOG', 'Fz']),
    ];
    expect(commonChannels(files).map((c) => c.name)).toEqual(['Fz', 'EOG']);
    expect(channelTypeCounts(commonChannels(files))).toEqual([
      { type: 'eeg', count: 1 },
      { type: 'eog', count: 1 },
    ]);
    expect(commonChannels([broken])).toEqual([]);
  });

  it('names sessions and datasets from the files', () => {
    expect(defaultSessionLabel('/d/eegmmidb_S001R01.edf')).toBe('eegmmidb_S001R01');
    expect(defaultSessionLabel('C:\\rec\\run.1.vhdr')).toBe('run.1');
    expect(defaultDatasetName(['/d/sub01_rest.fif', '/d/sub01_task.fif'])).toBe('sub01');
    expect(defaultDatasetName(['/d/a.edf', '/d/b.edf'])).toBe('a');
    expect(defaultDatasetName([])).toBe('');
  });

  it('recognises recording files by extension', () => {
    expect(isRecordingFile('x.EDF')).toBe(true);
    expect(isRecordingFile('x.vhdr')).toBe(true);
    expect(isRecordingFile('x.eeg')).toBe(false);
    expect(isRecordingFile('x.modescope')).toBe(false);
  });

  it('requires a rate when the reader assumed 1 Hz, and asks for the layout of plain arrays', () => {
    expect(rateWasAssumed(npy)).toBe(true);
    expect(rateWasAssumed(edf('/d/a.edf', ['Fz']))).toBe(false);
    expect(needsOrientation([npy])).toBe(true);
    // Re-inspected with a rate, the warning is gone but the rate is still the person's to give.
    const npyWithRate = { ...npy, warnings: [] } as InspectedFile;
    expect(rateWasAssumed(npyWithRate)).toBe(false);
    expect(rateRequired(npyWithRate)).toBe(true);
    expect(importProblem([npyWithRate], choices([npyWithRate]))).toMatch(/sampling rate/);
    expect(needsOrientation([edf('/d/a.edf', ['Fz'])])).toBe(false);
    expect(importProblem([npy], choices([npy]))).toBe(
      'Enter the sampling rate in Hz: these files do not store it.',
    );
    expect(importProblem([npy], choices([npy], { samplingRate: '-5' }))).toMatch(/sampling rate/);
    expect(importProblem([npy], choices([npy], { samplingRate: '250' }))).toBeNull();
    expect(
      importRequest([npy], choices([npy], { samplingRate: '250', orientation: 'channel-first' })),
    ).toEqual({
      name: 'EEG',
      files: [{ path: '/d/x.npy', label: 'x' }],
      channels: ['ch0', 'ch1'],
      channelPolicy: 'common',
      options: { orientation: 'channel-first', samplingRate: 250 },
    });
  });

  it('says what blocks an import', () => {
    const a = edf('/d/a.edf', ['Fz']);
    const b = edf('/d/b.edf', ['Fz']);
    expect(importProblem([a], choices([a], { name: ' ' }))).toBe('Enter a dataset name.');
    expect(
      importProblem(
        [a, broken],
        choices([a, broken], { files: [{ path: '/d/bad.edf', label: 'x', include: true }] }),
      ),
    ).toBe('bad.edf cannot be read: leave it out or fix it.');
    expect(importProblem([a], choices([a], { channels: [] }))).toBe('Keep at least one channel.');
    const same = choices([a, b], {
      files: [
        { path: '/d/a.edf', label: 'run', include: true },
        { path: '/d/b.edf', label: 'run', include: true },
      ],
    });
    expect(importProblem([a, b], same)).toBe('Session labels must be unique.');
    expect(importProblem([a, b], choices([a, b]))).toBeNull();
    // Files without a rate question send no options at all.
    expect(importRequest([a, b], choices([a, b])).options).toBeUndefined();
    // A rate typed for files that store theirs is not sent (the field is not even shown).
    expect(importRequest([a, b], choices([a, b], { samplingRate: '999' })).options).toBeUndefined();
    expect(importProblem([a, b], choices([a, b], { samplingRate: 'x' }))).toBeNull();
  });
});

describe('pipeline draft', () => {
  it('turns field text into schema input and reports the schema’s messages by field', () => {
    const tde = newStep('tde_pca', { n_embeddings: '14', n_pca_components: 'x' });
    expect(stepParams(tde)).toEqual({
      n_embeddings: 14,
      n_pca_components: 'x',
      whiten: false,
      use_raw: false,
    });
    const check = checkDraft([newStep('standardize'), tde], null);
    expect(check.pipeline).toBeNull();
    expect(check.byStep[0]).toEqual({});
    expect(check.byStep[1]!.n_embeddings).toBe('n_embeddings must be odd, got 14');
    expect(check.byStep[1]!.n_pca_components).toMatch(/n_pca_components/);
  });

  it('checks the pipeline against the data: components beyond channels × embeddings, edges above Nyquist', () => {
    const shape = { nChannels: 6, samplingRate: 100 };
    const check = checkDraft(
      [
        newStep('filter', { low_freq: '1', high_freq: '60' }),
        newStep('tde_pca', { n_pca_components: '100' }),
      ],
      shape,
    );
    expect(check.byStep[0]!.high_freq).toBe('high_freq (60 Hz) must be below the Nyquist frequency (50 Hz)');
    expect(check.byStep[1]!.n_pca_components).toBe(
      'n_pca_components (100) exceeds the 90 channels × embeddings (6 × 15)',
    );
    expect(check.problemCount).toBe(2);
  });

  it('accepts an empty filter edge as none (low-pass) and lists for select', () => {
    const filter = newStep('filter', { low_freq: '', high_freq: '30' });
    expect(stepParams(filter)).toMatchObject({ low_freq: null, high_freq: 30 });
    const select = newStep('select', { channels: 'Fz, 3', sessions: '' });
    expect(stepParams(select)).toEqual({ channels: ['Fz', 3], use_raw: false });
    const check = checkDraft([filter, select], {
      nChannels: 4,
      samplingRate: 160,
      channelNames: ['Fz', 'Cz', 'Pz', 'Oz'],
    });
    expect(check.problemCount).toBe(0);
    expect(check.pipeline?.steps[0]).toEqual({
      name: 'filter',
      params: { low_freq: null, high_freq: 30, order: 5, use_raw: false },
    });
  });

  it('moves steps up and down and leaves the ends alone', () => {
    const steps = [newStep('standardize'), newStep('tde'), newStep('pca')];
    expect(moveStep(steps, 2, -1).map((s) => s.name)).toEqual(['standardize', 'pca', 'tde']);
    expect(moveStep(steps, 0, 1).map((s) => s.name)).toEqual(['tde', 'standardize', 'pca']);
    expect(moveStep(steps, 0, -1).map((s) => s.name)).toEqual(['standardize', 'tde', 'pca']);
  });

  it('builds the osl-dynamics presets, clamping PCA components to what the data allows', () => {
    const meg = checkDraft(presetSteps('tde_pca', { nChannels: 38, samplingRate: 250 }), null);
    expect(meg.pipeline?.steps).toEqual([
      { name: 'tde_pca', params: { n_embeddings: 15, n_pca_components: 80, whiten: false, use_raw: false } },
      { name: 'standardize', params: { use_raw: false } },
    ]);
    const small = checkDraft(presetSteps('tde_pca', { nChannels: 4, samplingRate: 250 }), {
      nChannels: 4,
      samplingRate: 250,
    });
    expect(small.pipeline?.steps[0]).toMatchObject({ params: { n_pca_components: 60 } });
    const ae = presetSteps('amplitude_envelope', { nChannels: 4, samplingRate: 80 });
    expect(ae.map((s) => s.name)).toEqual(['filter', 'amplitude_envelope', 'moving_average', 'standardize']);
    expect(ae[0]!.values.high_freq).toBe('36');
    expect(checkDraft(ae, { nChannels: 4, samplingRate: 80 }).problemCount).toBe(0);
  });

  it('summarises stored pipelines for the table, leaving out defaults that say nothing', () => {
    expect(
      pipelineSummary({
        steps: [{ name: 'tde_pca', params: { n_embeddings: 15, use_raw: false, pca_components: null } }],
      }),
    ).toEqual([{ name: 'tde_pca', params: 'n_embeddings=15' }]);
    expect(pipelineSummary(null)).toEqual([]);
  });
});

describe('simulation draft', () => {
  it('starts from the schema defaults', () => {
    const hmm = defaultSimulationValues('HMM_MVN');
    expect(hmm).toMatchObject({
      n_states: '5',
      stay_prob: '0.9',
      trans_prob: 'sequence',
      n_samples: '25600',
      seed: '0',
    });
    expect(defaultSimulationValues('MixedSine_MVN').frequencies).toBe('1, 2, 3, 4, 6, 8');
    expect(checkSimulation('HSMM_MVN', defaultSimulationValues('HSMM_MVN')).spec).not.toBeNull();
  });

  it('reports problems by field with the schema’s message', () => {
    const hmm = { ...defaultSimulationValues('HMM_MVN'), stay_prob: '1.5', n_channels: 'many' };
    const check = checkSimulation('HMM_MVN', hmm);
    expect(check.spec).toBeNull();
    expect(check.problems.stay_prob).toBe('stay_prob must be in [0, 1]');
    expect(check.problems.n_channels).toMatch(/n_channels must be a number/);
    const sine = { ...defaultSimulationValues('MixedSine_MVN'), n_modes: '3' };
    expect(checkSimulation('MixedSine_MVN', sine).problems.relative_activation).toBe(
      'relative_activation has 6 entries but n_modes is 3',
    );
  });
});

describe('job progress helpers', () => {
  it('estimates time left from the fraction done unless the server gives it', () => {
    expect(estimateEta(0.25, 10, null)).toBe(30);
    expect(estimateEta(0.25, 10, 4)).toBe(4);
    expect(estimateEta(0.01, 10, null)).toBeNull();
    expect(estimateEta(null, 10, null)).toBeNull();
    expect(estimateEta(1, 10, null)).toBe(0);
  });

  it('formats time left for people', () => {
    expect(formatEta(4.4)).toBe('4 s');
    expect(formatEta(125)).toBe('2 min 05 s');
    expect(formatEta(3780)).toBe('1 h 03 min');
    expect(formatEta(null)).toBe('');
  });

  it('makes job ids the contract accepts', () => {
    expect(newJobId('prepare', 1_700_000_000_000, () => 0.5)).toBe('prepare-loyw3v28-i00000');
    expect(newJobId('import')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('dataset facts', () => {
  it('weights the missing share by session length and formats durations', () => {
    const session = (nSamples: number, gap: number | null) => ({
      id: 1,
      ordinal: 0,
      label: null,
      sourcePath: '',
      sourceSize: null,
      sourceSha256: null,
      nSamples,
      durationSeconds: 1,
      gapFraction: gap,
      nAnnotations: 0,
    });
    const d = { sessions: [session(1000, 0.1), session(3000, 0), session(50, null)] } as never;
    expect(gapFraction(d)).toBeCloseTo(0.025, 12);
    expect(formatDuration(61.2)).toBe('1 min 01 s');
    expect(formatDuration(5)).toBe('5.00 s');
  });
});
