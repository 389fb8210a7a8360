import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleNodeEntry } from '../helpers/nodeEntryBundle';
import type { ChannelName, EventName, RequestOf, ResponseOf } from '../../src-shared/rpc/contract';
import { RpcError } from '../../src-shared/rpc/errors';
import { createServices, type Services } from '../../src-main/services/createServices';

/** The training-process entry bundled for a plain `node` child (see bundleNodeEntry). */
export function buildTrainerBundle(): Promise<string> {
  return bundleNodeEntry('src-main/training/trainingProcess.ts');
}

export interface Harness {
  services: Services;
  dir: string;
  call<C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Every event emitted so far, in order. */
  events: { event: EventName; payload: unknown }[];
  /** The first matching event at or after position `from` of `events` (default: any). */
  waitForEvent(
    predicate: (event: EventName, payload: unknown) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<unknown>;
  /** Resolves with the final status of a run, reported at or after position `from` of `events`. */
  finished(runId: number, from: number, timeoutMs?: number): Promise<string>;
  dispose(): void;
}

const FINAL = new Set(['completed', 'cancelled', 'failed', 'interrupted']);

export function createHarness(trainerEntry: string): Harness {
  process.env.MODESCOPE_TRAINER_ENTRY = trainerEntry;
  process.env.MODESCOPE_MAX_BACKEND = 'cpu';
  const dir = mkdtempSync(path.join(tmpdir(), 'modescope-training-'));
  const services = createServices({ transport: 'in-process', configDir: path.join(dir, 'config') });
  const events: Harness['events'] = [];
  const waiters: { predicate: (e: EventName, p: unknown) => boolean; resolve: (p: unknown) => void }[] = [];
  services.events.onAny((event, payload) => {
    events.push({ event, payload });
    for (const w of [...waiters]) {
      if (w.predicate(event, payload)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
    }
  });
  const waitForEvent: Harness['waitForEvent'] = (predicate, from = 0, timeoutMs = 60_000) => {
    const seen = events.slice(from).find((e) => predicate(e.event, e.payload));
    if (seen) return Promise.resolve(seen.payload);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  };
  return {
    services,
    dir,
    events,
    async call(channel, input) {
      const reply = await services.dispatch(channel, input);
      if (!reply.ok) throw RpcError.fromData(reply.error);
      return reply.result as never;
    },
    waitForEvent,
    async finished(runId, from, timeoutMs) {
      const payload = (await waitForEvent(
        (e, p) =>
          e === 'run.status' &&
          (p as { runId: number }).runId === runId &&
          FINAL.has((p as { status: string }).status),
        from,
        timeoutMs,
      )) as { status: string };
      return payload.status;
    },
    dispose() {
      services.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small DyNeMo that trains in well under a second per epoch on two slow cores. */
export function tinyDynemoConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    n_modes: 3,
    sequence_length: 20,
    inference_n_units: 8,
    model_n_units: 8,
    batch_size: 10,
    n_epochs: 4,
    n_init: 0,
    n_kl_annealing_epochs: 2,
    learning_rate: 0.01,
    seed: 7,
    ...overrides,
  };
}

/** Creates a project with a simulated 4-channel HMM dataset (two sessions); returns the dataset id. */
export async function simulatedProject(h: Harness, nSamples = 1000): Promise<number> {
  await h.call('projects.create', { path: path.join(h.dir, 'p.modescope'), name: 'training test' });
  const dataset = await h.call('datasets.simulate', {
    name: 'sim',
    spec: { kind: 'HMM_MVN', n_samples: nSamples, n_channels: 4, n_states: 3, n_sessions: 2, seed: 3 },
  });
  return dataset.id;
}

/** A test file's training setup: the bundled trainer, a harness on it and a simulated dataset. */
export interface SimulatedTrainingProject {
  h: Harness;
  datasetId: number;
  /** Stops the harness and removes the trainer bundle. */
  dispose(): void;
}

export async function simulatedTrainingProject(nSamples?: number): Promise<SimulatedTrainingProject> {
  const entry = await buildTrainerBundle();
  const h = createHarness(entry);
  const dispose = () => {
    h.dispose();
    rmSync(entry, { force: true });
  };
  try {
    return { h, datasetId: await simulatedProject(h, nSamples), dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** Trains a DyNeMo run to the end; its id, or an error naming the status it ended in instead. */
export async function completedDynemoRun(
  h: Harness,
  request: { datasetId: number; config: Record<string, unknown>; name?: string },
  timeoutMs?: number,
): Promise<number> {
  const mark = h.events.length;
  const run = await h.call('runs.start', { ...request, modelKind: 'dynemo' });
  const status = await h.finished(run.id, mark, timeoutMs);
  if (status !== 'completed') throw new Error(`run ${run.id} ended ${status}, not completed`);
  return run.id;
}
