import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryFile } from '../../src-main/data/readers/binaryFile';
import { readMatV5 } from '../../src-main/data/readers/matV5';
import { readNpyHeader } from '../../src-main/data/readers/npyReader';
import { inMemoryArray } from '../../src-main/export/exportArray';
import { planRunLayout, sessionFileStem, writeRunLayout } from '../../src-main/export/oslLayout';
import type { ExportAnalysis, RunExportContent } from '../../src-main/export/runExportContent';
import { buildRunReport } from '../../src-main/export/runReport';
import { heatmap } from '../../src-main/export/svgCharts';

const dir = mkdtempSync(path.join(tmpdir(), 'modescope-export-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const K = 3;
const C = 2;
const F = 5;
const T = [40, 25];

function alpha(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * K);
  for (let t = 0; t < n; t++) {
    const w = [1 + Math.sin(t * 0.3 + seed), 1 + Math.cos(t * 0.2), 0.5];
    const s = w[0]! + w[1]! + w[2]!;
    for (let k = 0; k < K; k++) out[t * K + k] = w[k]! / s;
  }
  return out;
}

const analysis: ExportAnalysis = {
  runId: 9,
  nModes: K,
  sessions: [
    {
      sessionId: 11,
      sessionName: 'S001R01.edf',
      fractionalOccupancy: [0.5, 0.3, 0.2],
      meanLifetimeS: [0.1, 0.2, 0.3],
      meanIntervalS: [1, 2, 3],
      switchingRateHz: [4, 5, 6],
    },
    {
      sessionId: 12,
      sessionName: 'rest / eyes closed',
      fractionalOccupancy: [0.2, 0.2, 0.6],
      meanLifetimeS: [0.4, 0.5, 0.6],
      meanIntervalS: [7, 8, 9],
      switchingRateHz: [1, 2, 3],
    },
  ],
  spectra: {
    frequencies: Float64Array.from({ length: F }, (_, i) => i * 2.5),
    channelNames: ['a', 'b'],
    psd: { shape: [2, K, C, F], data: Float64Array.from({ length: 2 * K * C * F }, (_, i) => i / 10) },
    coh: {
      shape: [2, K, C, C, F],
      data: Float64Array.from({ length: 2 * K * C * C * F }, (_, i) => i / 100),
    },
  },
};

const covariances = Float64Array.from({ length: K * C * C }, (_, i) => (i % 3) - 1 + i / 7);

function content(withAnalysis: ExportAnalysis | null = analysis): RunExportContent {
  return {
    run: {
      id: 9,
      name: 'hand-made',
      modelKind: 'dynemo',
      status: 'completed',
      seed: 3,
      backend: 'cpu/typescript',
      createdAt: '2026-11-23T10:00:00.000Z',
      finishedAt: '2026-11-23T10:01:00.000Z',
      freeEnergy: -123.5,
      config: { model_name: 'DyNeMo', n_modes: K, n_channels: C, initial_means: null, note: '<script>' },
    },
    dataset: { id: 2, name: 'sim', preparationId: null, samplingRate: 250, channelNames: ['a', 'b'] },
    sessions: [
      { sessionId: 11, name: 'S001R01.edf', alpha: inMemoryArray(alpha(T[0]!, 0), [T[0]!, K]), others: [] },
      {
        sessionId: 12,
        name: 'rest / eyes closed',
        alpha: inMemoryArray(alpha(T[1]!, 1), [T[1]!, K]),
        others: [
          { kind: 'imputed', array: inMemoryArray(new Float32Array(T[1]! * C).fill(0.5), [T[1]!, C]) },
        ],
      },
    ],
    means: inMemoryArray(new Float64Array(K * C), [K, C]),
    covariances: inMemoryArray(covariances, [K, C, C]),
    epochs: [0, 1, 2].map((i) => ({ index: i, label: `epoch ${i + 1}`, loss: 10 - i, nll: 9 - i, kl: 1 })),
    analysis: withAnalysis,
  };
}

async function npyShape(file: string): Promise<number[]> {
  const bf = await BinaryFile.open(file, 'npy');
  try {
    return (await readNpyHeader(bf)).shape;
  } finally {
    await bf.close();
  }
}

describe('osl-dynamics layout', () => {
  it('names session files by index and a file-safe session name', () => {
    expect(sessionFileStem(0, 'S001R01.edf')).toBe('0_S001R01');
    expect(sessionFileStem(1, 'rest / eyes closed')).toBe('1_rest_eyes_closed');
    expect(sessionFileStem(2, '../..')).toBe('2_session');
  });

  it('writes npy files with osl-dynamics shapes, the config, run facts and a report', async () => {
    const folder = path.join(dir, 'npy');
    mkdirSync(folder);
    const progress: number[] = [];
    const files = await writeRunLayout(folder, content(), {
      formats: ['npy'],
      report: true,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(files.map((f) => f.path)).toEqual([
      'model/config.json',
      'model/run.json',
      'model/README.md',
      'inf_params/alp/0_S001R01.npy',
      'inf_params/alp/1_rest_eyes_closed.npy',
      'inf_params/imputed/1_rest_eyes_closed.npy',
      'inf_params/means.npy',
      'inf_params/covs.npy',
      'summary_stats/fo.npy',
      'summary_stats/lt.npy',
      'summary_stats/intv.npy',
      'summary_stats/sr.npy',
      'spectra/f.npy',
      'spectra/psd.npy',
      'spectra/coh.npy',
      'report.html',
    ]);
    expect(files.every((f) => f.bytes > 0)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    const at = (p: string) => path.join(folder, p);
    expect(await npyShape(at('inf_params/alp/0_S001R01.npy'))).toEqual([40, K]);
    expect(await npyShape(at('inf_params/covs.npy'))).toEqual([K, C, C]);
    expect(await npyShape(at('summary_stats/fo.npy'))).toEqual([2, K]);
    expect(await npyShape(at('spectra/psd.npy'))).toEqual([2, K, C, F]);
    expect(await npyShape(at('spectra/coh.npy'))).toEqual([2, K, C, C, F]);
    const fo = readFileSync(at('summary_stats/fo.npy'));
    expect([...new Float64Array(fo.buffer.slice(fo.byteOffset + 128, fo.byteOffset + fo.length))]).toEqual([
      0.5, 0.3, 0.2, 0.2, 0.2, 0.6,
    ]);
    expect(JSON.parse(readFileSync(at('model/config.json'), 'utf8'))).toEqual(content().run.config);
    const runJson = JSON.parse(readFileSync(at('model/run.json'), 'utf8')) as Record<string, unknown>;
    expect(runJson).toMatchObject({
      run_id: 9,
      model: 'dynemo',
      free_energy: -123.5,
      engine: 'cpu/typescript',
    });
    expect(readFileSync(at('model/README.md'), 'utf8')).toContain('--config model/config.json');
  });

  it('writes MAT-files with named variables and CSVs beside the npy files when asked', async () => {
    const folder = path.join(dir, 'all');
    mkdirSync(folder);
    const files = await writeRunLayout(folder, content(), { formats: ['mat', 'csv'], report: false });
    const paths = files.map((f) => f.path);
    expect(paths.some((p) => p.endsWith('.npy'))).toBe(false);
    expect(paths).toContain('summary_stats/summary_stats.mat');
    expect(paths).toContain('spectra/psd.csv');
    expect(paths).not.toContain('report.html');
    const bf = await BinaryFile.open(path.join(folder, 'summary_stats/summary_stats.mat'), 'mat');
    try {
      const vars = await readMatV5(bf);
      expect(vars.map((v) => [v.name, v.kind === 'numeric' ? v.dims : null])).toEqual([
        ['fo', [2, K]],
        ['lt', [2, K]],
        ['intv', [2, K]],
        ['sr', [2, K]],
      ]);
    } finally {
      await bf.close();
    }
    const alpCsv = readFileSync(path.join(folder, 'inf_params/alp/1_rest_eyes_closed.csv'), 'utf8').split(
      '\n',
    );
    expect(alpCsv[0]).toBe('mode_1,mode_2,mode_3');
    expect(alpCsv.filter((l) => l !== '')).toHaveLength(T[1]! + 1);
    const psdCsv = readFileSync(path.join(folder, 'spectra/psd.csv'), 'utf8').trimEnd().split('\n');
    expect(psdCsv[0]).toBe('f_0,f_2.5,f_5,f_7.5,f_10');
    expect(psdCsv).toHaveLength(2 * K * C + 1);
  });

  it('leaves out summary statistics and spectra without an analysis, and checks what it is given', () => {
    const paths = planRunLayout(content(null), { formats: ['npy'], report: false }).map((t) => t.path);
    expect(paths.some((p) => p.startsWith('summary_stats/') || p.startsWith('spectra/'))).toBe(false);
    expect(() => planRunLayout(content(), { formats: [], report: false })).toThrow(/at least one format/);
    const broken = { ...analysis, sessions: [{ ...analysis.sessions[0]!, fractionalOccupancy: [1] }] };
    expect(() => planRunLayout(content(broken), { formats: ['npy'], report: false })).toThrow(
      /fractional occupancy of session S001R01.edf has 1 values for 3 modes/,
    );
  });

  it('exports a model without modes: its per-session arrays, no α, no summary statistics', async () => {
    const base = content(null);
    const noModes: RunExportContent = {
      ...base,
      run: { ...base.run, modelKind: 'vrae' },
      sessions: base.sessions.map((s) => ({ ...s, alpha: null })),
      means: null,
      covariances: null,
    };
    const paths = planRunLayout(noModes, { formats: ['npy', 'mat', 'csv'], report: true }).map((t) => t.path);
    expect(paths.filter((p) => p.startsWith('inf_params/'))).toEqual([
      'inf_params/imputed/1_rest_eyes_closed.npy',
      'inf_params/imputed/1_rest_eyes_closed.csv',
      'inf_params/imputed/1_rest_eyes_closed.mat',
    ]);
    const folder = path.join(dir, 'vrae');
    mkdirSync(folder);
    await writeRunLayout(folder, noModes, { formats: ['csv'], report: true });
    expect(
      readFileSync(path.join(folder, 'inf_params/imputed/1_rest_eyes_closed.csv'), 'utf8').split('\n')[0],
    ).toBe('a,b');
    expect(readFileSync(path.join(folder, 'model/README.md'), 'utf8')).toContain('--model vrae');
    expect(readFileSync(path.join(folder, 'report.html'), 'utf8')).toContain('no mode time courses');
  });

  it('builds a self-contained report with inline SVG figures and the config as a table', () => {
    const html = buildRunReport(content());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBe(1 + 1 + K + 1); // loss, α, K heatmaps, FO
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(html).toContain('<th>n_modes</th><td>3</td>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('Loss per epoch');
    expect(html).toContain('first 0.16 s of S001R01.edf');
    // Cells of one colour share a path: an 80-channel matrix stays small.
    const big = heatmap(
      Float64Array.from({ length: 80 * 80 }, (_, i) => Math.sin(i)),
      80,
      'big',
      1,
    );
    expect(big.length).toBeLessThan(200_000);
    expect((big.match(/<path /g) ?? []).length).toBeLessThanOrEqual(65);
    expect((big.match(/h2\.6v2\.6h-2\.6z/g) ?? []).length).toBe(80 * 80);
    const empty = buildRunReport({ ...content(null), covariances: null, epochs: [] });
    expect(empty).toContain('Summary statistics were not computed');
    expect(empty).toContain('No epochs were recorded');
  });
});
