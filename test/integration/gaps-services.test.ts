import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { imputeRequestSchema } from '../../src-shared/rpc/channels/gaps';
import { RpcError } from '../../src-shared/rpc/errors';
import { autoregressiveImputation } from '../../src-main/imputation/autoregressiveImputation';
import { hiddenSessionsFor } from '../../src-main/imputation/evaluate';
import type { MaskedSession } from '../../src-main/imputation/missingEntries';
import { stackedImputation, type StackingCurves } from '../../src-main/imputation/stackedImputation';
import {
  fitStackingCurves,
  mergeStackingStatistics,
  stackingStatistics,
} from '../../src-main/imputation/stackingCalibration';
import { writeArray } from '../../src-main/store/arrayStore';
import { RunRepository } from '../../src-main/store/runRepository';
import { buildTrainerBundle, createHarness, type Harness } from './training-harness';
import { importGapDataset, sineSession, tinyDvaeConfig } from './gaps-helpers';

let entry: string;
let h: Harness;
let trainSet: { id: number; sessions: { id: number }[] };
let heldOut: { id: number; sessions: { id: number }[] };
let runId: number;

beforeAll(async () => {
  entry = await buildTrainerBundle();
  h = createHarness(entry);
  await h.call('projects.create', { path: path.join(h.dir, 'p.modescope'), name: 'gaps services' });
  trainSet = await importGapDataset(h, 'train', [
    {
      nSamples: 600,
      gaps: [
        [100, 120],
        [400, 410],
      ],
    },
    { nSamples: 500, gaps: [[250, 262]] },
  ]);
  heldOut = await importGapDataset(h, 'heldout', [
    { nSamples: 1500, gaps: [] },
    { nSamples: 1200, gaps: [] },
  ]);
  const mark = h.events.length;
  const run = await h.call('runs.start', {
    datasetId: trainSet.id,
    modelKind: 'vrae',
    config: tinyDvaeConfig({ n_epochs: 3 }),
  });
  runId = run.id;
  expect(await h.finished(runId, mark, 120_000)).toBe('completed');
}, 180_000);

afterAll(() => {
  h?.dispose();
  if (entry) rmSync(entry, { force: true });
});

async function refused(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('the call was accepted');
}

function resultCount(kind: string): number {
  return new RunRepository(h.services.projects.require()).results(runId, { kind }).length;
}

