import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import { writeArray } from '../../src-main/store/arrayStore';
import { DatasetRepository } from '../../src-main/store/datasetRepository';
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
const N = 6;
const config = tinyDynemoConfig({ n_epochs: N, seed: 11 });

beforeAll(async () => {
  project = await simulatedTrainingProject();
  ({ h, datasetId } = project);
});

afterAll(() => project?.dispose());

const isEpoch = (runId: number, index: number) => (event: string, p: unknown) =>
  event === 'run.epoch' &&
  (p as { runId: number }).runId === runId &&
  (p as { epoch: { index: number } }).epoch.index === index;

async function losses(runId: number) {
  const m = await h.call('runs.metrics', { runId });
  return m.epochs.map((e) => [e.index, e.loss, e.nll, e.kl, e.klFactor, e.lr]);
}

function lastWeights(runId: number): Buffer {
  const cp = new RunRepository(h.services.projects.require()).latestCheckpoint(runId)!;
  return Buffer.concat([Buffer.from(cp.weights), Buffer.from(cp.optimizerState ?? new Uint8Array())]);
}

async function trainingPid(runId: number): Promise<number> {
  const log = (await h.call('runs.get', { runId })).log.map((l) => l.message).join('\n');
  const match = /training process (\d+) ready/.exec(log);
  if (!match) throw new Error(`no pid in the run log: ${log}`);
  return Number(match[1]);
}

let straight: { losses: unknown[]; weights: Buffer; means: unknown };

