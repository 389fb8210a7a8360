import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  PipelineValidationError,
  type PreparationPipeline,
  type TimeSeriesSession,
} from '../../../src-shared/domain/preparation';
import { PreparationCancelledError, PreparationError } from '../../data/prepare/errors';
import { runPipeline, type PipelineResult, type RunPipelineOptions } from '../../data/prepare/pipeline';
import {
  sessionTransferables,
  type FromPrepareWorker,
  type PrepareWorkerError,
  type ToPrepareWorker,
} from './prepareWorkerProtocol';

/**
 * Runs a preparation pipeline off the services' event loop (issue #6: ≤ 50 ms p99 lag) in a
 * worker thread (prepareWorker.ts) when its bundle exists: MODESCOPE_PREPARE_WORKER_ENTRY, else
 * prepareWorker.js beside the running bundle. From the TypeScript sources (vitest) there is none,
 * and the pipeline runs in-process, where its long loops are time-sliced (data/prepare/timeSlices.ts)
 * but TDE-PCA's eigendecomposition still holds the loop (~1 s for 240 inputs on a loaded machine).
 * Either way the results are the same numbers. Input arrays that own their buffer are transferred,
 * i.e. detached from the caller.
 */
export function prepareWorkerEntry(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MODESCOPE_PREPARE_WORKER_ENTRY) return env.MODESCOPE_PREPARE_WORKER_ENTRY;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'prepareWorker.js'), path.join(here, '..', 'prepareWorker.js')];
  return candidates.find((c) => existsSync(c)) ?? null;
}

function revive(error: PrepareWorkerError): Error {
  if (error.name === 'PipelineValidationError' && error.issues)
    return new PipelineValidationError(error.issues);
  if (error.name === 'PreparationError') return new PreparationError(error.message);
  const revived = new Error(`preparation worker: ${error.message}`);
  revived.name = error.name;
  return revived;
}

export function runPipelineInWorker(
  entry: string,
  sessions: TimeSeriesSession[],
  pipeline: PreparationPipeline,
  options: RunPipelineOptions = {},
): Promise<PipelineResult> {
  const { signal, onProgress, channelNames } = options;
  if (signal?.aborted) return Promise.reject(new PreparationCancelledError());
  return new Promise<PipelineResult>((resolve, reject) => {
    const worker = new Worker(entry);
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = () => finish(() => reject(new PreparationCancelledError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromPrepareWorker) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'result') finish(() => resolve(message.result));
      else finish(() => reject(revive(message.error)));
    });
    worker.on('error', (error) =>
      finish(() => reject(new Error(`preparation worker failed: ${error.message}`))),
    );
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`preparation worker exited with code ${code} before answering`))),
    );
    const request: ToPrepareWorker = { sessions, pipeline, ...(channelNames ? { channelNames } : {}) };
    worker.postMessage(request, sessionTransferables(sessions));
  });
}

export function runPipelineOffLoop(
  sessions: TimeSeriesSession[],
  pipeline: PreparationPipeline,
  options: RunPipelineOptions = {},
): Promise<PipelineResult> {
  const entry = prepareWorkerEntry();
  return entry
    ? runPipelineInWorker(entry, sessions, pipeline, options)
    : runPipeline(sessions, pipeline, options);
}
