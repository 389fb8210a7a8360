import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultColumnNames, writeCsv, type CsvColumns } from './csvWriter';
import { elementCount, inMemoryArray, throwIfAborted, type ExportArray } from './exportArray';
import { ExportError } from './exportError';
import { writeMat, type MatVariable } from './matWriter';
import { toMatVariableName } from './matVariableName';
import { writeNpy } from './npyWriter';
import { buildRunReport } from './runReport';
import type { ExportAnalysis, RunExportContent } from './runExportContent';
import { EventLoopPacer } from './eventLoopPacer';

/**
 * The osl-dynamics output layout of a trained run:
 *   model/config.json            the run's config (osl-dynamics field names; `modescope train --config`)
 *   model/run.json, README.md    run id, dataset, engine, free energy, sessions
 *   inf_params/alp/<i>_<session>.npy   α [T, K] per session (i from 0, the row in summary_stats)
 *   inf_params/<kind>/<i>_<session>.npy  other per-session results (imputed signals, masks…)
 *   inf_params/means.npy [K, C], covs.npy [K, C, C]
 *   summary_stats/fo.npy lt.npy intv.npy sr.npy   [n_sessions, n_modes]
 *   spectra/f.npy [F], psd.npy [S, K, C, F], coh.npy [S, K, C, C, F]
 *   report.html
 * With 'mat', each folder also gets MAT-files (alp per session; inf_params.mat, summary_stats.mat,
 * spectra.mat with one variable per array); with 'csv', each array gets a CSV beside its npy holding
 * exactly its values (a header row of column names, one row per index of axis 0; spectra as one
 * row per [session, mode, channel…] spectrum). The sampling frequency is in model/run.json.
 */

export const exportFormats = ['npy', 'mat', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface WrittenFile {
  /** Relative to the export folder, '/'-separated. */
  path: string;
  format: ExportFormat | 'json' | 'md' | 'html';
  bytes: number;
}

export interface LayoutOptions {
  formats: readonly ExportFormat[];
  report: boolean;
  signal?: AbortSignal;
  /** Values written so far of the total planned, and what is being written. */
  onProgress?: (done: number, total: number, stage: string) => void;
}

interface FileTask {
  path: string;
  format: WrittenFile['format'];
  /** Values it writes: the unit of progress (small text files count 1). */
  values: number;
  write(target: string, onValues: (n: number) => void): Promise<void>;
}

/** A file-name-safe form of a session name: no separators, no extension, not empty. */
export function sessionFileStem(index: number, name: string): string {
  const withoutExtension = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const safe = withoutExtension
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|_+$/g, '')
    .slice(0, 80);
  return `${index}_${safe || 'session'}`;
}

const modeNames = (k: number) => Array.from({ length: k }, (_, i) => `mode_${i + 1}`);

function statsArrays(analysis: ExportAnalysis): Array<{ stem: string; array: ExportArray }> {
  const S = analysis.sessions.length;
  const K = analysis.nModes;
  const pick = (get: (s: ExportAnalysis['sessions'][number]) => number[], what: string) => {
    const data = new Float64Array(S * K);
    analysis.sessions.forEach((s, i) => {
      const row = get(s);
      if (row.length !== K) {
        throw new ExportError(`${what} of session ${s.sessionName} has ${row.length} values for ${K} modes`);
      }
      data.set(row, i * K);
    });
    return inMemoryArray(data, [S, K]);
  };
  return [
    { stem: 'fo', array: pick((s) => s.fractionalOccupancy, 'fractional occupancy') },
    { stem: 'lt', array: pick((s) => s.meanLifetimeS, 'mean lifetime') },
    { stem: 'intv', array: pick((s) => s.meanIntervalS, 'mean interval') },
    { stem: 'sr', array: pick((s) => s.switchingRateHz, 'switching rate') },
  ];
}

function checkedSpectrum(shape: number[], data: Float64Array, what: string): ExportArray {
  if (elementCount(shape) !== data.length) {
    throw new ExportError(`${what}: ${data.length} values do not fill shape (${shape.join(', ')})`);
  }
  return inMemoryArray(data, shape);
}

/** The same values with axes before the last merged: one CSV row per spectrum. */
function asRows(array: ExportArray): ExportArray {
  const last = array.shape[array.shape.length - 1] ?? 1;
  if (last === 0) return array;
  return { ...array, shape: [elementCount(array.shape) / last, last] };
}

function textTask(relPath: string, format: WrittenFile['format'], text: string): FileTask {
  return { path: relPath, format, values: 1, write: (target) => writeFile(target, text, 'utf8') };
}

