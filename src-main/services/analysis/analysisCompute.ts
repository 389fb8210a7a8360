import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RpcError } from '../../../src-shared/rpc/errors';
import { regressionSpectra, type RegressionSpectra, type RegressionSpectraOptions } from '../../analysis';
import {
  reviveWorkerError,
  type AnalysisTask,
  type FromAnalysisWorker,
  type ToAnalysisWorker,
} from './analysisWorkerProtocol';
import { analyseSessionStates, type SessionStates } from './sessionStates';

/**
 * Where the heavy, pure part of a run's analysis runs. The services side reads α and data from
 * the store and saves the results; this does the computing in between.
 *
 * - `workerAnalysisCompute`: in a worker thread (analysisWorker.ts), so the services' event loop
 *   stays free (issue #6: ≤ 50 ms p99 lag). Inputs are transferred, i.e. the caller's arrays are
 *   detached after a call.
 * - `inProcessAnalysisCompute`: on the calling thread, yielding between modes and sessions only.
 *   The fallback when no worker bundle exists: vitest runs the TypeScript sources, where there is
 *   no analysisWorker.js beside this module unless a test bundles one and names it in
 *   MODESCOPE_ANALYSIS_WORKER_ENTRY.
 */
export interface AnalysisCompute {
  readonly where: 'worker' | 'in-process';
  sessionStates(
    task: Omit<Extract<AnalysisTask, { kind: 'states' }>, 'kind'>,
    onMode?: (done: number) => void,
  ): Promise<SessionStates>;
  spectra(
    data: Float64Array,
    nChannels: number,
    alpha: Float64Array,
    nModes: number,
    options: RegressionSpectraOptions,
  ): Promise<RegressionSpectra>;
  dispose(): void;
}

export function inProcessAnalysisCompute(signal?: AbortSignal): AnalysisCompute {
  return {
    where: 'in-process',
    sessionStates: (t, onMode) =>
      analyseSessionStates(t.alpha, t.nModes, t.covariances, t.samplingRate, t.sessionName, {
        ...(signal ? { signal } : {}),
        ...(onMode ? { onMode } : {}),
      }),
    spectra: (data, nChannels, alpha, nModes, options) =>
      Promise.resolve(regressionSpectra(data, nChannels, alpha, nModes, options)),
    dispose: () => undefined,
  };
}

/**
 * The bundled worker: MODESCOPE_ANALYSIS_WORKER_ENTRY, else out/main/analysisWorker.js found from
 * this module whether the bundler left it at the top or in chunks/; null when there is none.
 */
export function analysisWorkerEntry(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MODESCOPE_ANALYSIS_WORKER_ENTRY) return env.MODESCOPE_ANALYSIS_WORKER_ENTRY;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'analysisWorker.js'), path.join(here, '..', 'analysisWorker.js')];
  return candidates.find((c) => existsSync(c)) ?? null;
}

interface Pending {
  resolve: (message: FromAnalysisWorker) => void;
  reject: (error: Error) => void;
  onProgress?: (done: number) => void;
}

/** Starts the thread at the first task; an abort terminates it and rejects what is pending. */
export function workerAnalysisCompute(entry: string, signal?: AbortSignal): AnalysisCompute {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const stop = () => {
    const w = worker;
    worker = null;
    if (w) void w.terminate();
  };
  const onAbort = () => {
    stop();
    failAll(new RpcError('CANCELLED', 'analysis cancelled'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const start = (): Worker => {
    const w = new Worker(entry);
    w.on('message', (message: FromAnalysisWorker) => {
      const p = pending.get(message.id);
      if (!p) return;
      if (message.type === 'progress') {
        p.onProgress?.(message.done);
        return;
      }
      pending.delete(message.id);
      if (message.type === 'error') p.reject(reviveWorkerError(message.error));
      else p.resolve(message);
    });
    w.on('error', (error) => {
      if (worker === w) worker = null;
      failAll(new Error(`analysis worker failed: ${error.message}`));
    });
    w.on('exit', (code) => {
      if (worker !== w) return;
      worker = null;
      failAll(new Error(`analysis worker exited with code ${code}`));
    });
    return w;
  };

  const send = (task: AnalysisTask, transfer: ArrayBuffer[], onProgress?: (done: number) => void) =>
    new Promise<FromAnalysisWorker>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RpcError('CANCELLED', 'analysis cancelled'));
        return;
      }
      worker ??= start();
      const id = nextId++;
      pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      const message: ToAnalysisWorker = { id, task };
      worker.postMessage(message, transfer);
    });

  const buffers = (...arrays: (ArrayBufferView | null)[]) => {
    const out = new Set<ArrayBuffer>();
    for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
    return [...out];
  };

  return {
    where: 'worker',
    async sessionStates(t, onMode) {
      // The covariances are shared by every session, so they are copied, not transferred.
      const reply = await send({ kind: 'states', ...t }, buffers(t.alpha), onMode);
      if (reply.type !== 'states') throw new Error(`analysis worker answered ${reply.type} to a states task`);
      return reply.result;
    },
    async spectra(data, nChannels, alpha, nModes, options) {
      const task: AnalysisTask = { kind: 'spectra', data, nChannels, alpha, nModes, options };
      const reply = await send(task, buffers(data, alpha));
      if (reply.type !== 'spectra')
        throw new Error(`analysis worker answered ${reply.type} to a spectra task`);
      return reply.result;
    },
    dispose() {
      signal?.removeEventListener('abort', onAbort);
      stop();
      failAll(new Error('analysis worker disposed'));
    },
  };
}

/** The worker when a bundle exists, else the in-process fallback (see above). */
export function createAnalysisCompute(signal?: AbortSignal): AnalysisCompute {
  const entry = analysisWorkerEntry();
  return entry ? workerAnalysisCompute(entry, signal) : inProcessAnalysisCompute(signal);
}
