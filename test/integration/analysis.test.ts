import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseRun, analysisResultKinds } from '../../src-main/services/analysis/runAnalysis';
import { RunRepository } from '../../src-main/store/runRepository';
import {
  buildTrainerBundle,
  createHarness,
  simulatedProject,
  tinyDynemoConfig,
  type Harness,
} from './training-harness';

let entry: string;
let h: Harness;
let datasetId: number;
let runId: number;

beforeAll(async () => {
  entry = await buildTrainerBundle();
  h = createHarness(entry);
  datasetId = await simulatedProject(h, 1200);
  const mark = h.events.length;
  const run = await h.call('runs.start', {
    datasetId,
    modelKind: 'dynemo',
    config: tinyDynemoConfig({ n_epochs: 3 }),
  });
  runId = run.id;
  expect(await h.finished(runId, mark)).toBe('completed');
}, 120_000);

afterAll(() => {
  h?.dispose();
  if (entry) rmSync(entry, { force: true });
});

describe('analyseRun on a trained DyNeMo run', () => {
  it('computes summary statistics per session and mode spectra, then caches them as results', async () => {
    const store = h.services.projects.require();
    const fractions: number[] = [];
    const first = await analyseRun(store, runId, { spectra: true, onProgress: (f) => fractions.push(f) });
    expect(first.runId).toBe(runId);
    expect(first.nModes).toBe(3);
    expect(first.sessions).toHaveLength(2);
    for (const s of first.sessions) {
      expect(s.sessionName.length).toBeGreaterThan(0);
      expect(s.fractionalOccupancy).toHaveLength(3);
      // GMM states may overlap, but every fraction is a fraction and some mode is on.
      for (const fo of s.fractionalOccupancy) expect(fo).toBeGreaterThanOrEqual(0);
      for (const fo of s.fractionalOccupancy) expect(fo).toBeLessThanOrEqual(1);
      expect(s.fractionalOccupancy.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.3);
      for (const lt of s.meanLifetimeS) expect(lt).toBeGreaterThanOrEqual(0);
      for (const r of s.switchingRateHz) expect(Number.isFinite(r)).toBe(true);
    }
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);

    const spectra = first.spectra!;
    expect(spectra).not.toBeNull();
    const F = spectra.frequencies.length;
    expect(F).toBeGreaterThan(2);
    expect(spectra.psd.shape).toEqual([2, 3, 4, F]);
    expect(spectra.psd.data.length).toBe(2 * 3 * 4 * F);
    expect(spectra.coh!.shape).toEqual([2, 3, 4, 4, F]);
    expect(spectra.channelNames).toHaveLength(4);
    expect(spectra.frequencies[0]).toBeGreaterThanOrEqual(0.5);
    expect(spectra.frequencies[F - 1]).toBeLessThanOrEqual(45);
    expect(spectra.psd.data.every((v) => Number.isFinite(v))).toBe(true);

    const runs = new RunRepository(store);
    const kinds = (k: string) => runs.results(runId, { kind: k }).length;
    expect(kinds(analysisResultKinds.reweighted)).toBe(2);
    expect(kinds(analysisResultKinds.binarised)).toBe(2);
    expect(kinds(analysisResultKinds.summary)).toBe(2);
    expect(kinds(analysisResultKinds.spectraPsd)).toBe(1);

    const again = await analyseRun(store, runId, { spectra: true });
    expect(again.sessions).toEqual(first.sessions);
    expect(Array.from(again.spectra!.psd.data)).toEqual(Array.from(spectra.psd.data));
    expect(again.spectra!.psd.shape).toEqual(spectra.psd.shape);
    // Nothing new was written: the second call read the cache.
    expect(kinds(analysisResultKinds.summary)).toBe(2);
    expect(kinds(analysisResultKinds.spectraPsd)).toBe(1);
  });

  it('answers a run without α with a clear error', async () => {
    const store = h.services.projects.require();
    const run = new RunRepository(store).create({ datasetId, modelKind: 'dynemo', config: {}, seed: 1 });
    await expect(analyseRun(store, run.id)).rejects.toThrow(/has no α time course/);
    await expect(analyseRun(store, 99_999)).rejects.toThrow(/run 99999 does not exist/);
  });
});
