import type { PreparationPipeline, TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { pipelineToJson } from '../../../src-shared/domain/preparation';
import { RpcError } from '../../../src-shared/rpc/errors';
import { readRows, writeArray } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import type { JobHandle } from '../jobRegistry';
import { datasetError } from './errors';
import { runPipelineOffLoop } from './preparePipelineRunner';
import type { FittedPreparation } from './summaries';

export const PCA_COMPONENTS_ROLE = 'pca_components';

/** Progress of the pipeline in thousandths, after loading (10%) and before storing. */
const UNITS = 1000;

/**
 * Runs a preparation pipeline over the stored sessions of a dataset and stores one prepared array
 * (and gap mask) per session. The preparation row moves pending → running → done, failed or
 * cancelled; the outputs, the fitted information and the 'done' status are written in one
 * transaction, so a failed or cancelled preparation has no outputs at all.
 */
export async function prepareDataset(
  store: ProjectStore,
  request: { datasetId: number; pipeline: PreparationPipeline; name?: string | undefined },
  job: JobHandle,
): Promise<number> {
  const repo = new DatasetRepository(store);
  const dataset = repo.get(request.datasetId);
  const sessions = repo.sessions(dataset.id);
  if (sessions.length === 0) {
    throw new RpcError('INVALID_INPUT', `dataset "${dataset.name}" has no sessions to prepare`, {
      datasetId: dataset.id,
    });
  }
  const preparation = repo.createPreparation(dataset.id, {
    name: request.name ?? null,
    pipeline: JSON.parse(pipelineToJson(request.pipeline)) as unknown,
  });
  try {
    repo.setPreparationStatus(preparation.id, 'running');
    const inputs: TimeSeriesSession[] = [];
    for (const [i, s] of sessions.entries()) {
      job.progress(
        `loading session ${i + 1} of ${sessions.length}`,
        (i * UNITS * 0.1) / sessions.length,
        UNITS,
      );
      if (s.dataArrayId === null) {
        throw new RpcError('INVALID_INPUT', `session ${s.id} holds no data`, { sessionId: s.id });
      }
      const data = readRows(store, s.dataArrayId, 0, s.nSamples) as Float32Array;
      const gapMask =
        s.gapMaskArrayId === null
          ? undefined
          : (readRows(store, s.gapMaskArrayId, 0, s.nSamples) as Uint8Array);
      inputs.push({
        data,
        nSamples: s.nSamples,
        nChannels: dataset.nChannels,
        samplingRate: dataset.samplingRateHz,
        gapMask,
      });
      await new Promise<void>((r) => setImmediate(r));
      job.throwIfCancelled();
    }
    const result = await runPipelineOffLoop(inputs, request.pipeline, {
      channelNames: dataset.channels.map((c) => c.name),
      signal: job.signal,
      onProgress: (p) => job.progress(p.message, UNITS * (0.1 + 0.85 * p.fraction), UNITS),
    });
    job.throwIfCancelled();
    job.progress('storing prepared sessions', UNITS * 0.95, UNITS);

    const outputs = result.sessions;
    const nChannels = outputs[0]?.nChannels ?? 0;
    const channelNames =
      result.info.channelNames ?? Array.from({ length: nChannels }, (_, i) => `channel ${i + 1}`);
    const sessionIds = result.info.sessionIndices.map((k) => sessions[k]!.id);
    const fitted: FittedPreparation = {
      channelNames,
      samplingRate: result.info.samplingRate,
      sessionIds,
      sessionStartTimes: result.info.sessionStartTimes,
      explainedVariance: result.info.explainedVariance ?? null,
      nEmbeddings: result.info.nEmbeddings ?? null,
    };
    store.transaction(() => {
      outputs.forEach((out, k) => {
        const arrayId = writeArray(store, {
          name: `prepared:${preparation.id}:${sessionIds[k]}`,
          dtype: 'float32',
          shape: [out.nSamples, out.nChannels],
          data: out.data,
        });
        const gapMaskArrayId = out.gapMask
          ? writeArray(store, {
              name: `prepared:${preparation.id}:${sessionIds[k]}:gaps`,
              dtype: 'uint8',
              shape: [out.nSamples],
              data: out.gapMask,
            })
          : null;
        repo.addPreparationOutput({
          preparationId: preparation.id,
          sessionId: sessionIds[k]!,
          arrayId,
          gapMaskArrayId,
        });
      });
      const components = result.info.pcaComponents;
      if (components && components.length > 0) {
        const rows = components.length;
        const cols = components[0]!.length;
        const flat = new Float64Array(rows * cols);
        components.forEach((r, i) => flat.set(r, i * cols));
        const arrayId = writeArray(store, {
          name: `pca:${preparation.id}`,
          dtype: 'float64',
          shape: [rows, cols],
          data: flat,
        });
        repo.addDatasetArray({
          datasetId: dataset.id,
          preparationId: preparation.id,
          role: PCA_COMPONENTS_ROLE,
          arrayId,
        });
      }
      repo.setPreparationStatus(preparation.id, 'done', {
        samplingRateHz: result.info.samplingRate,
        nChannels,
        fitted,
      });
      store.appendAction({
        kind: 'datasets.prepare',
        payload: {
          datasetId: dataset.id,
          preparationId: preparation.id,
          pipeline: request.pipeline,
          name: request.name,
        },
        cli: `modescope prepare --project <project> --dataset ${dataset.id} --pipeline <pipeline.json>`,
      });
    });
    return preparation.id;
  } catch (error) {
    const mapped = datasetError(error);
    const cancelled = job.signal.aborted || (mapped instanceof RpcError && mapped.code === 'CANCELLED');
    const message = mapped instanceof Error ? mapped.message : String(mapped);
    try {
      repo.setPreparationStatus(preparation.id, cancelled ? 'cancelled' : 'failed', {
        error: {
          code: mapped instanceof RpcError ? mapped.code : 'INTERNAL',
          message,
          ...(mapped instanceof RpcError && mapped.details !== undefined ? { details: mapped.details } : {}),
        },
      });
    } catch {
      // The project may have been closed under us; the error below is what matters.
    }
    if (cancelled && !(mapped instanceof RpcError && mapped.code === 'CANCELLED')) {
      throw new RpcError('CANCELLED', 'prepare cancelled', { preparationId: preparation.id });
    }
    throw mapped;
  }
}
