import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type RpcErrorCode } from '../../src-shared/rpc/errors';
import { DatasetRepository, ProjectStore, RunRepository, arrayInfo, writeArray } from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

let removeDir: () => void;
let store: ProjectStore;
let datasets: DatasetRepository;

const channels = [
  { name: 'MEG0111', type: 'meg_mag', unit: 'T' },
  { name: 'MEG0112', type: 'meg_grad', unit: 'T/m' },
  { name: 'EEG001', type: 'eeg', unit: 'V' },
];

beforeEach(() => {
  const tmp = makeStoreTempDir();
  removeDir = tmp.remove;
  store = ProjectStore.create(path.join(tmp.dir, 'datasets.modescope'), { name: 'datasets' });
  datasets = new DatasetRepository(store);
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

function sessionArrays(nSamples: number, nChannels = 3) {
  const dataArrayId = writeArray(store, {
    dtype: 'float32',
    shape: [nSamples, nChannels],
    data: Float32Array.from({ length: nSamples * nChannels }, (_, i) => i),
  });
  const gapMaskArrayId = writeArray(store, {
    dtype: 'uint8',
    shape: [nSamples],
    data: new Uint8Array(nSamples),
  });
  return { dataArrayId, gapMaskArrayId };
}

describe('datasets and sessions', () => {
  it('stores a dataset with its channels and numbered sessions', () => {
    const d = datasets.create({ name: ' resting state ', format: 'fif', samplingRateHz: 250, channels });
    expect(d).toMatchObject({
      name: 'resting state',
      format: 'fif',
      samplingRateHz: 250,
      nChannels: 3,
      channels,
    });
    const s0 = datasets.addSession(d.id, {
      sourcePath: '/data/sub-01.fif',
      sourceSize: 1234,
      sourceSha256: 'ab'.repeat(32),
      nSamples: 100,
      ...sessionArrays(100),
      annotations: [{ onset: 1, duration: 0.5, description: 'BAD_blink' }],
    });
    const s1 = datasets.addSession(d.id, {
      sourcePath: '/data/sub-02.fif',
      nSamples: 80,
      ...sessionArrays(80),
    });
    expect([s0.ordinal, s1.ordinal]).toEqual([0, 1]);
    expect(s0.annotations).toEqual([{ onset: 1, duration: 0.5, description: 'BAD_blink' }]);
    expect(datasets.sessions(d.id).map((s) => s.sourcePath)).toEqual([
      '/data/sub-01.fif',
      '/data/sub-02.fif',
    ]);
    expect(datasets.list().map((x) => x.id)).toEqual([d.id]);
    expect(store.counts().datasets).toBe(1);
  });

  it('refuses bad datasets and duplicate names', () => {
    const base = { name: 'a', format: 'npy', samplingRateHz: 100, channels };
    expectRpcError(() => datasets.create({ ...base, name: '' }), 'INVALID_INPUT', 'name');
    expectRpcError(() => datasets.create({ ...base, samplingRateHz: 0 }), 'INVALID_INPUT', 'sampling rate');
    expectRpcError(() => datasets.create({ ...base, channels: [] }), 'INVALID_INPUT', 'at least one channel');
    expectRpcError(
      () => datasets.create({ ...base, channels: [{ name: 'x' } as never] }),
      'INVALID_INPUT',
      'channel 0 needs a name and a type',
    );
    datasets.create(base);
    expectRpcError(() => datasets.create(base), 'ALREADY_EXISTS', 'a dataset named "a" already exists');
    expect(datasets.list()).toHaveLength(1);
  });

  it('refuses session arrays that do not fit the dataset', () => {
    const d = datasets.create({ name: 'a', format: 'npy', samplingRateHz: 100, channels });
    const { dataArrayId, gapMaskArrayId } = sessionArrays(50);
    expectRpcError(
      () => datasets.addSession(d.id, { sourcePath: '/x', nSamples: 60, dataArrayId }),
      'INVALID_INPUT',
      'has shape [50,3], expected [60,3]',
    );
    const twoChannels = sessionArrays(50, 2).dataArrayId;
    expectRpcError(
      () => datasets.addSession(d.id, { sourcePath: '/x', nSamples: 50, dataArrayId: twoChannels }),
      'INVALID_INPUT',
      'expected [50,3]',
    );
    expectRpcError(
      () =>
        datasets.addSession(d.id, {
          sourcePath: '/x',
          nSamples: 50,
          dataArrayId,
          gapMaskArrayId: dataArrayId,
        }),
      'INVALID_INPUT',
      'expected uint8 [50]',
    );
    expectRpcError(() => datasets.addSession(999, { sourcePath: '/x', nSamples: 50 }), 'NOT_FOUND');
    expectRpcError(
      () => datasets.addSession(d.id, { sourcePath: '/x', nSamples: 50, dataArrayId: 4242 }),
      'NOT_FOUND',
    );
    expect(datasets.sessions(d.id)).toEqual([]);
    expect(
      datasets.addSession(d.id, { sourcePath: '/x', nSamples: 50, dataArrayId, gapMaskArrayId }).ordinal,
    ).toBe(0);
  });

  it('deletes a dataset with its sessions and arrays, but not while runs use it', () => {
    const d = datasets.create({ name: 'a', format: 'npy', samplingRateHz: 100, channels });
    const arrays = sessionArrays(20);
    datasets.addSession(d.id, { sourcePath: '/x', nSamples: 20, ...arrays });
    const runs = new RunRepository(store);
    const run = runs.create({ datasetId: d.id, modelKind: 'dynemo', config: {}, seed: 1 });
    expectRpcError(() => datasets.delete(d.id), 'INVALID_INPUT', 'has 1 run(s)');
    runs.delete(run.id);
    datasets.delete(d.id);
    expectRpcError(() => datasets.get(d.id), 'NOT_FOUND');
    expectRpcError(() => arrayInfo(store, arrays.dataArrayId), 'NOT_FOUND');
    expectRpcError(() => arrayInfo(store, arrays.gapMaskArrayId), 'NOT_FOUND');
  });
});

describe('preparations', () => {
  it('records a pipeline, its progress and one output per session', () => {
    const d = datasets.create({ name: 'a', format: 'npy', samplingRateHz: 250, channels });
    const s0 = datasets.addSession(d.id, { sourcePath: '/a', nSamples: 30, ...sessionArrays(30) });
    const s1 = datasets.addSession(d.id, { sourcePath: '/b', nSamples: 40, ...sessionArrays(40) });
    const pipeline = [{ step: 'tde_pca', n_embeddings: 15, n_pca_components: 2 }, { step: 'standardize' }];
    const p = datasets.createPreparation(d.id, { name: 'TDE-PCA', pipeline });
    expect(p).toMatchObject({ status: 'pending', pipeline, finishedAt: null });
    expect(datasets.setPreparationStatus(p.id, 'running').status).toBe('running');

    const out1 = writeArray(store, { dtype: 'float32', shape: [26, 2], data: new Float32Array(52) });
    const out0 = writeArray(store, { dtype: 'float32', shape: [16, 2], data: new Float32Array(32) });
    datasets.addPreparationOutput({
      preparationId: p.id,
      sessionId: s1.id,
      arrayId: out1,
      gapMaskArrayId: null,
    });
    datasets.addPreparationOutput({
      preparationId: p.id,
      sessionId: s0.id,
      arrayId: out0,
      gapMaskArrayId: null,
    });
    expect(datasets.preparationOutputs(p.id).map((o) => o.sessionId)).toEqual([s0.id, s1.id]);

    // Re-running a session replaces its output and frees the old array.
    const newer = writeArray(store, { dtype: 'float32', shape: [16, 2], data: new Float32Array(32).fill(1) });
    datasets.addPreparationOutput({
      preparationId: p.id,
      sessionId: s0.id,
      arrayId: newer,
      gapMaskArrayId: null,
    });
    expect(datasets.preparationOutputs(p.id).map((o) => o.arrayId)).toEqual([newer, out1]);
    expectRpcError(() => arrayInfo(store, out0), 'NOT_FOUND');

    const done = datasets.setPreparationStatus(p.id, 'done', {
      samplingRateHz: 250,
      nChannels: 2,
      fitted: { pca: 'x' },
    });
    expect(done).toMatchObject({ status: 'done', samplingRateHz: 250, nChannels: 2, fitted: { pca: 'x' } });
    expect(done.finishedAt).not.toBeNull();
    expect(datasets.preparations(d.id).map((x) => x.id)).toEqual([p.id]);
  });

  it('refuses outputs for a session of another dataset and unknown statuses', () => {
    const a = datasets.create({ name: 'a', format: 'npy', samplingRateHz: 250, channels });
    const b = datasets.create({ name: 'b', format: 'npy', samplingRateHz: 250, channels });
    const sb = datasets.addSession(b.id, { sourcePath: '/b', nSamples: 10 });
    const p = datasets.createPreparation(a.id, { pipeline: [] });
    const arrayId = writeArray(store, { dtype: 'float32', shape: [10, 3], data: new Float32Array(30) });
    expectRpcError(
      () =>
        datasets.addPreparationOutput({
          preparationId: p.id,
          sessionId: sb.id,
          arrayId,
          gapMaskArrayId: null,
        }),
      'INVALID_INPUT',
      `belongs to dataset ${b.id}`,
    );
    expectRpcError(() => datasets.setPreparationStatus(p.id, 'finished' as never), 'INVALID_INPUT');
    expectRpcError(() => datasets.createPreparation(999, { pipeline: [] }), 'NOT_FOUND');
    expect(datasets.preparationOutputs(p.id)).toEqual([]);
  });
});