describe('cancel, crash and resume', () => {
  it('trains run A straight through as the reference', async () => {
    const mark = h.events.length;
    const a = await h.call('runs.start', { datasetId, modelKind: 'dynemo', config });
    expect(await h.finished(a.id, mark)).toBe('completed');
    const results = await h.call('runs.resultArray', { runId: a.id, kind: 'means' });
    straight = { losses: await losses(a.id), weights: lastWeights(a.id), means: results.array };
    expect(straight.losses).toHaveLength(N);
  });

  it('cancels run B after two epochs, leaves it resumable, and the resume matches run A bit for bit', async () => {
    let mark = h.events.length;
    const b = await h.call('runs.start', { datasetId, modelKind: 'dynemo', config });
    await h.waitForEvent(isEpoch(b.id, 1), mark);
    expect(await h.call('runs.cancel', { runId: b.id })).toEqual({ cancelled: true });
    expect(await h.finished(b.id, mark)).toBe('cancelled');
    const cancelled = await h.call('runs.get', { runId: b.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.resumable).toBe(true);
    expect(cancelled.epochs).toBeGreaterThanOrEqual(2);
    expect(cancelled.epochs).toBeLessThan(N);

    mark = h.events.length;
    const resumed = await h.call('runs.resume', { runId: b.id });
    expect(resumed.status).toBe('running');
    expect(await h.finished(b.id, mark)).toBe('completed');
    expect(await losses(b.id)).toEqual(straight.losses);
    expect(lastWeights(b.id).equals(straight.weights)).toBe(true);
    expect((await h.call('runs.resultArray', { runId: b.id, kind: 'means' })).array).toEqual(straight.means);
  });

  it('marks a killed training process interrupted, keeps the project intact, and resumes from the last checkpoint', async () => {
    let mark = h.events.length;
    const c = await h.call('runs.start', { datasetId, modelKind: 'dynemo', config });
    await h.waitForEvent(isEpoch(c.id, 1), mark);
    process.kill(await trainingPid(c.id), 'SIGKILL');
    expect(await h.finished(c.id, mark)).toBe('interrupted');
    const detail = await h.call('runs.get', { runId: c.id });
    expect(detail.error?.message).toMatch(/training process was killed \(SIGKILL\)/);
    expect(detail.resumable).toBe(true);
    const store = h.services.projects.require();
    expect(store.integrityCheck()).toEqual([]);
    const checkpointEpoch = new RunRepository(store).latestCheckpoint(c.id)!.epoch;
    expect(checkpointEpoch).toBeGreaterThanOrEqual(1);

    mark = h.events.length;
    await h.call('runs.resume', { runId: c.id });
    expect(await h.finished(c.id, mark)).toBe('completed');
    expect(await losses(c.id)).toEqual(straight.losses);
    expect(lastWeights(c.id).equals(straight.weights)).toBe(true);
  });

  it('cancels during initialisation: the start fails with CANCELLED and the run is cancelled', async () => {
    const jobId = 'cancel-during-init';
    const mark = h.events.length;
    const started = h
      .call('runs.start', { jobId, datasetId, modelKind: 'dynemo', config })
      .catch((e: unknown) => e);
    // 'queued' is emitted right before the process is spawned, so the cancel reaches it while it starts.
    const queued = (await h.waitForEvent(
      (e, p) => e === 'run.status' && (p as { status: string }).status === 'queued',
      mark,
    )) as { runId: number };
    expect(h.services.jobs.cancel(jobId)).toBe(true);
    const error = await started;
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('CANCELLED');
    expect((await h.call('runs.get', { runId: queued.runId })).status).toBe('cancelled');
    expect((await h.call('runs.metrics', { runId: queued.runId })).epochs).toEqual([]);
  });

  it('refuses to resume when the preparation changed after the checkpoint', async () => {
    const prep = await h.call('datasets.prepare', {
      datasetId,
      pipeline: { steps: [{ name: 'standardize', params: { use_raw: false } }] },
      name: 'std',
    });
    const mark = h.events.length;
    const d = await h.call('runs.start', { datasetId, preparationId: prep.id, modelKind: 'dynemo', config });
    await h.waitForEvent(isEpoch(d.id, 0), mark);
    await h.call('runs.cancel', { runId: d.id });
    expect(await h.finished(d.id, mark)).toBe('cancelled');

    const store = h.services.projects.require();
    const datasets = new DatasetRepository(store);
    const output = datasets.preparationOutputs(prep.id)[0]!;
    const n = datasets.session(output.sessionId).nSamples;
    const replacement = writeArray(store, {
      dtype: 'float32',
      shape: [n, 4],
      data: new Float32Array(n * 4).map((_, i) => Math.sin(i)),
    });
    datasets.addPreparationOutput({ ...output, arrayId: replacement, gapMaskArrayId: null });

    const error = await h.call('runs.resume', { runId: d.id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'DATA_CHANGED' } });
    expect((error as Error).message).toMatch(/preparation \d+ changed after run \d+'s checkpoint/);
    expect((await h.call('runs.get', { runId: d.id })).status).toBe('cancelled');
  });

  it('restores and lowers the learning rate on a non-finite loss, logs it, and fails clearly when it never recovers', async () => {
    const store = h.services.projects.require();
    const datasets = new DatasetRepository(store);
    const broken = datasets.create({
      name: 'with NaN',
      format: 'test',
      samplingRateHz: 100,
      channels: [0, 1, 2, 3].map((i) => ({ name: `c${i}`, type: 'eeg' })),
    });
    const data = new Float32Array(400 * 4).map((_, i) => Math.cos(i * 0.1));
    data[123] = NaN;
    const arrayId = writeArray(store, { dtype: 'float32', shape: [400, 4], data });
    datasets.addSession(broken.id, { sourcePath: 'generated', nSamples: 400, dataArrayId: arrayId });

    const mark = h.events.length;
    const run = await h.call('runs.start', {
      datasetId: broken.id,
      modelKind: 'dynemo',
      config: tinyDynemoConfig({ n_epochs: 2 }),
    });
    expect(await h.finished(run.id, mark)).toBe('failed');
    const detail = await h.call('runs.get', { runId: run.id });
    const nanLines = detail.log.filter(
      (l) => l.level === 'warn' && l.message.includes('restored the last checkpoint'),
    );
    expect(nanLines).toHaveLength(5);
    expect(nanLines[0]!.message).toMatch(/lowered the learning rate to 0\.005\b/);
    expect(detail.error).toMatchObject({ code: 'DIVERGED' });
    expect(detail.error!.message).toMatch(/not finite after 5 restarts/);
    expect(store.integrityCheck()).toEqual([]);
  });
});
