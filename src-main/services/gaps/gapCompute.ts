import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { SessionImputation } from '../../imputation/modelImputation';
import type { MaskedSession } from '../../imputation/missingEntries';
import type { StackingStatistics } from '../../imputation/stackingCalibration';
import type { ProjectStore } from '../../store/projectStore';
import { loadGapModel, readGapModelSpec } from './gapModel';
import { imputeAutoregressive } from './autoregressiveGapImputation';
import {
  reviveGapWorkerError,
  type FromGapWorker,
  type GapImputerChoice,
  type ImputeOptions,
  type ToGapWorker,
} from './gapWorkerProtocol';
import { imputeInSegments } from './segmentedImputation';
import { imputeStacked, stackedGapStatistics, type StackedGapSettings } from './stackedGapImputation';

/**
 * Where imputation runs: in a worker thread (gapWorker.ts) when its bundle exists, so the
 * services' event loop stays free; otherwise in this process, the model in segments, yielding
 * between them, the autoregressive and stacked imputers a session at a time (vitest runs the
 * sources, where no bundle sits beside this module unless a test names one in
 * MODESCOPE_GAP_WORKER_ENTRY).
 */
export interface GapImputer {
  readonly where: 'worker' | 'in-process';
  impute(
    session: MaskedSession,
    options: ImputeOptions,
    label: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<SessionImputation>;
  /** The stacked imputer's calibration statistics of one session (other imputers refuse). */
  calibrate(session: MaskedSession, seed: number, label: string): Promise<StackingStatistics>;
  dispose(): void;
}

const notStacked = () =>
  Promise.reject(new Error('only the stacked imputer is calibrated')) as Promise<StackingStatistics>;

export function gapWorkerEntry(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MODESCOPE_GAP_WORKER_ENTRY) return env.MODESCOPE_GAP_WORKER_ENTRY;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'gapWorker.js'), path.join(here, '..', 'gapWorker.js')];
  return candidates.find((c) => existsSync(c)) ?? null;
}

const cancelled = () => new RpcError('CANCELLED', 'imputation cancelled');

function inProcessAutoregressive(order: number, signal: AbortSignal): GapImputer {
  return {
    where: 'in-process',
    async impute(session, options, label, onProgress) {
      if (signal.aborted) throw cancelled();
      onProgress(0, 1);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) throw cancelled();
      return imputeAutoregressive(session, { order, samples: options.samples, seed: options.seed }, label);
    },
    calibrate: notStacked,
    dispose: () => undefined,
  };
}

function inProcessStacked(settings: StackedGapSettings, signal: AbortSignal): GapImputer {
  const turn = async () => {
    if (signal.aborted) throw cancelled();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal.aborted) throw cancelled();
  };
  return {
    where: 'in-process',
    async impute(session, options, label, onProgress) {
      onProgress(0, 1);
      await turn();
      if (!options.stackingCurves) throw new Error('the stacked imputer needs its calibrated curves');
      return imputeStacked(
        session,
        settings,
        options.stackingCurves,
        { samples: options.samples, seed: options.seed },
        label,
      );
    },
    async calibrate(session, seed, label) {
      await turn();
      return stackedGapStatistics(session, settings, seed, label);
    },
    dispose: () => undefined,
  };
}

async function inProcessImputer(
  store: ProjectStore,
  runId: number,
  signal: AbortSignal,
): Promise<GapImputer> {
  const loaded = await loadGapModel(store, runId);
  const { imputeSession } = await import('../../imputation/modelImputation');
  return {
    where: 'in-process',
    impute: (session, options, label, onProgress) =>
      imputeInSegments(imputeSession, loaded.model, session, options, label, async (done, total) => {
        if (signal.aborted) throw cancelled();
        onProgress(done, total);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal.aborted) throw cancelled();
      }),
    calibrate: notStacked,
    dispose: () => loaded.dispose(),
  };
}

function workerImputer(
  entry: string,
  store: ProjectStore,
  runId: number,
  signal: AbortSignal,
  choice: GapImputerChoice,
): GapImputer {
  const first: ToGapWorker =
    choice.kind === 'autoregressive'
      ? { type: 'autoregressive', order: choice.order }
      : choice.kind === 'stacked'
        ? { type: 'stacked', settings: stackedSettings(choice) }
        : { type: 'model', model: readGapModelSpec(store, runId).spec, label: `run ${runId}` };
  const worker = new Worker(entry);
  let nextId = 1;
  const pending = new Map<
    number,
    {
      resolve: (r: SessionImputation | StackingStatistics) => void;
      reject: (e: Error) => void;
      onProgress: (d: number, t: number) => void;
    }
  >();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void worker.terminate();
  };
  const onAbort = () => {
    stop();
    failAll(cancelled());
  };
  signal.addEventListener('abort', onAbort, { once: true });
  worker.on('message', (message: FromGapWorker) => {
    const p = pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      p.onProgress(message.done, message.total);
      return;
    }
    pending.delete(message.id);
    if (message.type === 'error') p.reject(reviveGapWorkerError(message.name, message.message, message.code));
    else if (message.type === 'calibrated') p.resolve(message.statistics);
    else p.resolve(message.result);
  });
  worker.on('error', (error) => failAll(new Error(`gaps worker failed: ${error.message}`)));
  worker.on('exit', (code) => {
    if (!stopped) failAll(new Error(`gaps worker exited with code ${code}`));
  });
  worker.postMessage(first);
  const send = <T extends SessionImputation | StackingStatistics>(
    message: (id: number) => ToGapWorker,
    onProgress: (d: number, t: number) => void,
  ) =>
    new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(cancelled());
        return;
      }
      const id = nextId++;
      pending.set(id, {
        resolve: resolve as (r: SessionImputation | StackingStatistics) => void,
        reject,
        onProgress,
      });
      worker.postMessage(message(id));
    });
  return {
    where: 'worker',
    impute: (session, options, label, onProgress) =>
      send<SessionImputation>((id) => ({ type: 'impute', id, session, options, label }), onProgress),
    calibrate: (session, seed, label) =>
      choice.kind === 'stacked'
        ? send<StackingStatistics>(
            (id) => ({ type: 'calibrate', id, session, seed, label }),
            () => undefined,
          )
        : notStacked(),
    dispose() {
      signal.removeEventListener('abort', onAbort);
      stop();
      failAll(new Error('gaps worker disposed'));
    },
  };
}

export async function createGapImputer(
  store: ProjectStore,
  runId: number,
  signal: AbortSignal,
  choice: GapImputerChoice = { kind: 'model' },
): Promise<GapImputer> {
  const entry = gapWorkerEntry();
  if (entry) return workerImputer(entry, store, runId, signal, choice);
  if (choice.kind === 'autoregressive') return inProcessAutoregressive(choice.order, signal);
  if (choice.kind === 'stacked') return inProcessStacked(stackedSettings(choice), signal);
  return inProcessImputer(store, runId, signal);
}

function stackedSettings(choice: StackedGapSettings): StackedGapSettings {
  const { order, contextSamples, calibrationLengths, calibrationRounds, calibrationMarginSamples } = choice;
  return { order, contextSamples, calibrationLengths, calibrationRounds, calibrationMarginSamples };
}
