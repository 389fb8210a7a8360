import { parentPort } from 'node:worker_threads';
import { regressionSpectra } from '../../analysis';
import {
  resultTransferables,
  serialiseWorkerError,
  type FromAnalysisWorker,
  type ToAnalysisWorker,
} from './analysisWorkerProtocol';
import { analyseSessionStates } from './sessionStates';

/**
 * Entry of the analysis worker thread (bundled as out/main/analysisWorker.js): the GMM
 * binarisation and the regression spectra take seconds per session, which would stall the
 * services' event loop (and so every RPC answer and the UI). Tasks run one at a time in the order
 * they arrive; the services side cancels by terminating the thread.
 */

const port = parentPort;
if (!port) throw new Error('analysisWorker.ts must run as a worker thread');

const post = (message: FromAnalysisWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

let queue = Promise.resolve();

port.on('message', ({ id, task }: ToAnalysisWorker) => {
  queue = queue.then(async () => {
    try {
      if (task.kind === 'states') {
        const result = await analyseSessionStates(
          task.alpha,
          task.nModes,
          task.covariances,
          task.samplingRate,
          task.sessionName,
          { onMode: (done) => post({ id, type: 'progress', done }) },
        );
        post({ id, type: 'states', result }, resultTransferables(result));
      } else {
        const result = regressionSpectra(task.data, task.nChannels, task.alpha, task.nModes, task.options);
        post({ id, type: 'spectra', result }, resultTransferables(result));
      }
    } catch (error) {
      post({ id, type: 'error', error: serialiseWorkerError(error, task) });
    }
  });
});
