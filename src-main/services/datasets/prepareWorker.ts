import { parentPort } from 'node:worker_threads';
import { PipelineValidationError } from '../../../src-shared/domain/preparation';
import { runPipeline } from '../../data/prepare/pipeline';
import { sessionTransferables, type FromPrepareWorker, type ToPrepareWorker } from './prepareWorkerProtocol';

/**
 * Entry of the preparation worker thread (bundled as out/main/prepareWorker.js): one pipeline per
 * thread. TDE-PCA's eigendecomposition alone holds a thread for about a second, which the
 * services' event loop must not (issue #6). The services side cancels by terminating the thread.
 */

const port = parentPort;
if (!port) throw new Error('prepareWorker.ts must run as a worker thread');

const post = (message: FromPrepareWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

port.once('message', ({ sessions, pipeline, channelNames }: ToPrepareWorker) => {
  runPipeline(sessions, pipeline, {
    ...(channelNames ? { channelNames } : {}),
    onProgress: (progress) => post({ type: 'progress', progress }),
  }).then(
    (result) => post({ type: 'result', result }, sessionTransferables(result.sessions)),
    (error: unknown) => {
      if (error instanceof PipelineValidationError) {
        post({ type: 'error', error: { name: error.name, message: error.message, issues: error.issues } });
      } else if (error instanceof Error) {
        post({ type: 'error', error: { name: error.name, message: error.message } });
      } else {
        post({ type: 'error', error: { name: 'Error', message: String(error) } });
      }
    },
  );
});
