import { rmSync } from 'node:fs';
import path from 'node:path';
import { bundleNodeEntry } from '../helpers/nodeEntryBundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { RpcError } from '../../src-shared/rpc/errors';
import { buildTrainerBundle, createHarness, type Harness } from './training-harness';
import { importGapDataset, tinyDvaeConfig } from './gaps-helpers';

let trainer: string;
let worker: string;
let h: Harness;
let runId: number;
let datasetId: number;

beforeAll(async () => {
  [trainer, worker] = await Promise.all([
    buildTrainerBundle(),
    bundleNodeEntry('src-main/services/gaps/gapWorker.ts'),
  ]);
  h = createHarness(trainer);
  await h.call('projects.create', { path: path.join(h.dir, 'p.modescope'), name: 'gaps worker' });
  const ds = await importGapDataset(h, 'train', [
    {
      nSamples: 1500,
      gaps: [
        [100, 120],
        [700, 712],
        [1300, 1310],
      ],
    },
  ]);
  datasetId = ds.id;
  const mark = h.events.length;
  const run = await h.call('runs.start', {
    datasetId,
    modelKind: 'vrae',
    config: tinyDvaeConfig({ n_epochs: 1 }),
  });
  runId = run.id;
  expect(await h.finished(runId, mark, 120_000)).toBe('completed');
}, 180_000);

afterAll(() => {
  delete process.env.MODESCOPE_GAP_WORKER_ENTRY;
  h?.dispose();
  for (const f of [trainer, worker]) if (f) rmSync(f, { force: true });
});

function stagesOf(jobId: string, from: number): string[] {
  return h.events
    .slice(from)
    .filter((e) => e.event === 'job.progress' && (e.payload as { jobId: string }).jobId === jobId)
    .map((e) => (e.payload as { stage: string }).stage);
}

async function imputed(sessionId: number) {
  return Promise.all(
    ['imputed', 'imputation_std'].map(async (kind) =>
      Array.from(decodeArray((await h.call('runs.resultArray', { runId, kind, sessionId })).array)),
    ),
  );
}

