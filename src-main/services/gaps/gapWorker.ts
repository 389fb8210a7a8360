import { parentPort } from 'node:worker_threads';
import type { LatentSequenceModel } from '../../engine/models/dvae/sequenceModel';
import type { SessionImputation } from '../../imputation/modelImputation';
import { imputeAutoregressive } from './autoregressiveGapImputation';
import { buildGapModel } from './gapModel';
import type { FromGapWorker, ToGapWorker } from './gapWorkerProtocol';
import { imputeInSegments } from './segmentedImputation';
import { imputeStacked, stackedGapStatistics, type StackedGapSettings } from './stackedGapImputation';

/**
 * Entry of the gaps worker thread (bundled as out/main/gapWorker.js when the build lists it):
 * model imputation takes seconds to minutes per session and would stall the services' event loop,
 * which on the desktop is Electron's main process. Tasks run one at a time; the services cancel by
 * terminating the thread.
 */
const port = parentPort;
if (!port) throw new Error('gapWorker.ts must run as a worker thread');

const post = (message: FromGapWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let model: Promise<LatentSequenceModel> | null = null;
/** Set instead of the model when the job uses the autoregressive imputer. */
let autoregressiveOrder: number | null = null;
/** Set instead of the model when the job uses the stacked imputer. */
let stacked: StackedGapSettings | null = null;
let queue = Promise.resolve();

const errorMessage = (id: number, error: unknown): FromGapWorker => {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return {
    id,
    type: 'error',
    name: e.name,
    message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
};

port.on('message', (message: ToGapWorker) => {
  if (message.type === 'model') {
    model = buildGapModel(message.model, message.label);
    // Reported with the first task.
    model.catch(() => undefined);
    return;
  }
  if (message.type === 'autoregressive') {
    autoregressiveOrder = message.order;
    return;
  }
  if (message.type === 'stacked') {
    stacked = message.settings;
    return;
  }
  if (message.type === 'calibrate') {
    const { id, session, seed, label } = message;
    queue = queue.then(() => {
      try {
        if (!stacked) throw new Error('the gaps worker got a calibration task without the stacked imputer');
        post({ id, type: 'calibrated', statistics: stackedGapStatistics(session, stacked, seed, label) });
      } catch (error) {
        post(errorMessage(id, error));
      }
    });
    return;
  }
  const { id } = message;
  queue = queue.then(async () => {
    try {
      let result: SessionImputation;
      if (stacked) {
        post({ id, type: 'progress', done: 0, total: 1 });
        const { samples, seed, stackingCurves } = message.options;
        if (!stackingCurves) throw new Error('the stacked imputer needs its calibrated curves');
        result = imputeStacked(message.session, stacked, stackingCurves, { samples, seed }, message.label);
      } else if (autoregressiveOrder !== null) {
        post({ id, type: 'progress', done: 0, total: 1 });
        const { samples, seed } = message.options;
        result = imputeAutoregressive(
          message.session,
          { order: autoregressiveOrder, samples, seed },
          message.label,
        );
      } else {
        if (!model) throw new Error('the gaps worker got a task before its model');
        const m = await model;
        const { imputeSession } = await import('../../imputation/modelImputation');
        result = await imputeInSegments(
          imputeSession,
          m,
          message.session,
          message.options,
          message.label,
          (done, total) => {
            post({ id, type: 'progress', done, total });
            return Promise.resolve();
          },
        );
      }
      const buffers = [result.imputed.buffer, result.missing.buffer, result.std?.buffer].filter(
        (b): b is ArrayBuffer => b instanceof ArrayBuffer,
      );
      post({ id, type: 'imputed', result }, [...new Set(buffers)]);
    } catch (error) {
      post(errorMessage(id, error));
    }
  });
});