/** Plans every file of the layout; nothing is written until the tasks run. */
export function planRunLayout(content: RunExportContent, options: LayoutOptions): FileTask[] {
  const formats = new Set(options.formats);
  if (formats.size === 0) throw new ExportError('choose at least one format (npy, mat or csv)');
  for (const f of formats) {
    if (!(exportFormats as readonly string[]).includes(f)) throw new ExportError(`unknown format "${f}"`);
  }
  const tasks: FileTask[] = [];
  const K = content.analysis?.nModes ?? content.sessions.find((s) => s.alpha)?.alpha?.shape[1] ?? 0;

  /** One array as npy and csv (as asked); MAT variables are grouped by the caller. */
  const arrayTasks = (stem: string, array: ExportArray, csv: () => CsvColumns, csvArray = array) => {
    if (formats.has('npy')) {
      tasks.push({
        path: `${stem}.npy`,
        format: 'npy',
        values: elementCount(array.shape),
        write: (target, onValues) => writeNpy(target, array, { signal: options.signal, onValues }),
      });
    }
    if (formats.has('csv')) {
      tasks.push({
        path: `${stem}.csv`,
        format: 'csv',
        values: elementCount(array.shape),
        write: (target, onValues) => writeCsv(target, csvArray, csv(), { signal: options.signal, onValues }),
      });
    }
  };
  const matTask = (relPath: string, variables: MatVariable[]) => {
    if (!formats.has('mat') || variables.length === 0) return;
    tasks.push({
      path: relPath,
      format: 'mat',
      values: variables.reduce((n, v) => n + elementCount(v.array.shape), 0),
      write: (target, onValues) => writeMat(target, variables, { signal: options.signal, onValues }),
    });
  };

  const { run, dataset } = content;
  const sessionFiles = content.sessions.map((s, i) => `inf_params/alp/${sessionFileStem(i, s.name)}`);
  tasks.push(textTask('model/config.json', 'json', JSON.stringify(run.config, null, 2) + '\n'));
  tasks.push(
    textTask(
      'model/run.json',
      'json',
      JSON.stringify(
        {
          run_id: run.id,
          name: run.name,
          model: run.modelKind,
          status: run.status,
          seed: run.seed,
          engine: run.backend,
          free_energy: run.freeEnergy,
          created_at: run.createdAt,
          finished_at: run.finishedAt,
          dataset: { id: dataset.id, name: dataset.name, preparation_id: dataset.preparationId },
          sampling_frequency: dataset.samplingRate,
          channel_names: dataset.channelNames,
          n_modes: K,
          sessions: content.sessions.map((s, i) => ({
            index: i,
            session_id: s.sessionId,
            name: s.name,
            n_samples: (s.alpha ?? s.others[0]?.array)?.shape[0] ?? null,
            alp: s.alpha ? `${sessionFiles[i]}.npy` : null,
          })),
          epochs: content.epochs.length,
        },
        null,
        2,
      ) + '\n',
    ),
  );
  tasks.push(textTask('model/README.md', 'md', readme(content)));

  content.sessions.forEach((s, i) => {
    const alpha = s.alpha;
    if (!alpha) return;
    const stem = sessionFiles[i]!;
    arrayTasks(stem, alpha, () => ({ names: modeNames(alpha.shape[1] ?? 0) }));
    matTask(`${stem}.mat`, [{ name: 'alp', array: alpha }]);
  });
  // Other per-session results (imputed signals, masks…) in the same pattern: inf_params/<kind>/<i>_<session>.
  content.sessions.forEach((s, i) => {
    for (const { kind, array } of s.others) {
      const stem = `inf_params/${kindFolder(kind)}/${sessionFileStem(i, s.name)}`;
      arrayTasks(stem, array, () => ({
        names:
          array.shape.length === 2 && array.shape[1] === dataset.channelNames.length
            ? dataset.channelNames
            : defaultColumnNames(array.shape, 'v'),
      }));
      matTask(`${stem}.mat`, [{ name: toMatVariableName(kind), array }]);
    }
  });

  const paramVariables: MatVariable[] = [];
  if (content.means) {
    const means = content.means;
    arrayTasks('inf_params/means', means, () => ({
      names: channelColumns(dataset.channelNames, means.shape[1] ?? 0),
    }));
    paramVariables.push({ name: 'means', array: means });
  }
  if (content.covariances) {
    const covs = content.covariances;
    arrayTasks('inf_params/covs', covs, () => ({ names: defaultColumnNames(covs.shape, 'c') }));
    paramVariables.push({ name: 'covs', array: covs });
  }
  matTask('inf_params/inf_params.mat', paramVariables);

  if (content.analysis) {
    const stats = statsArrays(content.analysis);
    for (const { stem, array } of stats) {
      arrayTasks(`summary_stats/${stem}`, array, () => ({ names: modeNames(array.shape[1]!) }));
    }
    matTask(
      'summary_stats/summary_stats.mat',
      stats.map(({ stem, array }) => ({ name: stem, array })),
    );

    const spectra = content.analysis.spectra;
    if (spectra) {
      const f = inMemoryArray(spectra.frequencies, [spectra.frequencies.length]);
      const freqNames = Array.from(spectra.frequencies, (v) => `f_${v}`);
      const psd = checkedSpectrum(spectra.psd.shape, spectra.psd.data, 'psd');
      if (psd.shape[psd.shape.length - 1] !== spectra.frequencies.length) {
        throw new ExportError(`psd has ${psd.shape.at(-1)} frequencies, f has ${spectra.frequencies.length}`);
      }
      arrayTasks('spectra/f', f, () => ({ names: ['frequency_hz'] }));
      arrayTasks('spectra/psd', psd, () => ({ names: freqNames }), asRows(psd));
      const variables: MatVariable[] = [
        { name: 'f', array: f },
        { name: 'psd', array: psd },
      ];
      if (spectra.coh) {
        const coh = checkedSpectrum(spectra.coh.shape, spectra.coh.data, 'coh');
        arrayTasks('spectra/coh', coh, () => ({ names: freqNames }), asRows(coh));
        variables.push({ name: 'coh', array: coh });
      }
      matTask('spectra/spectra.mat', variables);
    }
  }

  if (options.report) {
    tasks.push({
      path: 'report.html',
      format: 'html',
      values: 1,
      write: async (target) => writeFile(target, buildRunReport(content), 'utf8'),
    });
  }
  return tasks;
}

