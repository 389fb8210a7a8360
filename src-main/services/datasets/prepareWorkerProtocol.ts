import type {
  PreparationPipeline,
  PreparationPipelineInput,
  TimeSeriesSession,
} from '../../../src-shared/domain/preparation';
import type { PipelineProgress, PipelineResult } from '../../data/prepare/pipeline';

/** Messages between the services process and the preparation worker (prepareWorker.ts). */

export interface ToPrepareWorker {
  sessions: TimeSeriesSession[];
  pipeline: PreparationPipeline | PreparationPipelineInput;
  channelNames?: string[];
}

export interface PrepareWorkerError {
  name: string;
  message: string;
  issues?: Array<{ path: string; message: string }>;
}

export type FromPrepareWorker =
  | { type: 'progress'; progress: PipelineProgress }
  | { type: 'result'; result: PipelineResult }
  | { type: 'error'; error: PrepareWorkerError };

/**
 * The sessions' buffers, handed over rather than copied. Only arrays that own their whole buffer
 * go: a view into a larger (e.g. pooled) buffer is copied, so nothing else is detached under it.
 */
export function sessionTransferables(sessions: TimeSeriesSession[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const s of sessions) {
    for (const a of [s.data, s.gapMask]) {
      if (
        a &&
        a.buffer instanceof ArrayBuffer &&
        a.byteOffset === 0 &&
        a.byteLength === a.buffer.byteLength
      ) {
        buffers.add(a.buffer);
      }
    }
  }
  return [...buffers];
}
