import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { SessionImputation } from '../../imputation/modelImputation';
import type { MaskedSession } from '../../imputation/missingEntries';
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

/**
 * Where imputation runs: in a worker thread (gapWorker.ts) when its bundle exists, so the
 * services' event loop stays free; otherwise in this process, the model in segments, yielding
 * between them, the autoregressive imputer a session at a time (vitest runs the sources, where no
 * bundle sits beside this module unless a test names one in MODESCOPE_GAP_WORKER_ENTRY).
 */
export interface GapImputer {
  readonly where: 'worker' | 'in-process';
  impute(
    session: MaskedSession,
    options: ImputeOptions,
    label: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<SessionImputation>;
  dispose(): void;
}

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
      : { type: 'model', model: readGapModelSpec(store, runId).spec, label: `run ${runId}` };
  const worker = new Worker(entry);
  let nextId = 1;
  const pending = new Map<
    number,
    {
      resolve: (r: SessionImputation) => void;
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
    else p.resolve(message.result);
  });
  worker.on('error', (error) => failAll(new Error(`gaps worker failed: ${error.message}`)));
  worker.on('exit', (code) => {
    if (!stopped) failAll(new Error(`gaps worker exited with code ${code}`));
  });
  worker.postMessage(first);
  return {
    where: 'worker',
    impute: (session, options, label, onProgress) =>
      new Promise<SessionImputation>((resolve, reject) => {
        if (signal.aborted) {
          reject(cancelled());
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject, onProgress });
        const message: ToGapWorker = { type: 'impute', id, session, options, label };
        worker.postMessage(message);
      }),
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
  return choice.kind === 'autoregressive'
    ? inProcessAutoregressive(choice.order, signal)
    : inProcessImputer(store, runId, signal);
}
