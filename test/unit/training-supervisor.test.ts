import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/services/eventBus';
import { writeArray } from '../../src-main/store/arrayStore';
import { DatasetRepository } from '../../src-main/store/datasetRepository';
import { ProjectStore } from '../../src-main/store/projectStore';
import { RunRepository } from '../../src-main/store/runRepository';
import type { ToTrainer } from '../../src-main/training/protocol';
import type { TrainingChannel } from '../../src-main/training/trainingChannel';
import { resolveTrainingData } from '../../src-main/training/trainingData';
import { TrainingSupervisor } from '../../src-main/training/trainingSupervisor';

/** A training process played by the test: it records what it is sent and says what we tell it to. */
class FakeProcess implements TrainingChannel {
  readonly pid = 4242;
  sent: ToTrainer[] = [];
  private messageListener: (m: unknown) => void = () => undefined;
  private exitListener: (e: { code: number | null; signal: string | null }) => void = () => undefined;
  send(message: ToTrainer) {
    this.sent.push(message);
  }
  onMessage(listener: (m: unknown) => void) {
    this.messageListener = listener;
  }
  onExit(listener: (e: { code: number | null; signal: string | null }) => void) {
    this.exitListener = listener;
  }
  kill() {
    this.exit(null, 'SIGKILL');
  }
  stderrTail() {
    return 'Segmentation fault\n';
  }
  say(message: unknown) {
    this.messageListener(message);
  }
  exit(code: number | null, signal: string | null) {
    this.exitListener({ code, signal });
  }
}

const engine = { backend: 'cpu', kernelPath: 'typescript', simd: false, threads: 1 } as const;

let dir: string;
let store: ProjectStore;
let runId: number;
let fake: FakeProcess;
let supervisor: TrainingSupervisor;
let events: { event: string; payload: unknown }[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'supervisor-'));
  store = ProjectStore.create(path.join(dir, 'p.modescope'), { name: 'p' });
  const datasets = new DatasetRepository(store);
  const d = datasets.create({
    name: 'd',
    format: 'test',
    samplingRateHz: 100,
    channels: [{ name: 'a', type: 'eeg' }],
  });
  const arrayId = writeArray(store, { dtype: 'float32', shape: [10, 1], data: new Float32Array(10) });
  datasets.addSession(d.id, { sourcePath: 'x', nSamples: 10, dataArrayId: arrayId });
  runId = new RunRepository(store).create({ datasetId: d.id, modelKind: 'dynemo', config: {}, seed: 0 }).id;
  const bus = new EventBus();
  events = [];
  bus.onAny((event, payload) => events.push({ event, payload }));
  fake = new FakeProcess();
  supervisor = new TrainingSupervisor({ events: bus, spawn: () => fake, entryPath: 'unused' });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(signal = new AbortController().signal) {
  const data = resolveTrainingData(store, 1, null);
  return supervisor.start({
    store,
    runId,
    modelKind: 'dynemo',
    config: {},
    sessions: data.sessions,
    dataSignature: data.signature,
    checkpoint: null,
    signal,
  });
}

describe('TrainingSupervisor', () => {
  it('sends one start naming the arrays and forwards a cancel', async () => {
    const controller = new AbortController();
    const handle = start(controller.signal);
    expect(fake.sent[0]).toMatchObject({
      type: 'start',
      modelKind: 'dynemo',
      checkpoint: null,
      batchIntervalMs: 100,
    });
    fake.say({ type: 'ready', engine });
    await handle.ready;
    expect(new RunRepository(store).get(runId)).toMatchObject({
      status: 'running',
      backend: 'cpu/typescript',
    });
    controller.abort();
    expect(fake.sent[1]).toEqual({ type: 'cancel' });
    fake.say({ type: 'cancelled' });
    expect(await handle.finished).toMatchObject({ status: 'cancelled' });
    expect(new RunRepository(store).get(runId).status).toBe('cancelled');
  });

  it('marks the run interrupted with the exit and stderr when the process dies before it ends', async () => {
    const handle = start();
    fake.say({ type: 'ready', engine });
    fake.exit(null, 'SIGSEGV');
    const outcome = await handle.finished;
    expect(outcome.status).toBe('interrupted');
    expect(outcome.message).toMatch(/was killed \(SIGSEGV\) before the run ended: Segmentation fault/);
    const run = new RunRepository(store).get(runId);
    expect(run.status).toBe('interrupted');
    expect(run.timings).toMatchObject({ epochs: 0, engine: { backend: 'cpu' } });
  });

  it('rejects the start when the process exits during initialisation', async () => {
    const handle = start();
    fake.exit(1, null);
    await expect(handle.ready).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/exited with code 1/),
    });
    expect((await handle.finished).status).toBe('interrupted');
  });

  it('fails the run and kills the process on a malformed message', async () => {
    const handle = start();
    fake.say({ type: 'ready', engine });
    fake.say({ type: 'epoch', record: { index: -1 } });
    const outcome = await handle.finished;
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/malformed from-trainer message: record/);
    expect(new RunRepository(store).get(runId).error).toMatchObject({ code: 'INTERNAL' });
  });

  it('maps a refused config to INVALID_INPUT naming the field', async () => {
    const handle = start();
    fake.say({ type: 'error', code: 'INVALID_CONFIG', message: 'n_modes: too few', fields: ['n_modes'] });
    await expect(handle.ready).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'n_modes' },
    });
    expect(await handle.finished).toMatchObject({ status: 'failed' });
    expect(
      events.filter((e) => e.event === 'run.status').map((e) => (e.payload as { status: string }).status),
    ).toEqual(['failed']);
  });

  it('logs NaN recoveries as warnings in the run log', async () => {
    const handle = start();
    fake.say({ type: 'ready', engine });
    fake.say({
      type: 'nan',
      message:
        'loss NaN at batch 3 of epoch 2: restored the last checkpoint and lowered the learning rate to 0.005',
      newLr: 0.005,
    });
    fake.say({ type: 'done' });
    expect((await handle.finished).status).toBe('completed');
    const log = new RunRepository(store)
      .results(runId, { kind: 'log' })
      .map((r) => r.value as { level: string; message: string });
    expect(log.find((l) => l.level === 'warn')?.message).toMatch(
      /^not-a-number loss: loss NaN at batch 3 .* 0\.005$/,
    );
    expect(supervisor.isActive(runId)).toBe(false);
  });
});