describe('gaps.impute', () => {
  it('imputes the run’s own sessions, keeps observed values, and replaces the earlier set', async () => {
    const reply = await h.call('gaps.impute', { runId, iterations: 2, samples: 4, seed: 3 });
    expect(reply.sessions.map((s) => [s.sessionId, s.nSamples, s.nChannels, s.missingValues])).toEqual([
      [trainSet.sessions[0]!.id, 600, 3, 90],
      [trainSet.sessions[1]!.id, 500, 3, 36],
    ]);
    expect(reply.skippedSessionIds).toEqual([]);
    // The training outputs already held one set; the new one replaced it rather than adding to it.
    expect(resultCount('imputed')).toBe(2);
    expect(resultCount('imputation_std')).toBe(2);
    expect(
      new RunRepository(h.services.projects.require())
        .results(runId, { kind: 'imputation_source' })
        .map((r) => r.value),
    ).toEqual([
      { datasetId: trainSet.id, preparationId: null, samplingRate: 100, imputer: 'model' },
      { datasetId: trainSet.id, preparationId: null, samplingRate: 100, imputer: 'model' },
    ]);

    const sid = trainSet.sessions[0]!.id;
    const truth = sineSession(600, 0, [
      [100, 120],
      [400, 410],
    ]);
    const x = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'imputed', sessionId: sid })).array,
    );
    const sd = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'imputation_std', sessionId: sid })).array,
    );
    for (const t of [0, 99, 120, 399, 410, 599])
      for (let c = 0; c < 3; c++) {
        expect(x[t * 3 + c]).toBeCloseTo(truth[t * 3 + c]!, 6);
        expect(sd[t * 3 + c]).toBe(0);
      }
    for (let t = 100; t < 120; t++)
      for (let c = 0; c < 3; c++) {
        expect(Number.isFinite(x[t * 3 + c])).toBe(true);
        expect(sd[t * 3 + c]).toBeGreaterThan(0);
      }

    const again = await h.call('gaps.impute', { runId, iterations: 2, samples: 4, seed: 3 });
    expect(again.sessions).toHaveLength(2);
    const x2 = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'imputed', sessionId: sid })).array,
    );
    expect(Array.from(x2)).toEqual(Array.from(x));
  }, 60_000);

  it('lists the results and serves windows with gaps, imputed values and bands', async () => {
    const results = await h.call('gaps.results', { runId });
    expect(results.modelKind).toBe('vrae');
    const s0 = results.sessions.find((s) => s.sessionId === trainSet.sessions[0]!.id)!;
    expect(s0).toMatchObject({
      nSamples: 600,
      nChannels: 3,
      samplingRate: 100,
      missingValues: 90,
      imputer: 'model',
    });
    expect(s0.autoregressiveOrder).toBeUndefined();
    expect(s0.hasUncertainty).toBe(true);
    expect(s0.gaps).toEqual([
      { start: 100, end: 120, channel: null },
      { start: 400, end: 410, channel: null },
    ]);

    const w = await h.call('gaps.window', {
      runId,
      sessionId: s0.sessionId,
      startRow: 90,
      endRow: 130,
      channels: [1],
    });
    expect(w.step).toBe(1);
    expect(w.gaps).toEqual([{ start: 100, end: 120, channel: null }]);
    const observed = decodeArray(w.observedMin);
    const imputed = decodeArray(w.imputedMax);
    expect(Array.from(decodeArray(w.observedMax)).map(String)).toEqual(Array.from(observed).map(String));
    const lower = decodeArray(w.lower!);
    const upper = decodeArray(w.upper!);
    expect(observed).toHaveLength(40);
    expect(Number.isNaN(observed[10])).toBe(true);
    expect(Number.isFinite(observed[9])).toBe(true);
    expect(Number.isNaN(imputed[9])).toBe(true);
    expect(lower[15]!).toBeLessThan(imputed[15]!);
    expect(upper[15]!).toBeGreaterThan(imputed[15]!);

    const zoomedOut = await h.call('gaps.window', { runId, sessionId: s0.sessionId, maxPoints: 20 });
    // 600 samples in at most 20 buckets: 30 samples each; the first gap (100..119) lies in buckets 3 and 4.
    expect(zoomedOut.step).toBe(30);
    expect(zoomedOut.observedMin.shape).toEqual([20, 3]);
    const zMin = decodeArray(zoomedOut.observedMin);
    const zMax = decodeArray(zoomedOut.observedMax);
    const iMin = decodeArray(zoomedOut.imputedMin);
    expect(zMin[3 * 3]!).toBeLessThanOrEqual(zMax[3 * 3]!);
    expect(Number.isFinite(iMin[3 * 3])).toBe(true);
    expect(Number.isNaN(iMin[0])).toBe(true);

    const bad = await refused(h.call('gaps.window', { runId, sessionId: s0.sessionId, channels: [3] }));
    expect(bad.message).toMatch(/channel 3 does not exist: the session has 3 channels/);
    const none = await refused(h.call('gaps.window', { runId, sessionId: heldOut.sessions[0]!.id }));
    expect(none.code).toBe('NOT_FOUND');
  });

  it('refuses a dataset without gaps with a clear message and stores nothing', async () => {
    const before = resultCount('imputed');
    const error = await refused(h.call('gaps.impute', { runId, datasetId: heldOut.id }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/have no gaps or missing values: there is nothing to impute/);
    expect(resultCount('imputed')).toBe(before);
  });

  it('refuses gaps longer than the model can bridge, writing nothing for the other sessions', async () => {
    const long = await importGapDataset(h, 'long', [
      { nSamples: 400, gaps: [[50, 60]] },
      { nSamples: 400, gaps: [[100, 140]] },
    ]);
    const before = resultCount('imputed');
    const error = await refused(h.call('gaps.impute', { runId, datasetId: long.id }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(
      /gap of 40 samples .* longer than half the model's sequence length \(50 samples\)/,
    );
    expect(resultCount('imputed')).toBe(before);
    const listed = await h.call('gaps.results', { runId });
    expect(listed.sessions.map((s) => s.sessionId)).not.toContain(long.sessions[0]!.id);
  });

  it('refuses an all-missing session', async () => {
    const set = await importGapDataset(h, 'empty', [{ nSamples: 200, gaps: [[0, 200]] }]);
    const error = await refused(h.call('gaps.impute', { runId, datasetId: set.id }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/every value is missing/);
  });

  it('refuses a gap mask that does not match the data', async () => {
    const set = await importGapDataset(h, 'mismatch', [{ nSamples: 300, gaps: [[20, 30]] }]);
    const store = h.services.projects.require();
    const mask = writeArray(store, { dtype: 'uint8', shape: [250], data: new Uint8Array(250).fill(1) });
    store.db.prepare('UPDATE sessions SET gap_mask_array_id = ? WHERE id = ?').run(mask, set.sessions[0]!.id);
    const error = await refused(h.call('gaps.impute', { runId, datasetId: set.id }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/gap mask has 250 samples but its data has 300; the mask does not match/);
  });

  it('refuses runs that are not VRAE/VOSP, unknown sessions and other channel counts', async () => {
    const store = h.services.projects.require();
    const dynemo = new RunRepository(store).create({
      datasetId: trainSet.id,
      modelKind: 'dynemo',
      config: {},
      seed: 0,
    });
    const untrained = new RunRepository(store).create({
      datasetId: trainSet.id,
      modelKind: 'vrae',
      config: tinyDvaeConfig({ n_channels: 3 }),
      seed: 0,
    });
    const early = await refused(h.call('gaps.impute', { runId: untrained.id }));
    expect(early.message).toMatch(
      /run \d+ is queued and has no trained weights yet; finish \(or resume\) its training first/,
    );
    const kind = await refused(h.call('gaps.impute', { runId: dynemo.id }));
    expect(kind.message).toMatch(/is a dynemo run; imputation and denoising need a VRAE or VOSP run/);
    const unknown = await refused(h.call('gaps.impute', { runId, sessionIds: [99_999] }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toMatch(/has no session 99999/);
    const prepOnly = await refused(h.call('gaps.impute', { runId, preparationId: 3 }));
    expect(prepOnly.message).toMatch(/preparationId needs the datasetId/);
  });

  it('cancels between sessions and keeps the stored set unchanged', async () => {
    const sid = trainSet.sessions[0]!.id;
    const before = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'imputed', sessionId: sid })).array,
    );
    const pending = h.call('gaps.impute', {
      runId,
      iterations: 3,
      samples: 2,
      seed: 99,
      jobId: 'impute-cancel',
    });
    expect(h.services.jobs.cancel('impute-cancel')).toBe(true);
    const error = await refused(pending);
    expect(error.code).toBe('CANCELLED');
    const after = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'imputed', sessionId: sid })).array,
    );
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('gaps.denoise', () => {
  it('stores a denoised signal per session (offline for a VRAE)', async () => {
    const reply = await h.call('gaps.denoise', { runId, datasetId: heldOut.id });
    expect(reply.mode).toBe('offline');
    expect(reply.sessions.map((s) => s.sessionId)).toEqual(heldOut.sessions.map((s) => s.id));
    const d = decodeArray(
      (await h.call('runs.resultArray', { runId, kind: 'denoised', sessionId: heldOut.sessions[1]!.id }))
        .array,
    );
    expect(d).toHaveLength(1200 * 3);
    expect(Array.from(d).every(Number.isFinite)).toBe(true);
  });

  it('serves the denoised signal in the window of an imputed session when asked', async () => {
    const sid = trainSet.sessions[0]!.id;
    await h.call('gaps.denoise', { runId, sessionIds: [sid] });
    expect(
      (await h.call('gaps.results', { runId })).sessions.find((s) => s.sessionId === sid)?.hasDenoised,
    ).toBe(true);
    const plain = await h.call('gaps.window', { runId, sessionId: sid, startRow: 95, endRow: 125 });
    expect(plain.denoisedMin).toBeNull();
    const w = await h.call('gaps.window', {
      runId,
      sessionId: sid,
      startRow: 95,
      endRow: 125,
      denoised: true,
    });
    const stored = decodeArray(
      (
        await h.call('runs.resultArray', {
          runId,
          kind: 'denoised',
          sessionId: sid,
          startRow: 95,
          endRow: 125,
        })
      ).array,
    );
    expect(Array.from(decodeArray(w.denoisedMin!))).toEqual(Array.from(stored));
    expect(Array.from(decodeArray(w.denoisedMax!))).toEqual(Array.from(stored));
  });
});

describe('gaps.evaluate', () => {
  const settings = () => ({
    runId,
    datasetId: heldOut.id,
    sessionIds: heldOut.sessions.map((s) => s.id),
    gapLengthsMs: [100, 200] as [number, number],
    nGaps: 6,
    singleChannelDropouts: 3,
    seed: 1,
    iterations: 2,
  });

  it('scores the model against the baselines on hidden gaps and dropouts, reproducibly, and stores the table', async () => {
    const first = await h.call('gaps.evaluate', settings());
    expect(first.lengthsMs).toEqual([100, 125, 150, 175, 200]);
    expect(first.perLength).toEqual({ gaps: 2, dropouts: 1 });
    expect(first.table.methods).toEqual([
      'model',
      'linear',
      'locf',
      'channel_mean',
      'gp',
      'autoregressive',
      'stacked',
    ]);
    // The stacked imputer's curves are stored with the table: calibrated on the held-out sessions
    // as the imputers saw them (hidden values missing) and on the run's own two sessions.
    const asLoaded = (nSamples: number, k: number, gaps: [number, number][]): MaskedSession => {
      const v = sineSession(nSamples, k, gaps);
      const missing = Uint8Array.from(v, (x) => (Number.isNaN(x) ? 1 : 0));
      return {
        data: Float32Array.from(v, (x) => (Number.isNaN(x) ? 0 : x)),
        nSamples,
        nChannels: 3,
        ...(gaps.length ? { missing } : {}),
      };
    };
    const hidden = hiddenSessionsFor([asLoaded(1500, 0, []), asLoaded(1200, 1, [])], {
      samplingRate: 100,
      gapLengthsMs: first.lengthsMs,
      gapsPerLength: 2,
      dropoutsPerLength: 1,
      marginSamples: 10,
      seed: 1,
    });
    const calibration = [
      ...hidden.map((x) => x.session),
      asLoaded(600, 0, [
        [100, 120],
        [400, 410],
      ]),
      asLoaded(500, 1, [[250, 262]]),
    ];
    const lengths = first.lengthsMs.map((ms) => Math.round((ms / 1000) * 100));
    const statistics = calibration.map((session, i) =>
      stackingStatistics(session, {
        contextSamples: 100,
        order: 8,
        lengths,
        rounds: 4,
        marginSamples: 10,
        seed: 1 + 7919 * i,
      }),
    );
    expect(first.stackingCurves).toEqual(fitStackingCurves(mergeStackingStatistics(statistics)));
    expect(first.stackingCurves!.gap.values).toBeGreaterThan(
      fitStackingCurves(mergeStackingStatistics(statistics.slice(0, 2))).gap.values,
    );
    const pooledGap = first.table.rows.find((r) => r.kind === 'gap' && r.length_ms === null)!;
    // 2 gaps of each of 5 lengths in each of 2 sessions.
    expect(pooledGap.n_stretches).toBe(20);
    expect(pooledGap.n_values).toBe(2 * 2 * (10 + 13 + 15 + 18 + 20) * 3);
    const pooledDropout = first.table.rows.find((r) => r.kind === 'channel_dropout' && r.length_ms === null)!;
    expect(pooledDropout.n_stretches).toBe(10);
    for (const row of first.table.rows)
      for (const m of first.table.methods) {
        expect(Number.isFinite(row.methods[m]!.rmse)).toBe(true);
        expect(row.methods[m]!.mae).toBeLessThanOrEqual(row.methods[m]!.rmse + 1e-12);
      }
    // Near-periodic test signals: the autocovariance GP beats the channel mean by far.
    expect(pooledGap.methods.gp!.rmse).toBeLessThan(0.5 * pooledGap.methods.channel_mean!.rmse);

    const second = await h.call('gaps.evaluate', settings());
    expect(second.table).toEqual(first.table);
    expect(second.id).not.toBe(first.id);
    const listed = await h.call('gaps.results', { runId });
    expect(listed.evaluations.map((e) => e.id)).toEqual([first.id, second.id]);
    expect(listed.evaluations[0]!.table).toEqual(first.table);
  }, 120_000);

  it('refuses gaps longer than half the model’s sequence, and bad bounds', async () => {
    const before = resultCount('gap_evaluation');
    const long = await refused(h.call('gaps.evaluate', { ...settings(), gapLengthsMs: [100, 400] }));
    expect(long.code).toBe('INVALID_INPUT');
    expect(long.message).toMatch(
      /40 samples at 100 Hz, longer than half the model's sequence \(50 samples\)/,
    );
    const order = await refused(h.call('gaps.evaluate', { ...settings(), gapLengthsMs: [200, 100] }));
    expect(order.message).toMatch(/gapLengthsMs must be \[shortest, longest\]/);
    const crowded = await refused(h.call('gaps.evaluate', { ...settings(), nGaps: 200 }));
    expect(crowded.message).toMatch(/cannot place .* hidden stretches/);
    expect(resultCount('gap_evaluation')).toBe(before);
  });
});

describe('gaps.impute with the multichannel autoregressive imputer', () => {
  const trainGaps: [number, number][][] = [
    [
      [100, 120],
      [400, 410],
    ],
    [[250, 262]],
  ];

  /** The session as imported (NaN in the gaps), independently of the services' loading. */
  function maskedTrainSession(k: number, nSamples: number): MaskedSession {
    const values = sineSession(nSamples, k, trainGaps[k]!);
    return {
      data: Float32Array.from(values, (v) => (Number.isNaN(v) ? 0 : v)),
      missing: Uint8Array.from(values, (v) => (Number.isNaN(v) ? 1 : 0)),
      nSamples,
      nChannels: 3,
    };
  }

  async function stored(kind: string, sessionId: number): Promise<number[]> {
    return Array.from(decodeArray((await h.call('runs.resultArray', { runId, kind, sessionId })).array));
  }

  it('keeps the trained model as the default imputer', () => {
    const parsed = imputeRequestSchema.parse({ runId: 1 });
    expect(parsed.imputer).toBe('model');
    expect(parsed.autoregressiveOrder).toBe(8);
    expect(imputeRequestSchema.safeParse({ runId: 1, imputer: 'kalman' }).success).toBe(false);
    expect(imputeRequestSchema.safeParse({ runId: 1, autoregressiveOrder: 65 }).success).toBe(false);
  });

  it('stores autoregressiveImputation’s values and spread per session, changing only missing entries', async () => {
    const mark = h.events.length;
    const reply = await h.call('gaps.impute', {
      runId,
      imputer: 'autoregressive',
      autoregressiveOrder: 4,
      samples: 5,
      seed: 7,
      jobId: 'impute-ar',
    });
    expect(reply.sessions.map((s) => [s.sessionId, s.missingValues])).toEqual([
      [trainSet.sessions[0]!.id, 90],
      [trainSet.sessions[1]!.id, 36],
    ]);
    const stages = h.events
      .slice(mark)
      .filter((e) => e.event === 'job.progress' && (e.payload as { jobId: string }).jobId === 'impute-ar')
      .map((e) => (e.payload as { stage: string }).stage);
    expect(stages).toContain('imputing with an autoregressive model of order 4 in this process');
    // Progress is throttled: the first report and the last (storing, at done = total) get through.
    expect(stages.at(-1)).toBe('storing the imputations');

    for (const [k, nSamples] of [
      [0, 600],
      [1, 500],
    ] as const) {
      const sid = trainSet.sessions[k]!.id;
      const session = maskedTrainSession(k, nSamples);
      const expected = autoregressiveImputation(session, { order: 4, samples: 5, seed: 7 }, `session ${sid}`);
      const x = await stored('imputed', sid);
      const sd = await stored('imputation_std', sid);
      expect(x).toEqual(Array.from(expected.imputed));
      expect(sd).toEqual(Array.from(expected.std!));
      expect(await stored('imputation_mask', sid)).toEqual(Array.from(session.missing!));
      const truth = sineSession(nSamples, k, []);
      let changedObserved = 0;
      let squared = 0;
      let signal = 0;
      for (let i = 0; i < x.length; i++) {
        if (session.missing![i]) {
          expect(sd[i]).toBeGreaterThan(0);
          squared += (x[i]! - truth[i]!) ** 2;
          signal += truth[i]! ** 2;
        } else {
          if (x[i] !== session.data[i]) changedObserved++;
          expect(sd[i]).toBe(0);
        }
      }
      expect(changedObserved).toBe(0);
      // Zero-mean mixed sines: the fitted VAR(4) fills the gaps better than their mean would.
      expect(Math.sqrt(squared / signal)).toBeLessThan(0.7);
    }

    const sources = new RunRepository(h.services.projects.require())
      .results(runId, { kind: 'imputation_source' })
      .map((r) => r.value);
    expect(sources).toEqual([
      {
        datasetId: trainSet.id,
        preparationId: null,
        samplingRate: 100,
        imputer: 'autoregressive',
        autoregressiveOrder: 4,
      },
      {
        datasetId: trainSet.id,
        preparationId: null,
        samplingRate: 100,
        imputer: 'autoregressive',
        autoregressiveOrder: 4,
      },
    ]);
    const listed = await h.call('gaps.results', { runId });
    const s0 = listed.sessions.find((s) => s.sessionId === trainSet.sessions[0]!.id)!;
    expect(s0).toMatchObject({ imputer: 'autoregressive', autoregressiveOrder: 4, hasUncertainty: true });
  });

  it('stores no spread without posterior samples', async () => {
    const sid = trainSet.sessions[1]!.id;
    await h.call('gaps.impute', { runId, sessionIds: [sid], imputer: 'autoregressive', samples: 0 });
    const listed = await h.call('gaps.results', { runId });
    expect(listed.sessions.find((s) => s.sessionId === sid)).toMatchObject({
      imputer: 'autoregressive',
      autoregressiveOrder: 8,
      hasUncertainty: false,
    });
    const expected = autoregressiveImputation(maskedTrainSession(1, 500), { order: 8 });
    expect(await stored('imputed', sid)).toEqual(Array.from(expected.imputed));
  });

  it('refuses an order too high for a session with a clear error, storing nothing for any session', async () => {
    const short = await importGapDataset(h, 'ar-short', [
      { nSamples: 400, gaps: [[50, 60]] },
      { nSamples: 200, gaps: [[50, 60]] },
    ]);
    const before = resultCount('imputed');
    const error = await refused(
      h.call('gaps.impute', {
        runId,
        datasetId: short.id,
        imputer: 'autoregressive',
        autoregressiveOrder: 40,
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      `session ${short.sessions[1]!.id}: an autoregressive model of order 40 on 3 channels has 360 coefficients and needs at least 240 samples with every channel observed; there are 190. Lower the order.`,
    );
    expect(resultCount('imputed')).toBe(before);
    const listed = await h.call('gaps.results', { runId });
    expect(listed.sessions.map((s) => s.sessionId)).not.toContain(short.sessions[0]!.id);
  });

  it('stores the stacked imputer’s fill with the curves calibrated on every selected session', async () => {
    const reply = await h.call('gaps.impute', {
      runId,
      imputer: 'stacked',
      autoregressiveOrder: 4,
      samples: 4,
      seed: 3,
      jobId: 'impute-stacked',
    });
    expect(reply.sessions.map((s) => s.missingValues)).toEqual([90, 36]);
    const sources = new RunRepository(h.services.projects.require())
      .results(runId, { kind: 'imputation_source' })
      .map((r) => r.value as { imputer: string; stackingCurves: StackingCurves });
    expect(sources.map((v) => v.imputer)).toEqual(['stacked', 'stacked']);
    const curves = sources[0]!.stackingCurves;
    expect(sources[1]!.stackingCurves).toEqual(curves);
    // The same curves from the modules directly: both sessions' statistics (seeds as the services give them), pooled.
    const settings = {
      contextSamples: 100,
      order: 4,
      lengths: [10, 20, 30, 40, 50],
      rounds: 4,
      marginSamples: 10,
    };
    const expectedCurves = fitStackingCurves(
      mergeStackingStatistics(
        [0, 1].map((k) =>
          stackingStatistics(maskedTrainSession(k, k === 0 ? 600 : 500), { ...settings, seed: 3 + 7919 * k }),
        ),
      ),
    );
    expect(curves).toEqual(expectedCurves);
    for (const [k, nSamples] of [
      [0, 600],
      [1, 500],
    ] as const) {
      const sid = trainSet.sessions[k]!.id;
      const expected = stackedImputation(maskedTrainSession(k, nSamples), {
        contextSamples: 100,
        order: 4,
        curves,
        samples: 4,
        seed: 3,
      });
      expect(await stored('imputed', sid)).toEqual(Array.from(expected.imputed));
      expect(await stored('imputation_std', sid)).toEqual(Array.from(expected.std!));
    }
    const listed = await h.call('gaps.results', { runId });
    expect(listed.sessions.find((s) => s.sessionId === trainSet.sessions[0]!.id)).toMatchObject({
      imputer: 'stacked',
      autoregressiveOrder: 4,
      stackingCurves: curves,
    });
  });

  it('refuses the stacked imputer where no calibration stretch fits, storing nothing', async () => {
    const tiny = await importGapDataset(h, 'stacked-tiny', [{ nSamples: 60, gaps: [[5, 55]] }]);
    const before = resultCount('imputed');
    const error = await refused(
      h.call('gaps.impute', { runId, datasetId: tiny.id, imputer: 'stacked', autoregressiveOrder: 1 }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/no calibration stretch fits in the observed data/);
    expect(resultCount('imputed')).toBe(before);
  });

  it('cancels and keeps the stored set unchanged', async () => {
    const sid = trainSet.sessions[0]!.id;
    const before = await stored('imputed', sid);
    const pending = h.call('gaps.impute', {
      runId,
      imputer: 'autoregressive',
      autoregressiveOrder: 2,
      jobId: 'impute-ar-cancel',
    });
    expect(h.services.jobs.cancel('impute-ar-cancel')).toBe(true);
    expect((await refused(pending)).code).toBe('CANCELLED');
    expect(await stored('imputed', sid)).toEqual(before);
  });
});
