import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import type { RpcError } from '../../src-shared/rpc/errors';
import { writeArray } from '../../src-main/store/arrayStore';
import { DatasetRepository } from '../../src-main/store/datasetRepository';
import { analyseRun, analysisResultKinds } from '../../src-main/services/analysis/runAnalysis';
import { RunRepository } from '../../src-main/store/runRepository';
import {
  completedDynemoRun,
  simulatedTrainingProject,
  tinyDynemoConfig,
  type Harness,
  type SimulatedTrainingProject,
} from './training-harness';

let project: SimulatedTrainingProject | undefined;
let h: Harness;
let datasetId: number;
let runId: number;

beforeAll(async () => {
  project = await simulatedTrainingProject(1200);
  ({ h, datasetId } = project);
  runId = await completedDynemoRun(h, { datasetId, config: tinyDynemoConfig({ n_epochs: 3 }) });
}, 120_000);

afterAll(() => project?.dispose());

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

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    return error as RpcError;
  }
  throw new Error('expected the call to fail');
}

describe('analysis channels through the dispatcher', () => {
  it('cancels a running analysis job', async () => {
    const store = h.services.projects.require();
    const run = new RunRepository(store).create({ datasetId, modelKind: 'dynemo', config: {}, seed: 2 });
    // A copy of the trained run's α, so this run has nothing cached yet.
    const source = new RunRepository(store).results(runId, { kind: 'alpha' });
    for (const r of source) {
      const info = await h.call('runs.resultArray', { runId, kind: 'alpha', sessionId: r.sessionId! });
      new RunRepository(store).saveResult(run.id, {
        kind: 'alpha',
        sessionId: r.sessionId,
        array: { dtype: 'float32', shape: info.array.shape, data: decodeArray(info.array) as Float32Array },
      });
    }
    const pending = h.call('analysis.run', { runId: run.id, spectra: true, jobId: 'cancel-me' });
    expect(await h.call('jobs.cancel', { jobId: 'cancel-me' })).toEqual({ cancelled: true });
    const error = await rejection(pending);
    expect(error.code).toBe('CANCELLED');
    expect(new RunRepository(store).results(run.id, { kind: 'summary_stats' })).toHaveLength(0);
  });

  it('runs the analysis as a job with progress and returns encoded spectra', async () => {
    const mark = h.events.length;
    const summary = await h.call('analysis.run', {
      runId,
      spectra: true,
      coherence: true,
      jobId: 'analyse-1',
    });
    expect(summary.nModes).toBe(3);
    expect(summary.binarisation).toEqual({ method: 'gmm', from: 'reweighted' });
    expect(summary.groundTruth).toBe(true);
    expect(summary.sessions.map((s) => s.nSamples)).toEqual([1200, 1200]);
    expect(summary.sessions[0]!.thresholds).toHaveLength(3);
    expect(summary.covariances!.shape).toEqual([3, 4, 4]);
    expect(summary.channelNames).toHaveLength(4);
    const psd = decodeArray(summary.spectra!.psd);
    const F = summary.spectra!.frequencies.shape[0]!;
    expect(summary.spectra!.psd.shape).toEqual([2, 3, 4, F]);
    expect(psd.length).toBe(2 * 3 * 4 * F);
    expect(summary.spectra!.coh!.shape).toEqual([2, 3, 4, 4, F]);
    expect(summary.spectra!.source).toMatch(/unprepared data/);
    expect(summary.spectraUnavailable).toBeNull();
    const finished = h.events
      .slice(mark)
      .find((e) => e.event === 'job.finished' && (e.payload as { jobId: string }).jobId === 'analyse-1');
    expect(finished?.payload).toMatchObject({ kind: 'analyse', outcome: 'succeeded' });
    const withoutCoherence = await h.call('analysis.run', { runId, spectra: true });
    expect(withoutCoherence.spectra!.coh).toBeNull();
  });

  it('serves decimated windows of raw, reweighted and binarised α', async () => {
    const sessionId = (await h.call('analysis.run', { runId })).sessions[1]!.sessionId;
    const raw = await h.call('analysis.alphaWindow', { runId, sessionId, variant: 'raw', maxPoints: 100 });
    expect(raw.nSamples).toBe(1200);
    expect(raw.step).toBe(12);
    expect(raw.mean.shape).toEqual([100, 3]);
    const mean = decodeArray(raw.mean);
    for (let p = 0; p < 100; p++)
      expect(mean[p * 3]! + mean[p * 3 + 1]! + mean[p * 3 + 2]!).toBeCloseTo(1, 4);
    const lo = decodeArray(raw.min);
    const hi = decodeArray(raw.max);
    for (let i = 0; i < lo.length; i++) expect(lo[i]!).toBeLessThanOrEqual(hi[i]!);

    const full = await h.call('runs.resultArray', { runId, kind: 'alpha', sessionId });
    const alpha = decodeArray(full.array);
    const part = await h.call('analysis.alphaWindow', {
      runId,
      sessionId,
      variant: 'raw',
      startSample: 100,
      endSample: 110,
      maxPoints: 50,
    });
    expect(part.step).toBe(1);
    expect(Array.from(decodeArray(part.mean))).toEqual(Array.from(alpha.subarray(300, 330)));

    const reweighted = await h.call('analysis.alphaWindow', {
      runId,
      sessionId,
      variant: 'reweighted',
      maxPoints: 50,
    });
    const rw = decodeArray(reweighted.mean);
    expect(rw[0]! + rw[1]! + rw[2]!).toBeCloseTo(1, 4);
    const binarised = await h.call('analysis.alphaWindow', {
      runId,
      sessionId,
      variant: 'binarised',
      maxPoints: 5000,
    });
    expect(binarised.step).toBe(1);
    const states = decodeArray(binarised.mean);
    expect(states.every((v) => v === 0 || v === 1)).toBe(true);
    const summary = await h.call('analysis.run', { runId });
    const on = [0, 1, 2].map((k) => states.filter((_, i) => i % 3 === k && states[i] === 1).length / 1200);
    on.forEach((fo, k) => expect(fo).toBeCloseTo(summary.sessions[1]!.fractionalOccupancy[k]!, 10));
  });

  it('matches the modes with the simulation and serves the reordered ground truth', async () => {
    const match = await h.call('analysis.groundTruthMatch', { runId });
    expect(match.truthKind).toBe('HMM_MVN');
    expect([...match.order].sort()).toEqual([0, 1, 2]);
    match.order.forEach((j, k) => expect(match.truthModeOf[j]).toBe(k));
    for (const c of match.correlation) expect(Math.abs(c!)).toBeLessThanOrEqual(1);
    for (const d of match.dice) expect(d).toBeGreaterThanOrEqual(0);
    expect(match.diceOverall).toBeGreaterThan(0);
    expect(match.diceOverall).toBeLessThanOrEqual(1);
    expect(match.nSamples).toBe(2400);
    expect(match.meanCorrelation).toBeCloseTo(match.correlation.reduce((a, b) => a! + b!, 0)! / 3, 10);

    const sessionId = (await h.call('analysis.run', { runId })).sessions[0]!.sessionId;
    const truth = await h.call('analysis.groundTruthMatch', { runId });
    expect(truth).toEqual(match);
    const window = await h.call('analysis.alphaWindow', {
      runId,
      sessionId,
      variant: 'ground_truth',
      maxPoints: 2000,
    });
    const gt = decodeArray(window.mean);
    // An HMM's truth is one state at a time; column j is the truth mode paired with estimated mode j.
    const stored = await h.call('datasets.groundTruth', { datasetId, sessionId });
    const original = decodeArray(stored.alpha);
    for (let t = 0; t < 1200; t += 97) {
      for (let j = 0; j < 3; j++) expect(gt[t * 3 + j]).toBe(original[t * 3 + match.truthModeOf[j]!]);
    }
  });

  it('rejects bad input with specific errors', async () => {
    const store = h.services.projects.require();
    const sessionId = (await h.call('analysis.run', { runId })).sessions[0]!.sessionId;
    expect((await rejection(h.call('analysis.run', { runId: 4242 }))).code).toBe('NOT_FOUND');
    const bare = new RunRepository(store).create({ datasetId, modelKind: 'dynemo', config: {}, seed: 5 });
    const noAlpha = await rejection(h.call('analysis.run', { runId: bare.id }));
    expect(noAlpha.code).toBe('INVALID_INPUT');
    expect(noAlpha.message).toMatch(/no α time course/);
    expect((await rejection(h.call('analysis.groundTruthMatch', { runId: bare.id }))).code).toBe(
      'INVALID_INPUT',
    );
    const badSession = await rejection(
      h.call('analysis.alphaWindow', { runId, sessionId: 9999, variant: 'raw', maxPoints: 10 }),
    );
    expect(badSession.code).toBe('NOT_FOUND');
    expect(badSession.message).toMatch(/no α for session 9999/);
    const past = await rejection(
      h.call('analysis.alphaWindow', { runId, sessionId, variant: 'raw', startSample: 5000, maxPoints: 10 }),
    );
    expect(past.code).toBe('INVALID_INPUT');
    expect(past.message).toMatch(/outside the session's 1200 samples/);
    const reversed = await rejection(
      h.call('analysis.alphaWindow', {
        runId,
        sessionId,
        variant: 'raw',
        startSample: 50,
        endSample: 10,
        maxPoints: 10,
      }),
    );
    expect(reversed.code).toBe('INVALID_INPUT');
    const zeroPoints = await rejection(
      h.call('analysis.alphaWindow', { runId, sessionId, variant: 'raw', maxPoints: 0 }),
    );
    expect(zeroPoints.code).toBe('INVALID_INPUT');
    const badVariant = await rejection(
      h.call('analysis.alphaWindow', { runId, sessionId, variant: 'smoothed' as 'raw', maxPoints: 10 }),
    );
    expect(badVariant.code).toBe('INVALID_INPUT');
    expect((await rejection(h.call('analysis.run', { runId: -1 }))).code).toBe('INVALID_INPUT');
  });

  it('refuses a ground-truth match for a dataset that is not a simulation', async () => {
    const store = h.services.projects.require();
    const datasets = new DatasetRepository(store);
    const recorded = datasets.create({
      name: 'recorded',
      format: 'npy',
      samplingRateHz: 100,
      channels: [
        { name: 'a', type: 'eeg' },
        { name: 'b', type: 'eeg' },
      ],
    });
    const n = 400;
    const data = new Float32Array(n * 2).map((_, i) => Math.sin(i / 7) + (i % 5) / 10);
    const dataArrayId = writeArray(store, { dtype: 'float32', shape: [n, 2], data });
    const session = datasets.addSession(recorded.id, { sourcePath: '/x/rec.npy', nSamples: n, dataArrayId });
    const runs = new RunRepository(store);
    const run = runs.create({ datasetId: recorded.id, modelKind: 'dynemo', config: {}, seed: 1 });
    const alpha = new Float32Array(n * 2).map((_, i) => (i % 2 === 0 ? 0.5 + 0.4 * Math.sin(i / 40) : 0));
    for (let t = 0; t < n; t++) alpha[t * 2 + 1] = 1 - alpha[t * 2]!;
    runs.saveResult(run.id, {
      kind: 'alpha',
      sessionId: session.id,
      array: { dtype: 'float32', shape: [n, 2], data: alpha },
    });
    const error = await rejection(h.call('analysis.groundTruthMatch', { runId: run.id }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/"recorded", which is not a simulation/);
    // Without covariances: no reweighting, the mixture is fitted to raw α, and the window says so.
    const summary = await h.call('analysis.run', { runId: run.id, spectra: true });
    expect(summary.binarisation.from).toBe('raw');
    expect(summary.covariances).toBeNull();
    expect(summary.groundTruth).toBe(false);
    expect(summary.sessions[0]!.sessionName).toBe('rec.npy');
    expect(summary.spectra!.psd.shape.slice(0, 3)).toEqual([1, 2, 2]);
    const noCovariances = await rejection(
      h.call('analysis.alphaWindow', {
        runId: run.id,
        sessionId: session.id,
        variant: 'reweighted',
        maxPoints: 10,
      }),
    );
    expect(noCovariances.code).toBe('INVALID_INPUT');
    expect(noCovariances.message).toMatch(/no mode covariances/);
  });
});

describe('a run on time-delay-embedded data', () => {
  it('regresses spectra on the unprepared channels and aligns the ground truth past the trimmed edge', async () => {
    const prep = await h.call('datasets.prepare', {
      datasetId,
      pipeline: { steps: [{ name: 'tde_pca', params: { n_embeddings: 5, n_pca_components: 4 } }] },
    });
    const mark = h.events.length;
    const run = await h.call('runs.start', {
      datasetId,
      preparationId: prep.id,
      modelKind: 'dynemo',
      config: tinyDynemoConfig({ n_epochs: 2 }),
    });
    expect(await h.finished(run.id, mark)).toBe('completed');
    const summary = await h.call('analysis.run', { runId: run.id, spectra: true });
    // tde trims (5 − 1)/2 = 2 samples at each end.
    expect(summary.sessions.map((s) => s.nSamples)).toEqual([1196, 1196]);
    expect(summary.spectra!.source).toMatch(/unprepared channels/);
    const sourceNames = new DatasetRepository(h.services.projects.require())
      .get(datasetId)
      .channels.map((c) => c.name);
    expect(summary.spectra!.channelNames).toEqual(sourceNames);
    // The model's own channels are the principal components, not the source channels.
    expect(summary.channelNames).not.toEqual(sourceNames);
    expect(summary.spectra!.psd.shape.slice(0, 3)).toEqual([2, 3, 4]);
    expect(summary.channelNames).toHaveLength(4);

    const match = await h.call('analysis.groundTruthMatch', { runId: run.id });
    expect(match.nSamples).toBe(2392);
    const sessionId = summary.sessions[0]!.sessionId;
    const window = await h.call('analysis.alphaWindow', {
      runId: run.id,
      sessionId,
      variant: 'ground_truth',
      maxPoints: 5000,
    });
    const gt = decodeArray(window.mean);
    const original = decodeArray((await h.call('datasets.groundTruth', { datasetId, sessionId })).alpha);
    for (const t of [0, 1, 500, 1195]) {
      for (let j = 0; j < 3; j++) expect(gt[t * 3 + j]).toBe(original[(t + 2) * 3 + match.truthModeOf[j]!]);
    }
  });
});
