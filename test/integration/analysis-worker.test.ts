import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleNodeEntry } from '../helpers/nodeEntryBundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelName, RequestOf, ResponseOf } from '../../src-shared/rpc/contract';
import { RpcError } from '../../src-shared/rpc/errors';
import { AnalysisInputError } from '../../src-main/analysis';
import { readArray } from '../../src-main/store/arrayStore';
import { DatasetRepository } from '../../src-main/store/datasetRepository';
import { RunRepository } from '../../src-main/store/runRepository';
import { createServices, type Services } from '../../src-main/services/createServices';
import {
  analysisWorkerEntry,
  createAnalysisCompute,
  inProcessAnalysisCompute,
  workerAnalysisCompute,
} from '../../src-main/services/analysis/analysisCompute';
import { analyseRun, analysisResultKinds } from '../../src-main/services/analysis/runAnalysis';

/**
 * The analysis worker thread (issue #6): it must give exactly the in-process numbers, keep the
 * calling thread's event loop free, and a cancel must stop it and store nothing.
 */

const K = 3;
const C = 4;

let workerEntry: string;
let dir: string;
let services: Services;
let datasetId: number;
let nSamples: number;

async function call<Ch extends ChannelName>(channel: Ch, input: RequestOf<Ch>): Promise<ResponseOf<Ch>> {
  const reply = await services.dispatch(channel, input);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.message}`);
  return reply.result as ResponseOf<Ch>;
}

/** Seeded, smooth α (a softmax of slowly drifting logits), so the mixture has states to find. */
function syntheticAlpha(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const random = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const logits = new Float64Array(K);
  const alpha = new Float32Array(n * K);
  for (let t = 0; t < n; t++) {
    if (t % 50 === 0) logits[Math.floor(random() * K)] = 4 * random();
    let sum = 0;
    for (let k = 0; k < K; k++) {
      logits[k] = 0.995 * logits[k]! + 0.05 * (random() - 0.5);
      sum += Math.exp(logits[k]!);
    }
    for (let k = 0; k < K; k++) alpha[t * K + k] = Math.exp(logits[k]!) / sum;
  }
  return alpha;
}

function syntheticData(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const data = new Float64Array(n * C);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5 + Math.sin(i / 7);
  }
  return data;
}

/** A run holding synthetic α and covariances, as a trained DyNeMo run would. */
function runWithAlpha(seed: number): number {
  const store = services.projects.require();
  const runs = new RunRepository(store);
  const run = runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed });
  const sessions = new DatasetRepository(store).sessions(datasetId);
  sessions.forEach((session, i) => {
    runs.saveResult(run.id, {
      kind: 'alpha',
      sessionId: session.id,
      array: { dtype: 'float32', shape: [nSamples, K], data: syntheticAlpha(nSamples, 11 + i) },
    });
  });
  const covariances = new Float64Array(K * C * C);
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) covariances[k * C * C + c * C + c] = 1 + k;
  runs.saveResult(run.id, {
    kind: 'covariances',
    array: { dtype: 'float64', shape: [K, C, C], data: covariances },
  });
  return run.id;
}

function maxTimerGapDuring<T>(work: Promise<T>): Promise<{ result: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 5);
  return work.then(
    (result) => {
      clearInterval(timer);
      return { result, maxGapMs };
    },
    (error: unknown) => {
      clearInterval(timer);
      throw error;
    },
  );
}

beforeAll(async () => {
  workerEntry = await bundleNodeEntry('src-main/services/analysis/analysisWorker.ts');
  dir = mkdtempSync(path.join(tmpdir(), 'modescope-analysis-worker-'));
  services = createServices({ transport: 'in-process', configDir: path.join(dir, 'config') });
  await call('projects.create', { path: path.join(dir, 'p.modescope'), name: 'analysis worker' });
  nSamples = 6000;
  const dataset = await call('datasets.simulate', {
    name: 'sim',
    spec: { kind: 'HMM_MVN', n_samples: nSamples, n_channels: C, n_states: K, n_sessions: 2, seed: 5 },
  });
  datasetId = dataset.id;
}, 60_000);

afterAll(() => {
  delete process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
  services?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (workerEntry) rmSync(workerEntry, { force: true });
});

describe('where the analysis computes', () => {
  it('uses the worker named by MODESCOPE_ANALYSIS_WORKER_ENTRY, else in-process from the sources', () => {
    expect(analysisWorkerEntry({})).toBeNull();
    expect(analysisWorkerEntry({ MODESCOPE_ANALYSIS_WORKER_ENTRY: workerEntry })).toBe(workerEntry);
    const saved = process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
    process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY = workerEntry;
    const compute = createAnalysisCompute();
    expect(compute.where).toBe('worker');
    compute.dispose();
    if (saved === undefined) delete process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
    expect(createAnalysisCompute().where).toBe(saved ? 'worker' : 'in-process');
  });
});

describe('the analysis worker', () => {
  it('returns the in-process states and spectra, bit for bit, and keeps the event loop free', async () => {
    const alpha = syntheticAlpha(40_000, 3);
    const covariances = new Float64Array(K * C * C).fill(0.5);
    const local = inProcessAnalysisCompute();
    const expected = await local.sessionStates({
      alpha: alpha.slice(),
      nModes: K,
      covariances,
      samplingRate: 250,
      sessionName: 's',
    });
    const worker = workerAnalysisCompute(workerEntry);
    try {
      const modes: number[] = [];
      const { result, maxGapMs } = await maxTimerGapDuring(
        worker.sessionStates(
          { alpha: alpha.slice(), nModes: K, covariances, samplingRate: 250, sessionName: 's' },
          (done) => modes.push(done),
        ),
      );
      expect(modes).toEqual([1, 2, 3]);
      expect(Array.from(result.binarised)).toEqual(Array.from(expected.binarised));
      expect(Array.from(result.reweighted!)).toEqual(Array.from(expected.reweighted!));
      expect(result.summary).toEqual(expected.summary);
      expect(result.thresholds).toEqual(expected.thresholds);
      expect(result.nValidSamples).toBe(40_000);
      // The covariances are shared between sessions: still usable after the call.
      expect(covariances.length).toBe(K * C * C);
      // In-process, one mode's mixture on 40k samples holds the loop for far longer.
      expect(maxGapMs).toBeLessThan(250);

      const data = syntheticData(4000, 9);
      const a = Float64Array.from(syntheticAlpha(4000, 4));
      const options = {
        samplingRate: 250,
        windowLength: 500,
        stepSize: 20,
        frequencyRange: [0.5, 45] as const,
        coherence: true,
      };
      const want = await local.spectra(data.slice(), C, a.slice(), K, options);
      const got = await worker.spectra(data.slice(), C, a.slice(), K, options);
      expect(Array.from(got.frequencies)).toEqual(Array.from(want.frequencies));
      expect(Array.from(got.psd)).toEqual(Array.from(want.psd));
      expect(Array.from(got.coherence!)).toEqual(Array.from(want.coherence!));
    } finally {
      worker.dispose();
    }
  }, 120_000);

  it('rebuilds an analysis input error thrown in the worker', async () => {
    const worker = workerAnalysisCompute(workerEntry);
    try {
      const error = await worker
        .spectra(syntheticData(1000, 1), C, Float64Array.from(syntheticAlpha(900, 1)), K, {
          samplingRate: 250,
          windowLength: 100,
          stepSize: 10,
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AnalysisInputError);
      expect((error as AnalysisInputError).argument).toBe('alpha');
      expect((error as Error).message).toBe('alpha: has 900 samples but data has 1000');
    } finally {
      worker.dispose();
    }
  }, 60_000);

  it('is terminated by an abort: the pending task is cancelled at once', async () => {
    const controller = new AbortController();
    const worker = workerAnalysisCompute(workerEntry, controller.signal);
    const started = performance.now();
    const pending = worker.sessionStates({
      alpha: syntheticAlpha(400_000, 2),
      nModes: K,
      covariances: null,
      samplingRate: 250,
      sessionName: 'long',
    });
    setTimeout(() => controller.abort(), 200);
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('CANCELLED');
    // 400k samples take many seconds per mode; the cancel does not wait for a mode to finish.
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(
      worker.sessionStates({
        alpha: syntheticAlpha(10, 2),
        nModes: K,
        covariances: null,
        samplingRate: 250,
        sessionName: 'x',
      }),
    ).rejects.toThrow('analysis cancelled');
    worker.dispose();
  }, 60_000);
});

describe('analyseRun through the worker', () => {
  it('stores exactly what the in-process analysis stores', async () => {
    const store = services.projects.require();
    const viaWorker = runWithAlpha(1);
    const inProcess = runWithAlpha(2);
    process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY = workerEntry;
    const fractions: number[] = [];
    const a = await analyseRun(store, viaWorker, { spectra: true, onProgress: (f) => fractions.push(f) });
    delete process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
    const b = await analyseRun(store, inProcess, { spectra: true });
    expect(a.sessions.map((s) => s.fractionalOccupancy)).toEqual(
      b.sessions.map((s) => s.fractionalOccupancy),
    );
    expect(a.sessions.map((s) => s.switchingRateHz)).toEqual(b.sessions.map((s) => s.switchingRateHz));
    expect(a.sessions.map((s) => s.meanLifetimeS)).toEqual(b.sessions.map((s) => s.meanLifetimeS));
    expect(a.spectra!.psd.shape).toEqual(b.spectra!.psd.shape);
    expect(Array.from(a.spectra!.psd.data)).toEqual(Array.from(b.spectra!.psd.data));
    expect(Array.from(a.spectra!.coh!.data)).toEqual(Array.from(b.spectra!.coh!.data));
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
    const runs = new RunRepository(store);
    const binarised = (runId: number) =>
      runs
        .results(runId, { kind: analysisResultKinds.binarised })
        .map((r) => Array.from(readArray(store, r.arrayId!)));
    expect(binarised(viaWorker)).toHaveLength(2);
    expect(binarised(viaWorker)).toEqual(binarised(inProcess));
  }, 120_000);

  it('stores nothing when cancelled while the worker computes', async () => {
    const store = services.projects.require();
    const runId = runWithAlpha(3);
    process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY = workerEntry;
    const controller = new AbortController();
    const pending = analyseRun(store, runId, {
      spectra: true,
      signal: controller.signal,
      // The first mode of the first session is done: the worker is mid-analysis.
      onProgress: (f) => {
        if (f > 0) controller.abort();
      },
    });
    delete process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    const runs = new RunRepository(store);
    for (const kind of Object.values(analysisResultKinds))
      expect(runs.results(runId, { kind })).toHaveLength(0);
  }, 60_000);
});
