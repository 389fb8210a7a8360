import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type RpcErrorCode } from '../../src-shared/rpc/errors';
import { ProjectStore, RunRepository, arrayInfo, readArray, type NewCheckpoint } from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

let removeDir: () => void;
let file: string;
let store: ProjectStore;
let runs: RunRepository;
let datasetId: number;

beforeEach(() => {
  const tmp = makeStoreTempDir();
  removeDir = tmp.remove;
  file = path.join(tmp.dir, 'runs.modescope');
  store = ProjectStore.create(file, { name: 'runs' });
  runs = new RunRepository(store);
  datasetId = Number(
    store.db
      .prepare(
        "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('d', 'npy', 250, 2, '[]', 't')",
      )
      .run().lastInsertRowid,
  );
});

afterEach(() => {
  store.close();
  removeDir();
});

function expectRpcError(fn: () => unknown, code: RpcErrorCode, messagePart?: string): RpcError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(RpcError);
  const error = caught as RpcError;
  expect(error.code, error.message).toBe(code);
  if (messagePart !== undefined) expect(error.message).toContain(messagePart);
  return error;
}

function checkpoint(epoch: number, fill: number): NewCheckpoint {
  return {
    epoch,
    weights: new Uint8Array(1000).fill(fill),
    weightsManifest: [{ name: 'means', shape: [8, 10], dtype: 'float32', offset: 0 }],
    optimizerState: Uint8Array.from([fill, fill + 1]),
    optimizerManifest: { kind: 'adam' },
    rngState: { s: [1, 2, 3, fill] },
    trainingState: { klWeight: epoch / 10 },
  };
}

describe('run lifecycle', () => {
  it('creates a queued run with its config and walks it through start and finish', () => {
    const run = runs.create({
      datasetId,
      modelKind: 'dynemo',
      config: { n_modes: 8, lr: 0.01 },
      seed: 42,
      label: 'K=8',
    });
    expect(run).toMatchObject({
      datasetId,
      modelKind: 'dynemo',
      config: { n_modes: 8, lr: 0.01 },
      seed: 42,
      status: 'queued',
      label: 'K=8',
      startedAt: null,
    });
    const started = runs.markStarted(run.id, { backend: 'wasm' });
    expect(started).toMatchObject({ status: 'running', backend: 'wasm' });
    expect(started.startedAt).not.toBeNull();
    expectRpcError(
      () => runs.markStarted(run.id),
      'INVALID_INPUT',
      'only a queued or interrupted run can start',
    );
    const done = runs.markFinished(run.id, { status: 'completed', timings: { totalMs: 1234 } });
    expect(done).toMatchObject({ status: 'completed', timings: { totalMs: 1234 }, error: null });
    expectRpcError(
      () => runs.markFinished(run.id, { status: 'failed' }),
      'INVALID_INPUT',
      'completed, not running',
    );
    expect(runs.list({ status: 'completed' }).map((r) => r.id)).toEqual([run.id]);
    expect(runs.list({ status: 'queued' })).toEqual([]);
    expect(store.counts().runs).toBe(1);
  });

  it('refuses runs of a missing dataset and bad fields', () => {
    expectRpcError(
      () => runs.create({ datasetId: 999, modelKind: 'dynemo', config: {}, seed: 1 }),
      'NOT_FOUND',
    );
    expectRpcError(() => runs.create({ datasetId, modelKind: '', config: {}, seed: 1 }), 'INVALID_INPUT');
    expectRpcError(
      () => runs.create({ datasetId, modelKind: 'x', config: {}, seed: 1.5 }),
      'INVALID_INPUT',
      'seed',
    );
    expectRpcError(
      () => runs.create({ datasetId, modelKind: 'x', config: { big: 1n }, seed: 1 }),
      'INVALID_INPUT',
    );
    expectRpcError(() => runs.get(12345), 'NOT_FOUND', 'run 12345 does not exist');
    expect(runs.list()).toEqual([]);
  });

  it('marks runs left running by a dead process as interrupted, and lets them resume', () => {
    const a = runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 1 });
    const b = runs.create({ datasetId, modelKind: 'vrae', config: {}, seed: 2 });
    runs.markStarted(a.id);
    store.close();
    store = ProjectStore.open(file);
    runs = new RunRepository(store);
    expect(runs.markOrphansInterrupted()).toEqual([a.id]);
    expect(runs.get(a.id).status).toBe('interrupted');
    expect(runs.get(b.id).status).toBe('queued');
    expect(runs.markStarted(a.id).status).toBe('running');
  });
});

