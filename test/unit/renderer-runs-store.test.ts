import { createPinia, setActivePinia } from 'pinia';
import { FakeServices } from '../helpers/fakeServicesDispatcher';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import type { BatchMetrics, EpochRecordData, RunDetail, RunSummary } from '../../src-shared/domain/run';
import { createApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { setApi } from '../../src-renderer/api/currentApi';
import { useJobsStore } from '../../src-renderer/stores/jobs';
import { batchPosition, useRunsStore } from '../../src-renderer/stores/runs';

/** In-memory run services behind the real dispatcher, so every request and answer is schema-checked. */
class FakeRunServices extends FakeServices {
  readonly runs = new Map<number, RunDetail>();
  readonly epochs = new Map<number, EpochRecordData[]>();
  readonly batches = new Map<number, BatchMetrics[]>();
  private nextId = 1;

  override readonly handlers: PartialHandlers = {
    'runs.list': () => [...this.runs.values()].map((r) => this.summary(r)),
    'runs.get': ({ runId }) => this.detail(runId),
    'runs.metrics': ({ runId }) => {
      this.detail(runId);
      return { epochs: this.epochs.get(runId) ?? [], batches: this.batches.get(runId) ?? [] };
    },
    'runs.start': ({ datasetId, preparationId, config, name }) => {
      if (config.n_modes === 99) throw new RpcError('INVALID_INPUT', 'n_modes: must be at most 64');
      const run = this.add({ datasetId, preparationId: preparationId ?? null, config, name: name ?? null });
      run.status = 'running';
      return this.summary(run);
    },
    'runs.resume': ({ runId }) => {
      const run = this.detail(runId);
      run.status = 'running';
      return this.summary(run);
    },
    'runs.cancel': ({ runId }) => ({ cancelled: this.detail(runId).status === 'running' }),
    'runs.delete': ({ runId }) => ({ deleted: this.runs.delete(runId) }),
  };

  add(fields: Partial<RunDetail>): RunDetail {
    const id = this.nextId++;
    const run: RunDetail = {
      id,
      name: null,
      datasetId: 1,
      preparationId: null,
      modelKind: 'dynemo',
      seed: 0,
      status: 'completed',
      createdAt: '2026-11-23T09:00:00.000Z',
      startedAt: '2026-11-23T09:00:01.000Z',
      finishedAt: '2026-11-23T09:01:04.000Z',
      epochs: 0,
      freeEnergy: null,
      resumable: false,
      error: null,
      config: { n_modes: 3, n_epochs: 4, learning_rate: 0.01 },
      backend: 'wasm',
      timings: null,
      log: [],
      ...fields,
    };
    this.runs.set(id, run);
    return run;
  }

  private detail(runId: number): RunDetail {
    const run = this.runs.get(runId);
    if (!run) throw new RpcError('NOT_FOUND', `run ${runId} does not exist`);
    return run;
  }

  private summary(run: RunDetail): RunSummary {
    const { config: _c, backend: _b, timings: _t, log: _l, ...summary } = run;
    return summary;
  }
}

function epoch(index: number, loss: number): EpochRecordData {
  return {
    index,
    label: `epoch ${index + 1}`,
    phase: 'train',
    loss,
    nll: loss - 1,
    kl: 1,
    klFactor: 0.5,
    lr: 0.01,
    durationMs: 100,
  };
}

function batch(runId: number, e: number, b: number, loss: number): BatchMetrics {
  return { runId, epoch: e, batch: b, nBatches: 4, loss, nll: loss - 0.5, kl: 0.5, klFactor: 0.1, lr: 0.01 };
}

let services: FakeRunServices;

beforeEach(() => {
  services = new FakeRunServices();
  setApi(createApi(services.transport));
  setActivePinia(createPinia());
});

const startRequest = {
  datasetId: 1,
  preparationId: 2,
  modelKind: 'dynemo' as const,
  config: { n_modes: 3, n_channels: 6, n_epochs: 4 },
  name: 'tiny',
};

describe('runs store: training a run', () => {
  it('starts with a tracked train job, then draws only its own batch and epoch events', async () => {
    const store = useRunsStore();
    await store.start();
    const summary = await store.startRun(startRequest);
    expect(summary?.id).toBe(1);
    const sent = services.calls.find((c) => c.channel === 'runs.start')?.payload as Record<string, unknown>;
    expect(sent).toMatchObject({ datasetId: 1, preparationId: 2, modelKind: 'dynemo', name: 'tiny' });
    expect(String(sent.jobId)).toMatch(/^train-/);
    expect(store.liveJobId).toBe(sent.jobId);
    expect(useJobsStore().get(store.liveJobId)?.status).toBe('running');
    expect(store.liveRunId).toBe(1);
    expect(store.liveStatus).toBe('running');
    expect(store.liveDetail?.backend).toBe('wasm');

    services.emit('run.batch', batch(1, 0, 0, 10));
    services.emit('run.batch', batch(1, 0, 1, 9));
    services.emit('run.batch', batch(7, 0, 2, 123));
    services.emit('run.epoch', { runId: 1, epoch: epoch(0, 9.5), plannedEpochs: 4 });
    services.emit('run.log', { runId: 1, level: 'warn', message: 'NaN loss at batch 3: restored weights' });
    services.emit('run.log', { runId: 7, level: 'info', message: 'someone else' });

    const c = store.curves;
    expect(c.batch.length('loss')).toBe(2);
    expect(c.batch.points('loss', 100)).toEqual([
      [0.25, 10],
      [0.5, 9],
    ]);
    expect(c.batch.names()).toEqual(['loss', 'NLL']);
    expect(c.kl.points('per batch', 100).map((p) => p[1])).toEqual([0.5, 0.5]);
    expect(c.kl.points('per epoch', 100)).toEqual([[1, 1]]);
    expect(c.klFactor.points('KL factor', 100)).toEqual([
      [0.25, 0.1],
      [0.5, 0.1],
    ]);
    expect(c.epoch.points('loss', 100)).toEqual([[1, 9.5]]);
    expect(store.epochsDone).toBe(1);
    expect(store.plannedEpochs).toBe(4);
    expect(store.liveLog.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'NaN loss at batch 3: restored weights'],
    ]);
  });

  it('shows a refused start next to Start and marks its job failed', async () => {
    const store = useRunsStore();
    await store.start();
    const result = await store.startRun({ ...startRequest, config: { n_modes: 99 } });
    expect(result).toBeNull();
    expect(store.errors.start).toEqual({ code: 'INVALID_INPUT', message: 'n_modes: must be at most 64' });
    const job = useJobsStore().get(store.liveJobId);
    expect(job?.status).toBe('failed');
    expect(job?.message).toBe('n_modes: must be at most 64');
    expect(store.liveRunId).toBeNull();
  });

  it('reloads the detail when the followed run finishes', async () => {
    const store = useRunsStore();
    await store.start();
    await store.startRun(startRequest);
    const run = services.runs.get(1)!;
    Object.assign(run, {
      status: 'completed',
      freeEnergy: -1234.5,
      log: [{ at: 'x', level: 'info', message: 'done' }],
    });
    services.emit('run.status', { runId: 1, status: 'completed' });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.liveStatus).toBe('completed');
    expect(store.liveDetail?.freeEnergy).toBe(-1234.5);
    expect(store.liveLog.map((l) => l.message)).toEqual(['done']);
    expect(store.runs.map((r) => [r.id, r.status])).toEqual([[1, 'completed']]);
  });

  it('resumes a cancelled run as a new tracked job', async () => {
    services.add({ status: 'cancelled', resumable: true });
    const store = useRunsStore();
    await store.start();
    const summary = await store.resume(1);
    expect(summary?.status).toBe('running');
    const sent = services.calls.find((c) => c.channel === 'runs.resume')?.payload as Record<string, unknown>;
    expect(sent.runId).toBe(1);
    expect(String(sent.jobId)).toMatch(/^train-/);
    expect(store.liveRunId).toBe(1);
  });

  it('reports NOT_FOUND when cancelling a run that is gone', async () => {
    const store = useRunsStore();
    expect(await store.cancel(42)).toBe(false);
    expect(store.errors.cancel?.code).toBe('NOT_FOUND');
  });
});