/** A result kind as a folder name. */
function kindFolder(kind: string): string {
  return kind.replace(/[^A-Za-z0-9_-]+/g, '_') || 'result';
}

function channelColumns(names: string[], n: number): string[] {
  return names.length === n ? names : Array.from({ length: n }, (_, i) => `channel_${i + 1}`);
}

function readme(content: RunExportContent): string {
  const { run, dataset } = content;
  return [
    `# ModeScope run ${run.id}${run.name ? ` (${run.name})` : ''}`,
    '',
    `- model: ${run.modelKind}, status ${run.status}, seed ${run.seed}`,
    `- engine: ${run.backend ?? 'unknown'}`,
    `- dataset: ${dataset.name} (id ${dataset.id}${dataset.preparationId !== null ? `, preparation ${dataset.preparationId}` : ''}), ${dataset.samplingRate} Hz`,
    `- free energy: ${run.freeEnergy ?? 'not computed'}`,
    `- sessions: ${content.sessions.length}; epochs recorded: ${content.epochs.length}`,
    '',
    'Train again with the same config:',
    '',
    '```',
    `modescope train --project PROJECT --dataset ${JSON.stringify(dataset.name)}${dataset.preparationId !== null ? ` --preparation ${dataset.preparationId}` : ''}${run.modelKind !== 'dynemo' ? ` --model ${run.modelKind}` : ''} --config model/config.json`,
    '```',
    '',
  ].join('\n');
}

/**
 * Writes the planned files under `folder` (which must exist), creating sub-folders as needed.
 * Returns the files with their sizes, in the order written.
 */
export async function writeRunLayout(
  folder: string,
  content: RunExportContent,
  options: LayoutOptions,
): Promise<WrittenFile[]> {
  const tasks = planRunLayout(content, options);
  const total = tasks.reduce((n, t) => n + t.values, 0);
  const written: WrittenFile[] = [];
  let done = 0;
  const pacer = new EventLoopPacer();
  for (const task of tasks) {
    // Between files too: building a report or reading an array from the store is a block of work.
    await pacer.pause();
    throwIfAborted(options.signal, 'the export');
    const target = path.join(folder, ...task.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    options.onProgress?.(done, total, `writing ${task.path}`);
    const before = done;
    await task.write(target, (n) => options.onProgress?.(before + n, total, `writing ${task.path}`));
    done = before + task.values;
    written.push({ path: task.path, format: task.format, bytes: (await stat(target)).size });
  }
  options.onProgress?.(total, total, 'done');
  return written;
}