describe('epochs and checkpoints', () => {
  it('stores metrics with their checkpoint and resumes from the newest', () => {
    const run = runs.markStarted(runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 7 }).id);
    expect(runs.latestCheckpoint(run.id)).toBeUndefined();
    for (let epoch = 0; epoch < 4; epoch++) {
      runs.recordEpoch(
        run.id,
        { epoch, loss: 10 - epoch, metrics: { kl: epoch * 0.1 }, durationMs: 50 },
        checkpoint(epoch, epoch + 1),
      );
    }
    expect(runs.epochMetrics(run.id).map((m) => [m.epoch, m.loss, m.metrics])).toEqual([
      [0, 10, { kl: 0 }],
      [1, 9, { kl: 0.1 }],
      [2, 8, { kl: 0.2 }],
      [3, 7, { kl: 0.30000000000000004 }],
    ]);
    const latest = runs.latestCheckpoint(run.id)!;
    expect(latest.epoch).toBe(3);
    expect([...latest.weights.subarray(0, 3)]).toEqual([4, 4, 4]);
    expect(latest.weights.length).toBe(1000);
    expect([...latest.optimizerState!]).toEqual([4, 5]);
    expect(latest).toMatchObject({
      weightsManifest: [{ name: 'means', shape: [8, 10] }],
      optimizerManifest: { kind: 'adam' },
      rngState: { s: [1, 2, 3, 4] },
      trainingState: { klWeight: 0.3 },
    });

    expect(runs.pruneCheckpoints(run.id, 2, [0])).toBe(1);
    expect(runs.checkpointEpochs(run.id)).toEqual([0, 2, 3]);
  });

  it('writes an epoch and its checkpoint together or not at all', () => {
    const run = runs.markStarted(runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 7 }).id);
    const broken = { ...checkpoint(5, 1), rngState: 10n };
    expectRpcError(
      () => runs.recordEpoch(run.id, { epoch: 5, loss: 1, metrics: {} }, broken),
      'INVALID_INPUT',
      'rngState',
    );
    expect(runs.epochMetrics(run.id)).toEqual([]);
    expectRpcError(
      () => runs.recordEpoch(run.id, { epoch: 5, loss: 1, metrics: {} }, checkpoint(6, 1)),
      'INVALID_INPUT',
      'does not match',
    );
    expectRpcError(
      () => runs.recordEpoch(run.id, { epoch: -1, loss: 1, metrics: {} }),
      'INVALID_INPUT',
      'epoch',
    );
    expectRpcError(() => runs.recordEpoch(999, { epoch: 0, loss: 1, metrics: {} }), 'NOT_FOUND');
  });

  it('replaces a re-recorded epoch instead of failing (resume repeats the last epoch)', () => {
    const run = runs.markStarted(runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 7 }).id);
    runs.recordEpoch(run.id, { epoch: 0, loss: 5, metrics: {} }, checkpoint(0, 1));
    runs.recordEpoch(run.id, { epoch: 0, loss: 4, metrics: { again: true } }, checkpoint(0, 9));
    expect(runs.epochMetrics(run.id).map((m) => [m.loss, m.metrics])).toEqual([[4, { again: true }]]);
    expect(runs.latestCheckpoint(run.id)!.weights[0]).toBe(9);
    expect(runs.checkpointEpochs(run.id)).toEqual([0]);
  });
});

describe('results', () => {
  it('stores array and value results, and deleting the run removes them with their arrays', () => {
    const run = runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 1 });
    const alpha = Float32Array.from({ length: 300 * 4 }, (_, i) => (i % 4) / 4);
    const a = runs.saveResult(run.id, {
      kind: 'alpha',
      array: { dtype: 'float32', shape: [300, 4], data: alpha },
    });
    const f = runs.saveResult(run.id, { kind: 'free_energy', value: { value: -1234.5 } });
    expect(a.arrayId).not.toBeNull();
    expect(arrayInfo(store, a.arrayId!)).toMatchObject({ shape: [300, 4], name: `run ${run.id} alpha` });
    expect(Array.from(readArray(store, a.arrayId!))).toEqual(Array.from(alpha));
    expect(f).toMatchObject({ kind: 'free_energy', arrayId: null, value: { value: -1234.5 } });
    expect(runs.results(run.id, { kind: 'alpha' }).map((r) => r.id)).toEqual([a.id]);

    runs.delete(run.id);
    expect(store.db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
    expect(store.db.prepare('SELECT count(*) AS n FROM results').get()).toEqual({ n: 0 });
  });

  it('refuses empty results and unknown sessions, writing nothing', () => {
    const run = runs.create({ datasetId, modelKind: 'dynemo', config: {}, seed: 1 });
    expectRpcError(
      () => runs.saveResult(run.id, { kind: 'alpha' }),
      'INVALID_INPUT',
      'neither an array nor a value',
    );
    expectRpcError(
      () =>
        runs.saveResult(run.id, {
          kind: 'alpha',
          sessionId: 77,
          array: { dtype: 'float32', shape: [2], data: new Float32Array(2) },
        }),
      'NOT_FOUND',
      'session 77',
    );
    expect(store.db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
  });
});
