import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { importDynemoConfig, parseDynemoConfig } from '../../src-shared/models/dynemo';
import { RpcError } from '../../src-shared/rpc/errors';
import { runCli } from '../../src-main/cli/main';
import { BinaryFile } from '../../src-main/data/readers/binaryFile';
import { readMatV5 } from '../../src-main/data/readers/matV5';
import { numbersOf } from '../../src-main/data/readers/matValues';
import { readNpyHeader } from '../../src-main/data/readers/npyReader';
import { analyseRun } from '../../src-main/services/analysis/runAnalysis';
import {
  completedDynemoRun,
  simulatedTrainingProject,
  tinyDynemoConfig,
  type Harness,
  type SimulatedTrainingProject,
} from './training-harness';
import { tinyDvaeConfig } from './gaps-helpers';

let project: SimulatedTrainingProject | undefined;
let h: Harness;
let runId: number;
let projectPath: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  project = await simulatedTrainingProject(600);
  h = project.h;
  projectPath = path.join(h.dir, 'p.modescope');
  const config = tinyDynemoConfig({ n_epochs: 2, n_kl_annealing_epochs: 1 });
  runId = await completedDynemoRun(h, { datasetId: project.datasetId, config, name: 'to export' }, 120_000);
}, 180_000);

afterAll(() => {
  project?.dispose();
  process.env = savedEnv;
});

async function npy(file: string): Promise<{ shape: number[]; values: number[]; type: string }> {
  const bf = await BinaryFile.open(file, 'npy');
  try {
    const header = await readNpyHeader(bf);
    const bytes = readFileSync(file).subarray(header.dataOffset);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const values = header.encoding.type === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer);
    return { shape: header.shape, values: [...values], type: header.encoding.type };
  } finally {
    await bf.close();
  }
}

async function matVariables(file: string) {
  const bf = await BinaryFile.open(file, 'mat');
  try {
    return await readMatV5(bf);
  } finally {
    await bf.close();
  }
}

/** C-order values in MATLAB's column-major order, for a 2-D [rows, cols] array. */
function columnMajor(values: number[], rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out.push(values[r * cols + c]!);
  return out;
}

async function stored(kind: string, sessionId?: number) {
  const window = await h.call('runs.resultArray', {
    runId,
    kind,
    ...(sessionId !== undefined ? { sessionId } : {}),
  });
  return { shape: window.array.shape, values: [...decodeArray(window.array)] };
}

async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const leftovers = (parent: string) => readdirSync(parent).filter((n) => n.startsWith('.'));