describe('runs store: following an existing run', () => {
  it('backfills from runs.metrics and replays events that arrive meanwhile, without duplicates', async () => {
    services.add({ status: 'running' });
    services.batches.set(1, [batch(1, 0, 0, 10), batch(1, 0, 1, 9)]);
    services.epochs.set(1, []);
    const store = useRunsStore();
    await store.start();
    let release!: () => void;
    services.requestGate = new Promise((r) => (release = r));
    services.gatedChannel = 'runs.metrics';
    const watching = store.watch(1);
    services.emit('run.batch', batch(1, 0, 1, 9)); // also in the backfill
    services.emit('run.batch', batch(1, 0, 2, 8));
    release();
    await watching;
    expect(store.curves.batch.points('loss', 100)).toEqual([
      [0.25, 10],
      [0.5, 9],
      [0.75, 8],
    ]);
  });

  it('draws a finished run from its epochs when no batches are kept', async () => {
    services.add({ status: 'completed' });
    services.epochs.set(1, [epoch(0, 5), epoch(1, 4)]);
    const store = useRunsStore();
    await store.watch(1);
    expect(store.curves.epoch.points('loss', 100)).toEqual([
      [1, 5],
      [2, 4],
    ]);
    expect(store.curves.batch.points('loss', 100)).toEqual([
      [1, 5],
      [2, 4],
    ]);
    expect(store.curves.lr.points('learning rate', 100)).toEqual([
      [1, 0.01],
      [2, 0.01],
    ]);
    expect(store.epochsDone).toBe(2);
  });

  it('fills the per-batch chart with epochs from before the batches the services still hold', async () => {
    services.add({ status: 'running' });
    services.epochs.set(1, [epoch(0, 5), epoch(1, 4), epoch(2, 3)]);
    services.batches.set(1, [batch(1, 2, 0, 3.5), batch(1, 2, 1, 3.2)]);
    const store = useRunsStore();
    await store.watch(1);
    expect(store.curves.batch.points('loss', 100)).toEqual([
      [1, 5],
      [2, 4],
      [2.25, 3.5],
      [2.5, 3.2],
    ]);
  });

  it('places batches at fractional epochs', () => {
    expect(batchPosition({ epoch: 3, batch: 0, nBatches: 4 })).toBe(3.25);
    expect(batchPosition({ epoch: 3, batch: 3, nBatches: 4 })).toBe(4);
    expect(batchPosition({ epoch: 2, batch: 0, nBatches: 0 })).toBe(2);
  });
});

