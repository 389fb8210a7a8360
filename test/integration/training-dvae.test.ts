import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { RpcError } from '../../src-shared/rpc/errors';
import { buildTrainerBundle, createHarness, type Harness } from './training-harness';
import { importGapDataset, tinyDvaeConfig } from './gaps-helpers';

let entry: string;
let h: Harness;
let datasetId: number;
let sessionIds: number[];

beforeAll(async () => {
  entry = await buildTrainerBundle();
  h = createHarness(entry);
  await h.call('projects.create', { path: path.join(h.dir, 'p.modescope'), name: 'dvae training' });
  const ds = await importGapDataset(h, 'gappy', [
    {
      nSamples: 600,
      gaps: [
        [100, 120],
        [400, 410],
      ],
    },
    { nSamples: 500, gaps: [[250, 262]] },
  ]);
  datasetId = ds.id;
  sessionIds = ds.sessions.map((s) => s.id);
}, 60_000);

afterAll(() => {
  h?.dispose();
  if (entry) rmSync(entry, { force: true });
});

async function losses(runId: number) {
  return (await h.call('runs.metrics', { runId })).epochs.map((e) => [e.index, e.loss, e.nll, e.kl, e.lr]);
}

describe('VRAE and VOSP through the training services', () => {
  it('trains a VRAE for 2 epochs on data with gaps and stores weights, ELBO history and imputations', async () => {
    const mark = h.events.length;
    const run = await h.call('runs.start', { datasetId, modelKind: 'vrae', config: tinyDvaeConfig() });
    expect(await h.finished(run.id, mark, 120_000)).toBe('completed');
    const detail = await h.call('runs.get', { runId: run.id });
    expect(detail.modelKind).toBe('vrae');
    expect(detail.epochs).toBe(2);
    expect((detail.config as { n_channels: number }).n_channels).toBe(3);
    expect(Number.isFinite(detail.freeEnergy)).toBe(true);
    const epochs = await losses(run.id);
    expect(epochs.map((e) => e[0])).toEqual([0, 1]);
    const results = await h.call('runs.results', { runId: run.id });
    const kinds = results.map((r) => `${r.kind}:${r.sessionId ?? '-'}`);
    expect(kinds).toContain('weights:-');
    for (const id of sessionIds) {
      expect(kinds).toContain(`imputed:${id}`);
      expect(kinds).toContain(`imputation_mask:${id}`);
      // No posterior draws at the end of training: gaps.impute adds the uncertainty.
      expect(kinds).not.toContain(`imputation_std:${id}`);
    }
    const layout = results.find((r) => r.kind === 'weights_layout')!.value as { length: number }[];
    const weights = results.find((r) => r.kind === 'weights')!;
    expect(weights.shape).toEqual([layout.reduce((a, e) => a + e.length, 0)]);
    const history = results.find((r) => r.kind === 'history')!.value as { loss: number }[];
    expect(history.map((e) => e.loss)).toEqual(epochs.map((e) => e[1]));
    const imputed = await h.call('runs.resultArray', {
      runId: run.id,
      kind: 'imputed',
      sessionId: sessionIds[0]!,
      startRow: 95,
      endRow: 125,
    });
    expect(imputed.array.shape).toEqual([30, 3]);
    const mask = await h.call('runs.resultArray', {
      runId: run.id,
      kind: 'imputation_mask',
      sessionId: sessionIds[0]!,
      startRow: 95,
      endRow: 125,
    });
    const m = decodeArray(mask.array);
    const x = decodeArray(imputed.array);
    // Rows 100..119 of the first session were NaN on import: masked, and filled with finite values.
    expect(Array.from(m.slice(0, 15))).toEqual(new Array(15).fill(0));
    expect(Array.from(m.slice(5 * 3, 25 * 3))).toEqual(new Array(60).fill(1));
    expect(Array.from(x).every(Number.isFinite)).toBe(true);
  }, 180_000);

  it('cancels a VRAE mid-way and the resume reproduces the straight run bit for bit', async () => {
    const config = tinyDvaeConfig({ n_epochs: 4, seed: 9 });
    let mark = h.events.length;
    const a = await h.call('runs.start', { datasetId, modelKind: 'vrae', config });
    expect(await h.finished(a.id, mark, 120_000)).toBe('completed');

    mark = h.events.length;
    const b = await h.call('runs.start', { datasetId, modelKind: 'vrae', config });
    await h.waitForEvent(
      (e, p) =>
        e === 'run.epoch' &&
        (p as { runId: number }).runId === b.id &&
        (p as { epoch: { index: number } }).epoch.index === 0,
      mark,
      120_000,
    );
    expect(await h.call('runs.cancel', { runId: b.id })).toEqual({ cancelled: true });
    expect(await h.finished(b.id, mark, 120_000)).toBe('cancelled');
    const cancelled = await h.call('runs.get', { runId: b.id });
    expect(cancelled.resumable).toBe(true);
    expect(cancelled.epochs).toBeLessThan(4);

    mark = h.events.length;
    await h.call('runs.resume', { runId: b.id });
    expect(await h.finished(b.id, mark, 120_000)).toBe('completed');
    const straight = await losses(a.id);
    const resumed = await losses(b.id);
    expect(resumed.map((e) => e[0])).toEqual([0, 1, 2, 3]);
    // Bit for bit: every reduction in the native kernels has a fixed order (see
    // engineDeterminism.test.ts), so the resumed epochs repeat the straight run exactly.
    expect(resumed).toEqual(straight);
    const wa = decodeArray((await h.call('runs.resultArray', { runId: a.id, kind: 'weights' })).array);
    const wb = decodeArray((await h.call('runs.resultArray', { runId: b.id, kind: 'weights' })).array);
    expect(wb.length).toBe(wa.length);
    expect(wb).toEqual(wa);
  }, 300_000);

  it('trains a VOSP for one epoch', async () => {
    const mark = h.events.length;
    const run = await h.call('runs.start', {
      datasetId,
      modelKind: 'vosp',
      config: tinyDvaeConfig({ n_epochs: 1, n_emission_units: 8 }),
    });
    expect(await h.finished(run.id, mark, 120_000)).toBe('completed');
    const results = await h.call('runs.results', { runId: run.id });
    expect(results.filter((r) => r.kind === 'imputed')).toHaveLength(2);
    expect(results.find((r) => r.kind === 'free_energy')?.value).toMatchObject({ n_sequences: 22 });
    const denoised = await h.call('gaps.denoise', { runId: run.id, sessionIds: [sessionIds[1]!] });
    expect(denoised.mode).toBe('online');
    expect(denoised.sessions).toEqual([
      { sessionId: sessionIds[1]!, nSamples: 500, nChannels: 3, missingValues: 36 },
    ]);
  }, 180_000);

  it('refuses configs with field-named errors before any process starts', async () => {
    const bad = async (config: Record<string, unknown>, modelKind: 'vrae' | 'vosp' = 'vrae') => {
      try {
        await h.call('runs.start', { datasetId, modelKind, config: tinyDvaeConfig(config) });
      } catch (error) {
        return error as RpcError;
      }
      throw new Error('accepted a bad config');
    };
    const units = await bad({ n_units: -3 });
    expect(units.code).toBe('INVALID_INPUT');
    expect(units.details).toMatchObject({ field: 'config.n_units' });
    const channels = await bad({ n_channels: 5 });
    expect(channels.message).toMatch(/n_channels is 5 but the data has 3 channels/);
    const masking = await bad({ masking: { gap_min_samples: 4, gap_max_samples: 60 } });
    expect(masking.message).toMatch(/gap_max_samples \(60\) must be shorter than sequence_length \(50\)/);
    const vosp = await bad({ n_emission_units: 0 }, 'vosp');
    expect(vosp.details).toMatchObject({ field: 'config.n_emission_units' });
  });

  it('fails the run with a clear message when every session is shorter than a sequence', async () => {
    const mark = h.events.length;
    const run = await h
      .call('runs.start', {
        datasetId,
        modelKind: 'vrae',
        config: tinyDvaeConfig({
          sequence_length: 700,
          masking: { gap_min_samples: 4, gap_max_samples: 16 },
        }),
      })
      .catch((e: unknown) => e as RpcError);
    if (run instanceof RpcError) {
      expect(run.message).toMatch(/shorter than sequence_length \(700 samples\)/);
    } else {
      expect(await h.finished(run.id, mark, 120_000)).toBe('failed');
      const detail = await h.call('runs.get', { runId: run.id });
      expect(detail.error?.message).toMatch(/shorter than sequence_length \(700 samples\)/);
    }
  }, 120_000);
});