describe('gaps.impute in a worker thread', () => {
  it('gives the same imputation as the in-process path, with progress from the thread', async () => {
    const request = { runId, iterations: 2, samples: 3, seed: 4 };
    delete process.env.MODESCOPE_GAP_WORKER_ENTRY;
    const localMark = h.events.length;
    const local = await h.call('gaps.impute', { ...request, jobId: 'impute-local' });
    expect(stagesOf('impute-local', localMark)).toContain('imputing in this process');
    const sid = local.sessions[0]!.sessionId;
    const [x1, s1] = await imputed(sid);

    process.env.MODESCOPE_GAP_WORKER_ENTRY = worker;
    const mark = h.events.length;
    const threaded = await h.call('gaps.impute', { ...request, jobId: 'impute-worker' });
    expect(threaded).toEqual(local);
    const [x2, s2] = await imputed(sid);
    expect(x2).toEqual(x1);
    expect(s2).toEqual(s1);
    expect(stagesOf('impute-worker', mark)).toContain('imputing in a worker thread');
    expect(stagesOf('impute-worker', mark)).toContain('imputing session 1 of 1');
  }, 120_000);

  it('runs the autoregressive imputer in the thread with the same values as in this process', async () => {
    const request = {
      runId,
      imputer: 'autoregressive' as const,
      autoregressiveOrder: 3,
      samples: 4,
      seed: 2,
    };
    delete process.env.MODESCOPE_GAP_WORKER_ENTRY;
    const local = await h.call('gaps.impute', { ...request, jobId: 'impute-ar-local' });
    const sid = local.sessions[0]!.sessionId;
    const [x1, s1] = await imputed(sid);

    process.env.MODESCOPE_GAP_WORKER_ENTRY = worker;
    const mark = h.events.length;
    const threaded = await h.call('gaps.impute', { ...request, jobId: 'impute-ar-worker' });
    expect(threaded).toEqual(local);
    const [x2, s2] = await imputed(sid);
    expect(x2).toEqual(x1);
    expect(s2).toEqual(s1);
    expect(s2!.some((v) => v > 0)).toBe(true);
    expect(stagesOf('impute-ar-worker', mark)).toContain(
      'imputing with an autoregressive model of order 3 in a worker thread',
    );

    const short = await importGapDataset(h, 'ar-short', [{ nSamples: 200, gaps: [[50, 60]] }]);
    const error = await h
      .call('gaps.impute', { ...request, datasetId: short.id, autoregressiveOrder: 40 })
      .catch((e: unknown) => e);
    expect((error as RpcError).code).toBe('INVALID_INPUT');
    expect((error as RpcError).message).toMatch(
      /^session \d+: an autoregressive model of order 40 on 3 channels .* needs at least 240 samples with every channel observed; there are 190\. Lower the order\.$/,
    );
  }, 120_000);

  it('calibrates and runs the stacked imputer in the thread with the same values as in this process', async () => {
    const request = { runId, imputer: 'stacked' as const, autoregressiveOrder: 3, samples: 4, seed: 2 };
    delete process.env.MODESCOPE_GAP_WORKER_ENTRY;
    const local = await h.call('gaps.impute', { ...request, jobId: 'impute-stacked-local' });
    const sid = local.sessions[0]!.sessionId;
    const [x1, s1] = await imputed(sid);
    const localCurves = (await h.call('gaps.results', { runId })).sessions[0]!.stackingCurves;

    process.env.MODESCOPE_GAP_WORKER_ENTRY = worker;
    const mark = h.events.length;
    const threaded = await h.call('gaps.impute', { ...request, jobId: 'impute-stacked-worker' });
    expect(threaded).toEqual(local);
    const [x2, s2] = await imputed(sid);
    expect(x2).toEqual(x1);
    expect(s2).toEqual(s1);
    expect((await h.call('gaps.results', { runId })).sessions[0]!.stackingCurves).toEqual(localCurves);
    expect(localCurves!.gap.values).toBeGreaterThan(0);
    // (Progress is throttled: the calibration's stages may not all get through.)
    expect(stagesOf('impute-stacked-worker', mark)).toContain(
      'imputing with the stacked GP + autoregressive imputer (order 3) in a worker thread',
    );
  }, 120_000);

  it('scores the model in the thread with the same table as in this process', async () => {
    const held = await importGapDataset(h, 'held', [{ nSamples: 1500, gaps: [] }]);
    const settings = {
      runId,
      datasetId: held.id,
      sessionIds: [held.sessions[0]!.id],
      gapLengthsMs: [100, 200] as [number, number],
      nGaps: 4,
      singleChannelDropouts: 2,
      seed: 3,
      iterations: 2,
    };
    delete process.env.MODESCOPE_GAP_WORKER_ENTRY;
    const local = await h.call('gaps.evaluate', settings);
    process.env.MODESCOPE_GAP_WORKER_ENTRY = worker;
    const threaded = await h.call('gaps.evaluate', settings);
    expect(threaded.table).toEqual(local.table);
    expect(threaded.stackingCurves).toEqual(local.stackingCurves);
    expect(threaded.table.methods).toContain('stacked');
    expect(Number.isFinite(threaded.table.rows[0]!.methods.model!.rmse)).toBe(true);
  }, 120_000);

  it('passes bad input from the thread on as a clear error, and a cancel terminates it', async () => {
    process.env.MODESCOPE_GAP_WORKER_ENTRY = worker;
    const long = await importGapDataset(h, 'long', [{ nSamples: 600, gaps: [[100, 140]] }]);
    const error = await h.call('gaps.impute', { runId, datasetId: long.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('INVALID_INPUT');
    expect((error as RpcError).message).toMatch(/gap of 40 samples ending at sample 140 is longer than half/);

    const pending = h.call('gaps.impute', {
      runId,
      samples: 50,
      iterations: 20,
      jobId: 'impute-worker-cancel',
    });
    await h.waitForEvent(
      (e, p) => e === 'job.progress' && (p as { jobId: string }).jobId === 'impute-worker-cancel',
    );
    expect(h.services.jobs.cancel('impute-worker-cancel')).toBe(true);
    const cancelled = await pending.catch((e: unknown) => e);
    expect((cancelled as RpcError).code).toBe('CANCELLED');
  }, 120_000);
});