describe('exports.run', () => {
  it('writes the osl-dynamics layout whose files equal what the project stores', async () => {
    const folder = path.join(h.dir, 'out', 'run1');
    const result = await h.call('exports.run', {
      runId,
      folder,
      formats: ['npy', 'mat', 'csv'],
      report: true,
    });
    const paths = result.files.map((f) => f.path);
    const sessions = (await h.call('runs.results', { runId })).filter((r) => r.kind === 'alpha');
    expect(sessions).toHaveLength(2);
    for (const p of [
      'model/config.json',
      'model/run.json',
      'inf_params/alp/0_session_1.npy',
      'inf_params/alp/1_session_2.npy',
      'inf_params/alp/0_session_1.mat',
      'inf_params/alp/0_session_1.csv',
      'inf_params/means.npy',
      'inf_params/covs.npy',
      'inf_params/inf_params.mat',
      'summary_stats/fo.npy',
      'summary_stats/lt.npy',
      'summary_stats/intv.npy',
      'summary_stats/sr.npy',
      'summary_stats/summary_stats.mat',
      'report.html',
    ]) {
      expect(paths, p).toContain(p);
      expect(existsSync(path.join(folder, p)), p).toBe(true);
    }
    expect(result.totalBytes).toBe(result.files.reduce((n, f) => n + f.bytes, 0));
    expect(leftovers(path.dirname(folder))).toEqual([]);

    // α per session: npy, MAT and CSV all hold the stored values.
    for (const [i, s] of sessions.entries()) {
      const fromStore = await stored('alpha', s.sessionId!);
      const stem = path.join(folder, 'inf_params/alp', `${i}_session_${i + 1}`);
      const fromNpy = await npy(`${stem}.npy`);
      expect(fromNpy.type).toBe('float32');
      expect(fromNpy.shape).toEqual(fromStore.shape);
      expect(fromNpy.values).toEqual(fromStore.values);
      const [alp] = await matVariables(`${stem}.mat`);
      expect(alp?.name).toBe('alp');
      expect(alp?.kind === 'numeric' && alp.dims).toEqual(fromStore.shape);
      expect(numbersOf(alp)).toEqual(columnMajor(fromStore.values, fromStore.shape[0]!, 3));
      const csv = readFileSync(`${stem}.csv`, 'utf8').trimEnd().split('\n');
      expect(csv[0]).toBe('mode_1,mode_2,mode_3');
      const csvValues = csv.slice(1).flatMap((line) => line.split(',').map((v) => Math.fround(Number(v))));
      expect(csvValues).toEqual(fromStore.values);
    }

    const covs = await npy(path.join(folder, 'inf_params/covs.npy'));
    const storedCovs = await stored('covariances');
    expect(covs.shape).toEqual([3, 4, 4]);
    expect(covs.values).toEqual(storedCovs.values);
    expect((await npy(path.join(folder, 'inf_params/means.npy'))).values).toEqual(
      (await stored('means')).values,
    );
    const params = await matVariables(path.join(folder, 'inf_params/inf_params.mat'));
    expect(params.map((v) => v.name)).toEqual(['means', 'covs']);

    // Summary statistics are the analysis service's, one row per session.
    const analysis = await analyseRun(h.services.projects.require(), runId);
    const fo = await npy(path.join(folder, 'summary_stats/fo.npy'));
    expect(fo.shape).toEqual([2, 3]);
    expect(fo.values).toEqual(analysis.sessions.flatMap((s) => s.fractionalOccupancy));
    expect((await npy(path.join(folder, 'summary_stats/sr.npy'))).values).toEqual(
      analysis.sessions.flatMap((s) => s.switchingRateHz),
    );

    // Spectra in osl-dynamics' shapes: [S, K, C, F] and [S, K, C, C, F].
    expect(result.notes).toEqual([]);
    const f = await npy(path.join(folder, 'spectra/f.npy'));
    expect(f.shape).toHaveLength(1);
    expect(f.shape[0]).toBeGreaterThan(1);
    const psd = await npy(path.join(folder, 'spectra/psd.npy'));
    expect(psd.shape).toEqual([2, 3, 4, f.shape[0]]);
    expect(analysis.spectra).toBeNull(); // asked without spectra above; fetch them as the export did
    const withSpectra = await analyseRun(h.services.projects.require(), runId, { spectra: true });
    expect(f.values).toEqual([...withSpectra.spectra!.frequencies]);
    expect(psd.values).toEqual([...withSpectra.spectra!.psd.data]);
    expect((await npy(path.join(folder, 'spectra/coh.npy'))).shape).toEqual([2, 3, 4, 4, f.shape[0]]);
    const spectraMat = await matVariables(path.join(folder, 'spectra/spectra.mat'));
    expect(spectraMat.map((v) => [v.name, v.kind === 'numeric' ? v.dims : null])).toEqual([
      ['f', [f.shape[0], 1]],
      ['psd', [2, 3, 4, f.shape[0]]],
      ['coh', [2, 3, 4, 4, f.shape[0]]],
    ]);

    // The config is the run's, in osl-dynamics field names, and reads back as a DyNeMo config.
    const detail = await h.call('runs.get', { runId });
    const configText = readFileSync(path.join(folder, 'model/config.json'), 'utf8');
    expect(importDynemoConfig(configText)).toEqual(parseDynemoConfig(detail.config));
    const runJson = JSON.parse(readFileSync(path.join(folder, 'model/run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(runJson).toMatchObject({
      run_id: runId,
      name: 'to export',
      model: 'dynemo',
      free_energy: detail.freeEnergy,
    });
    expect(runJson.engine).toBe(detail.backend);
    const logged = h.services.projects
      .require()
      .listActions()
      .filter((a) => a.kind === 'exports.run');
    expect(logged.at(-1)?.cli).toBe(
      `modescope export --project ${JSON.stringify(projectPath)} --run ${runId} --out ${JSON.stringify(folder)} --format npy,mat,csv`,
    );
    const report = readFileSync(path.join(folder, 'report.html'), 'utf8');
    expect((report.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(report).not.toMatch(/<script|src=|href=/i);
  });

  it('refuses a non-empty folder unless overwrite, then replaces it whole', async () => {
    const folder = path.join(h.dir, 'out', 'taken');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'mine.txt'), 'keep me');
    const refused = await rpcError(
      h.call('exports.run', { runId, folder, formats: ['npy'], report: false, spectra: false }),
    );
    expect(refused.code).toBe('ALREADY_EXISTS');
    expect(refused.message).toContain('not empty');
    expect(readFileSync(path.join(folder, 'mine.txt'), 'utf8')).toBe('keep me');

    const result = await h.call('exports.run', {
      runId,
      folder,
      formats: ['csv'],
      report: false,
      spectra: false,
      overwrite: true,
    });
    expect(existsSync(path.join(folder, 'mine.txt'))).toBe(false);
    expect(result.files.every((f) => !f.path.endsWith('.npy'))).toBe(true);
    expect(result.notes).toContain('spectra were not asked for');
    expect(leftovers(path.dirname(folder))).toEqual([]);
  });

  it('answers bad input with specific errors', async () => {
    const base = { formats: ['npy' as const], report: false, spectra: false };
    const relative = await rpcError(h.call('exports.run', { runId, folder: 'relative/dir', ...base }));
    expect([relative.code, relative.message]).toEqual([
      'INVALID_INPUT',
      'folder must be an absolute path, got relative/dir',
    ]);
    const unknown = await rpcError(
      h.call('exports.run', { runId: 999, folder: path.join(h.dir, 'x'), ...base }),
    );
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', 'run 999 does not exist']);
    const noFormat = await rpcError(
      h.call('exports.run', { runId, folder: path.join(h.dir, 'x'), formats: [], report: false }),
    );
    expect(noFormat.code).toBe('INVALID_INPUT');
    writeFileSync(path.join(h.dir, 'a-file'), '');
    const underFile = await rpcError(
      h.call('exports.run', { runId, folder: path.join(h.dir, 'a-file', 'sub'), ...base }),
    );
    expect(underFile.code).toBe('NOT_WRITABLE');
    expect(underFile.message).toContain(path.join(h.dir, 'a-file'));
  });

  it('cancels cleanly: CANCELLED, no folder and no temporary left', async () => {
    const folder = path.join(h.dir, 'out', 'cancelled');
    const mark = h.events.length;
    const pending = h.call('exports.run', {
      runId,
      folder,
      formats: ['npy', 'mat', 'csv'],
      report: true,
      jobId: 'export-cancel-test',
    });
    await h.waitForEvent(
      (e, p) => e === 'job.progress' && (p as { jobId: string }).jobId === 'export-cancel-test',
      mark,
    );
    expect(h.services.jobs.cancel('export-cancel-test')).toBe(true);
    const error = await rpcError(pending);
    expect(error.code).toBe('CANCELLED');
    expect(existsSync(folder)).toBe(false);
    expect(leftovers(path.dirname(folder))).toEqual([]);
    const finished = await h.waitForEvent(
      (e, p) => e === 'job.finished' && (p as { jobId: string }).jobId === 'export-cancel-test',
      mark,
    );
    expect((finished as { outcome: string }).outcome).toBe('cancelled');
  });
});

const python = spawnSync('python3', ['-c', 'import numpy, scipy.io'], { encoding: 'utf8' });
const pythonMissing =
  python.error !== undefined || python.status !== 0
    ? `python3 with numpy and scipy is not available (${python.error?.message ?? python.stderr.trim()})`
    : null;
if (pythonMissing) console.log(`skipping the numpy/scipy read of an exported run: ${pythonMissing}`);

describe.skipIf(pythonMissing !== null)('an exported run read by numpy and scipy', () => {
  it('np.load, scipy.io.loadmat and np.genfromtxt open every file, with the layout shapes', async () => {
    const folder = path.join(h.dir, 'out', 'for-python');
    await h.call('exports.run', { runId, folder, formats: ['npy', 'mat', 'csv'], report: false });
    const script = [
      'import json, pathlib, sys, numpy as np, scipy.io',
      'root = pathlib.Path(sys.argv[1]); out = {}',
      'for p in sorted(root.rglob("*")):',
      '    rel = p.relative_to(root).as_posix()',
      '    if p.suffix == ".npy": a = np.load(p); out[rel] = [str(a.dtype), list(a.shape), float(np.nansum(a))]',
      '    elif p.suffix == ".mat": m = scipy.io.loadmat(p); out[rel] = {k: list(v.shape) for k, v in m.items() if not k.startswith("__")}',
      '    elif p.suffix == ".csv": c = np.genfromtxt(p, delimiter=",", names=True); out[rel] = [len(c.dtype.names), int(c.size)]',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, folder], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as Record<string, unknown>;
    const alpha = await stored(
      'alpha',
      (await h.call('runs.results', { runId })).find((r) => r.kind === 'alpha')!.sessionId!,
    );
    expect(seen['inf_params/alp/0_session_1.npy']).toEqual([
      'float32',
      [600, 3],
      expect.closeTo(
        alpha.values.reduce((a, b) => a + b, 0),
        2,
      ),
    ]);
    expect(seen['inf_params/alp/0_session_1.mat']).toEqual({ alp: [600, 3] });
    expect(seen['inf_params/alp/0_session_1.csv']).toEqual([3, 600]);
    expect(seen['inf_params/covs.npy']).toEqual(['float32', [3, 4, 4], expect.any(Number)]);
    expect(seen['inf_params/inf_params.mat']).toEqual({ means: [3, 4], covs: [3, 4, 4] });
    expect(seen['summary_stats/fo.npy']).toEqual(['float64', [2, 3], expect.any(Number)]);
    expect(seen['summary_stats/summary_stats.mat']).toEqual({
      fo: [2, 3],
      lt: [2, 3],
      intv: [2, 3],
      sr: [2, 3],
    });
    const f = (seen['spectra/f.npy'] as [string, number[]])[1][0]!;
    expect(seen['spectra/psd.npy']).toEqual(['float64', [2, 3, 4, f], expect.any(Number)]);
    expect(seen['spectra/spectra.mat']).toEqual({ f: [f, 1], psd: [2, 3, 4, f], coh: [2, 3, 4, 4, f] });
    expect(seen['spectra/psd.csv']).toEqual([f, 2 * 3 * 4]);
  });
});

describe('exports.resultArray', () => {
  it('writes one stored array as npy, mat or csv', async () => {
    const results = await h.call('runs.results', { runId });
    const sessionId = results.find((r) => r.kind === 'theta_mean')!.sessionId!;
    const file = path.join(h.dir, 'arrays', 'theta.npy');
    const written = await h.call('exports.resultArray', {
      runId,
      kind: 'theta_mean',
      sessionId,
      format: 'npy',
      path: file,
    });
    expect(written).toMatchObject({ format: 'npy', dtype: 'float32', shape: [600, 3] });
    expect((await npy(file)).values).toEqual((await stored('theta_mean', sessionId)).values);

    const matFile = path.join(h.dir, 'arrays', 'covs.mat');
    await h.call('exports.resultArray', { runId, kind: 'covariances', format: 'mat', path: matFile });
    const [covs] = await matVariables(matFile);
    expect(covs?.name).toBe('covariances');
    expect(covs?.kind === 'numeric' && covs.dims).toEqual([3, 4, 4]);

    const csvFile = path.join(h.dir, 'arrays', 'alpha.csv');
    await h.call('exports.resultArray', { runId, kind: 'alpha', sessionId, format: 'csv', path: csvFile });
    expect(readFileSync(csvFile, 'utf8').split('\n')[0]).toBe('mode_1,mode_2,mode_3');
  });

  it('refuses an ambiguous, unknown or existing target', async () => {
    const file = path.join(h.dir, 'arrays', 'x.npy');
    const ambiguous = await rpcError(
      h.call('exports.resultArray', { runId, kind: 'alpha', format: 'npy', path: file }),
    );
    expect(ambiguous.code).toBe('INVALID_INPUT');
    expect(ambiguous.message).toContain('name one with sessionId');
    const unknown = await rpcError(
      h.call('exports.resultArray', { runId, kind: 'nope', format: 'npy', path: file }),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('it has: alpha');
    await h.call('exports.resultArray', { runId, kind: 'means', format: 'npy', path: file });
    const exists = await rpcError(
      h.call('exports.resultArray', { runId, kind: 'means', format: 'npy', path: file }),
    );
    expect(exists.code).toBe('ALREADY_EXISTS');
    await h.call('exports.resultArray', {
      runId,
      kind: 'covariances',
      format: 'npy',
      path: file,
      overwrite: true,
    });
    expect((await npy(file)).shape).toEqual([3, 4, 4]);
  });
});

describe('exporting a model without modes', () => {
  it('writes the config, run facts and report of a VRAE run, and says why there are no statistics', async () => {
    const datasetId = (await h.call('datasets.list', {}))[0]!.id;
    const mark = h.events.length;
    const vrae = await h.call('runs.start', { datasetId, modelKind: 'vrae', config: tinyDvaeConfig() });
    expect(await h.finished(vrae.id, mark, 120_000)).toBe('completed');
    const folder = path.join(h.dir, 'out', 'vrae');
    const result = await h.call('exports.run', { runId: vrae.id, folder, formats: ['npy'], report: true });
    expect(result.files.map((f) => f.path)).toEqual([
      'model/config.json',
      'model/run.json',
      'model/README.md',
      'report.html',
    ]);
    expect(result.notes).toEqual([
      'no summary statistics or spectra: this vrae run has no mode time courses (α)',
    ]);
    const config = JSON.parse(readFileSync(path.join(folder, 'model/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config).toEqual((await h.call('runs.get', { runId: vrae.id })).config);
    expect(readFileSync(path.join(folder, 'model/README.md'), 'utf8')).toContain('--model vrae');
  }, 150_000);
});

describe('modescope export', () => {
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      return { code: await runCli(argv), out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('exports through the same service with progress, and train accepts the exported config', async () => {
    await h.call('projects.close', {});
    process.env.MODESCOPE_CONFIG_DIR = path.join(h.dir, 'cli-config');
    const out = path.join(h.dir, 'cli-out');
    const done = await cli(
      'export',
      '--project',
      projectPath,
      '--run',
      String(runId),
      '--out',
      out,
      '--format',
      'npy,mat',
      '--no-spectra',
    );
    expect(done.err).toMatch(/writing .*%/);
    expect(done.code).toBe(0);
    expect(done.out).toContain(`exported run ${runId} to ${out}`);
    expect(existsSync(path.join(out, 'summary_stats/summary_stats.mat'))).toBe(true);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);

    const again = await cli('export', '--project', projectPath, '--run', String(runId), '--out', out);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('not empty');

    const badFormat = await cli(
      'export',
      '--project',
      projectPath,
      '--run',
      String(runId),
      '--out',
      out,
      '--format',
      'xls',
    );
    expect(badFormat.code).not.toBe(0);
    expect(badFormat.err).toContain('--format xls: choose npy, mat or csv');

    const covsFile = path.join(h.dir, 'cli-covs.mat');
    const one = await cli(
      'export',
      '--project',
      projectPath,
      '--run',
      String(runId),
      '--array',
      'covariances',
      '--out',
      covsFile,
    );
    expect(one.code).toBe(0);
    expect(one.out).toBe(`wrote ${covsFile}: float32 [3, 4, 4], ${readFileSync(covsFile).length} B`);
    expect((await matVariables(covsFile)).map((v) => v.name)).toEqual(['covariances']);
    const ambiguous = await cli(
      'export',
      '--project',
      projectPath,
      '--run',
      String(runId),
      '--array',
      'alpha',
      '--out',
      path.join(h.dir, 'a.csv'),
    );
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.err).toContain('name one with sessionId');

    const train = await cli(
      'train',
      '--project',
      projectPath,
      '--dataset',
      'sim',
      '--config',
      path.join(out, 'model/config.json'),
      '--set',
      'n_epochs=1',
      '--set',
      'n_kl_annealing_epochs=1',
      '--json',
    );
    expect(train.code).toBe(0);
    const retrained = JSON.parse(train.out) as { status: string; config: Record<string, unknown> };
    expect(retrained.status).toBe('completed');
    const exported = JSON.parse(readFileSync(path.join(out, 'model/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect({
      ...retrained.config,
      n_epochs: exported.n_epochs,
      n_kl_annealing_epochs: exported.n_kl_annealing_epochs,
    }).toEqual(exported);
  }, 120_000);
});
