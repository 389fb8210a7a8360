import { describe, expect, it } from 'vitest';
import type { ResultSummary, RunSummary } from '../../src-shared/domain/run';
import {
  arrayChoices,
  arrayFileName,
  isSuggestedFileName,
  withFileName,
} from '../../src-renderer/views/export/arrayTarget';
import {
  draftProblem,
  emptyDraft,
  exportableRuns,
  exportRequest,
  formatBytes,
  isSuggestedFolder,
  suggestedFolder,
  suggestionBase,
  toggleFormat,
} from '../../src-renderer/views/export/exportDraft';

const run = (id: number, status: RunSummary['status']): RunSummary => ({
  id,
  name: null,
  datasetId: 1,
  preparationId: null,
  modelKind: 'dynemo',
  seed: 0,
  status,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  epochs: 1,
  freeEnergy: null,
  resumable: false,
  error: null,
});

describe('export form draft', () => {
  it('says what is missing before a run can be exported', () => {
    const draft = emptyDraft();
    expect(draft.formats).toEqual(['npy', 'mat', 'csv']);
    expect(draftProblem(draft)).toBe('Choose a run to export.');
    expect(draftProblem({ ...draft, runId: 3 })).toBe('Choose a folder to export into.');
    expect(draftProblem({ ...draft, runId: 3, folder: 'out/run' })).toMatch(/full path/);
    expect(draftProblem({ ...draft, runId: 3, folder: '/data/out', formats: [] })).toBe(
      'Choose at least one file format.',
    );
    expect(draftProblem({ ...draft, runId: 3, folder: 'C:\\exports\\run' })).toBeNull();
  });

  it('builds the request with formats in a fixed order and a trimmed folder', () => {
    const draft = {
      ...emptyDraft(),
      runId: 4,
      folder: ' /data/out ',
      formats: toggleFormat(['csv'], 'npy', true),
    };
    expect(exportRequest(draft)).toEqual({
      runId: 4,
      folder: '/data/out',
      formats: ['npy', 'csv'],
      report: true,
      spectra: true,
      overwrite: false,
    });
    expect(toggleFormat(['npy', 'mat'], 'npy', false)).toEqual(['mat']);
    expect(() => exportRequest(emptyDraft())).toThrow('no run chosen');
  });

  it('offers only completed runs, newest first', () => {
    expect(
      exportableRuns([run(1, 'completed'), run(2, 'failed'), run(3, 'completed')]).map((r) => r.id),
    ).toEqual([3, 1]);
  });

  it('suggests a folder per run that follows the run until edited by hand', () => {
    const first = suggestedFolder('/home/me', 2);
    expect(first).toBe('/home/me/modescope-run-2');
    expect(isSuggestedFolder(first)).toBe(true);
    expect(suggestedFolder(suggestionBase(first, '/x'), 5)).toBe('/home/me/modescope-run-5');
    expect(suggestionBase('', '/fallback')).toBe('/fallback');
    expect(isSuggestedFolder('/data/my-export')).toBe(false);
    expect(suggestedFolder('C:\\Users\\me', 7)).toBe('C:\\Users\\me\\modescope-run-7');
  });

  it('formats sizes', () => {
    expect([formatBytes(900), formatBytes(2048), formatBytes(3 * 1024 ** 2)]).toEqual([
      '900 B',
      '2.0 KiB',
      '3.0 MiB',
    ]);
  });
});

describe('one-array export target', () => {
  const results: ResultSummary[] = [
    { kind: 'free_energy', sessionId: null, dtype: null, shape: null },
    { kind: 'covariances', sessionId: null, dtype: 'float32', shape: [3, 4, 4] },
    { kind: 'alpha', sessionId: 12, dtype: 'float32', shape: [600, 3] },
    { kind: 'alpha', sessionId: 11, dtype: 'float32', shape: [500, 3] },
  ];

  it('lists array results only, by kind then session, named by session', () => {
    const choices = arrayChoices(results, new Map([[11, 'rest']]));
    expect(choices.map((c) => [c.key, c.label])).toEqual([
      ['alpha@11', 'alpha · rest [500 × 3] float32'],
      ['alpha@12', 'alpha · session 12 [600 × 3] float32'],
      ['covariances', 'covariances [3 × 4 × 4] float32'],
    ]);
  });

  it('suggests file names that follow the choice until the user names the file', () => {
    const [alpha] = arrayChoices(results, new Map());
    const name = arrayFileName(4, alpha!, 'mat');
    expect(name).toBe('run4_alpha_session11.mat');
    expect(withFileName('', '/home/me', name)).toBe('/home/me/run4_alpha_session11.mat');
    expect(withFileName('/data/run4_alpha_session11.mat', '/home/me', 'run4_means.csv')).toBe(
      '/data/run4_means.csv',
    );
    expect(isSuggestedFileName('/data/run4_alpha_session11.mat')).toBe(true);
    expect(isSuggestedFileName('/data/my-alpha.mat')).toBe(false);
  });
});
