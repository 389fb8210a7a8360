import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { RunRepository } from '../../src-main/store/runRepository';
import {
  simulatedTrainingProject,
  tinyDynemoConfig,
  type Harness,
  type SimulatedTrainingProject,
} from './training-harness';

let project: SimulatedTrainingProject | undefined;
let h: Harness;
let datasetId: number;

beforeAll(async () => {
  project = await simulatedTrainingProject();
  ({ h, datasetId } = project);
});

afterAll(() => project?.dispose());

describe('training a DyNeMo run in a training process', () => {
  it('persists every epoch, stores the outputs as results and completes', async () => {
    const mark = h.events.length;
    const summary = await h.call('runs.start', {
      datasetId,
      modelKind: 'dynemo',
      config: tinyDynemoConfig({ n_epochs: 3 }),
      name: 'first',
    });
    expect(summary.status).toBe('running');
    expect(await h.finished(summary.id, mark)).toBe('completed');

    const detail = await h.call('runs.get', { runId: summary.id });
    expect(detail.status).toBe('completed');
    expect(detail.epochs).toBe(3);
    expect(detail.timings?.engine?.backend).toBe('cpu');
    expect(detail.backend).toMatch(/^cpu\//);
    expect(detail.freeEnergy).not.toBeNull();
    expect(Number.isFinite(detail.freeEnergy)).toBe(true);
    expect(detail.log.some((l) => l.message.includes('ready: cpu backend'))).toBe(true);
    expect((detail.config as { n_channels: number }).n_channels).toBe(4);

    const metrics = await h.call('runs.metrics', { runId: summary.id });
    expect(metrics.epochs.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(metrics.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(metrics.epochs[0]!.label).toBe('epoch 1/3');
    expect(metrics.batches.length).toBeGreaterThan(0);
    const epochEvents = h.events.filter((e) => e.event === 'run.epoch');
    expect(epochEvents).toHaveLength(3);

    const results = await h.call('runs.results', { runId: summary.id });
    const kinds = results.map((r) => r.kind).sort();
    expect(kinds).toEqual(
      [
        'alpha',
        'alpha',
        'alpha_temperature',
        'covariances',
        'free_energy',
        'history',
        'means',
        'theta_mean',
        'theta_mean',
        'theta_std',
        'theta_std',
      ].sort(),
    );
    const alpha = results.filter((r) => r.kind === 'alpha');
    expect(alpha.map((r) => r.shape)).toEqual([
      [1000, 3],
      [1000, 3],
    ]);
    expect(results.find((r) => r.kind === 'covariances')!.shape).toEqual([3, 4, 4]);

    // α rows sum to one where the model predicted (edges may be NaN as osl-dynamics trims them).
    const window = await h.call('runs.resultArray', {
      runId: summary.id,
      kind: 'alpha',
      sessionId: alpha[0]!.sessionId!,
      startRow: 100,
      endRow: 200,
    });
    const a = decodeArray(window.array) as Float32Array;
    expect(window.array.shape).toEqual([100, 3]);
    for (let t = 0; t < 100; t++) expect(a[t * 3]! + a[t * 3 + 1]! + a[t * 3 + 2]!).toBeCloseTo(1, 5);

    const decimated = await h.call('runs.resultArray', {
      runId: summary.id,
      kind: 'alpha',
      sessionId: alpha[0]!.sessionId!,
      maxPoints: 20,
    });
    expect(decimated.decimation).toBe('minmax');
    expect(decimated.array.shape).toEqual([20, 3]);
    const d = decodeArray(decimated.array) as Float32Array;
    for (let b = 0; b < 10; b++) {
      for (let k = 0; k < 3; k++) {
        const lo = d[b * 6 + k]!;
        const hi = d[b * 6 + 3 + k]!;
        if (!Number.isNaN(lo)) expect(lo).toBeLessThanOrEqual(hi);
      }
    }

    // At most the newest three checkpoints are kept.
    const store = h.services.projects.require();
    expect(new RunRepository(store).checkpointEpochs(summary.id)).toEqual([0, 1, 2]);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('refuses bad configs with the field named, before any process starts', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [tinyDynemoConfig({ n_modes: 1 }), 'config.n_modes', /n_modes must be two or greater/],
      [tinyDynemoConfig({ batch_size: 0 }), 'config.batch_size', /batch_size must be one or greater/],
      [
        tinyDynemoConfig({ sequence_length: 5000 }),
        'config.sequence_length',
        /longer than the longest gap-free stretch/,
      ],
      [tinyDynemoConfig({ n_channels: 9 }), 'config.n_channels', /the data have 4 channels/],
    ];
    const before = (await h.call('runs.list', {})).length;
    for (const [config, field, message] of cases) {
      const error = await h
        .call('runs.start', { datasetId, modelKind: 'dynemo', config })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
      expect((error as Error).message).toMatch(message);
    }
    expect(await h.call('runs.list', {})).toHaveLength(before);
  });
});

describe('run results and deletion', () => {
  it('answers unknown or ambiguous result requests clearly, then deletes a run with its results', async () => {
    const runs = await h.call('runs.list', {});
    const done = runs.find((r) => r.status === 'completed')!;
    await expect(h.call('runs.resultArray', { runId: done.id, kind: 'beta' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `run ${done.id} has no array result "beta"`,
    });
    await expect(h.call('runs.resultArray', { runId: done.id, kind: 'alpha' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'sessionId' },
    });
    await expect(
      h.call('runs.resultArray', { runId: done.id, kind: 'means', startRow: 2, endRow: 1 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const means = await h.call('runs.resultArray', { runId: done.id, kind: 'means' });
    expect(means.array.shape).toEqual([3, 4]);

    const store = h.services.projects.require();
    const arraysBefore = (store.db.prepare('SELECT count(*) AS n FROM arrays').get() as { n: number }).n;
    expect(await h.call('runs.delete', { runId: done.id })).toEqual({ deleted: true });
    await expect(h.call('runs.get', { runId: done.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const arraysAfter = (store.db.prepare('SELECT count(*) AS n FROM arrays').get() as { n: number }).n;
    // alpha, θ mean and θ std for two sessions, means and covariances.
    expect(arraysBefore - arraysAfter).toBe(8);
    expect(store.integrityCheck()).toEqual([]);
  });
});

describe('opening a project', () => {
  it('marks runs left running by a process that is gone as interrupted', async () => {
    const store = h.services.projects.require();
    const path = store.path;
    const runs = new RunRepository(store);
    const orphan = runs.create({ datasetId, modelKind: 'dynemo', config: tinyDynemoConfig(), seed: 1 });
    runs.markStarted(orphan.id);
    await h.call('projects.close', {});
    const mark = h.events.length;
    await h.call('projects.open', { path });
    expect((await h.call('runs.get', { runId: orphan.id })).status).toBe('interrupted');
    expect(
      h.events
        .slice(mark)
        .some(
          (e) =>
            e.event === 'run.status' &&
            (e.payload as { runId: number; status: string }).runId === orphan.id &&
            (e.payload as { status: string }).status === 'interrupted',
        ),
    ).toBe(true);
  });
});