describe('runs store: the runs table', () => {
  it('lists runs with their configs fetched once per status', async () => {
    services.add({ config: { n_modes: 3, n_epochs: 4, learning_rate: 0.01 } });
    services.add({ config: { n_modes: 5, n_epochs: 4, learning_rate: 0.001 } });
    const store = useRunsStore();
    await store.start();
    expect(store.runs.map((r) => r.id)).toEqual([1, 2]);
    expect(store.configs[2]).toEqual({ n_modes: 5, n_epochs: 4, learning_rate: 0.001 });
    const gets = () => services.calls.filter((c) => c.channel === 'runs.get').length;
    expect(gets()).toBe(2);
    await store.refresh();
    expect(gets()).toBe(2);
  });

  it('compares two or more runs: one epoch-loss series per run', async () => {
    services.add({ name: 'a' });
    services.add({});
    services.epochs.set(1, [epoch(0, 5), epoch(1, 4)]);
    services.epochs.set(2, [epoch(0, 6)]);
    const store = useRunsStore();
    expect(await store.compare([1])).toBe(false);
    expect(store.errors.compare).toEqual({
      code: 'INVALID_INPUT',
      message: 'Select two or more runs to compare.',
    });
    expect(await store.compare([1, 2])).toBe(true);
    const cmp = store.comparison!;
    expect(cmp.runs.map((r) => r.id)).toEqual([1, 2]);
    expect(cmp.curves.names()).toEqual(['#1 a', '#2']);
    expect(cmp.curves.points('#1 a', 100)).toEqual([
      [1, 5],
      [2, 4],
    ]);
    expect(await store.compare([1, 9])).toBe(false);
    expect(store.errors.compare?.code).toBe('NOT_FOUND');
  });

  it('deletes a run, drops it from the list and from the comparison', async () => {
    services.add({});
    services.add({});
    const store = useRunsStore();
    await store.start();
    await store.compare([1, 2]);
    expect(await store.remove(1)).toBe(true);
    expect(store.runs.map((r) => r.id)).toEqual([2]);
    expect(store.comparison).toBeNull();
    expect(await store.remove(1)).toBe(false);
  });
});
