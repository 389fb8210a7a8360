import { maxPreviewChannels, type Preview, type PreviewRequest } from '../../../src-shared/domain/dataset';
import { encodeArray } from '../../../src-shared/domain/encodedArray';
import type { Annotation, SampleRange } from '../../../src-shared/domain/recording';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readRowBlocks, readRows } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { maskRuns } from './gapMask';
import type { FittedPreparation } from './summaries';

interface PreviewSource {
  dataArrayId: number;
  maskArrayId: number | null;
  nSamples: number;
  nChannels: number;
  samplingRate: number;
  channelNames: string[];
  annotations: Annotation[];
}

function isAnnotation(value: unknown): value is Annotation {
  if (value === null || typeof value !== 'object') return false;
  const a = value as Record<string, unknown>;
  return typeof a.onset === 'number' && typeof a.duration === 'number' && typeof a.description === 'string';
}

function sourceOf(store: ProjectStore, request: PreviewRequest): PreviewSource {
  const repo = new DatasetRepository(store);
  const dataset = repo.get(request.datasetId);
  const session = repo.session(request.sessionId);
  if (session.datasetId !== dataset.id) {
    throw new RpcError('NOT_FOUND', `session ${session.id} is not part of dataset ${dataset.id}`, {
      datasetId: dataset.id,
      sessionId: session.id,
    });
  }
  const annotations = session.annotations.filter(isAnnotation);
  if (request.preparationId === undefined) {
    if (session.dataArrayId === null) throw new RpcError('NOT_FOUND', `session ${session.id} holds no data`);
    return {
      dataArrayId: session.dataArrayId,
      maskArrayId: session.gapMaskArrayId,
      nSamples: session.nSamples,
      nChannels: dataset.nChannels,
      samplingRate: dataset.samplingRateHz,
      channelNames: dataset.channels.map((c) => c.name),
      annotations,
    };
  }
  const preparation = repo.preparation(request.preparationId);
  if (preparation.datasetId !== dataset.id) {
    throw new RpcError('NOT_FOUND', `preparation ${preparation.id} is not part of dataset ${dataset.id}`);
  }
  if (preparation.status !== 'done') {
    throw new RpcError('INVALID_INPUT', `preparation ${preparation.id} is ${preparation.status}, not done`, {
      preparationId: preparation.id,
    });
  }
  const output = repo.preparationOutputs(preparation.id).find((o) => o.sessionId === session.id);
  if (!output) {
    throw new RpcError('NOT_FOUND', `preparation ${preparation.id} has no output for session ${session.id}`);
  }
  const info = arrayInfo(store, output.arrayId);
  const fitted = (preparation.fitted ?? {}) as Partial<FittedPreparation>;
  const k = fitted.sessionIds?.indexOf(session.id) ?? -1;
  const shift = k >= 0 ? (fitted.sessionStartTimes?.[k] ?? 0) : 0;
  return {
    dataArrayId: output.arrayId,
    maskArrayId: output.gapMaskArrayId,
    nSamples: info.nRows,
    nChannels: info.rowLength,
    samplingRate: preparation.samplingRateHz ?? dataset.samplingRateHz,
    channelNames:
      fitted.channelNames?.length === info.rowLength
        ? fitted.channelNames
        : Array.from({ length: info.rowLength }, (_, i) => `channel ${i + 1}`),
    // Prepared sessions may start later (tde trims edges): annotation times follow the new start.
    annotations: annotations.map((a) => ({ ...a, onset: a.onset - shift })),
  };
}

/**
 * A window of one session (raw or prepared) for drawing: min and max per pixel bucket, computed
 * chunk by chunk from the store so that a long window never sits in memory whole. Missing
 * samples do not enter the min/max (a bucket with only missing samples is NaN) and are listed as
 * gap ranges. A window of at most `maxPoints` samples comes back raw (min = max = the value).
 */
export function previewWindow(store: ProjectStore, request: PreviewRequest): Preview {
  const source = sourceOf(store, request);
  const { startSample: start, endSample: end } = request;
  if (end > source.nSamples) {
    throw new RpcError(
      'INVALID_INPUT',
      `window [${start}, ${end}) is outside the session's ${source.nSamples} samples`,
      { field: 'endSample', nSamples: source.nSamples },
    );
  }
  const channels =
    request.channels ?? Array.from({ length: Math.min(source.nChannels, maxPreviewChannels) }, (_, i) => i);
  const badChannel = channels.find((c) => c >= source.nChannels);
  if (badChannel !== undefined) {
    throw new RpcError(
      'INVALID_INPUT',
      `channel index ${badChannel} is out of range (the session has ${source.nChannels})`,
      {
        field: 'channels',
      },
    );
  }
  const nSel = channels.length;
  const n = end - start;
  const step = Math.max(1, Math.ceil(n / request.maxPoints));
  const points = Math.ceil(n / step);
  const min = new Float32Array(points * nSel).fill(Number.NaN);
  const max = new Float32Array(points * nSel).fill(Number.NaN);
  const gaps: SampleRange[] = [];
  const nCh = source.nChannels;

  for (const block of readRowBlocks(store, source.dataArrayId, start, end)) {
    const rows = block.rows as Float32Array;
    const nRows = rows.length / nCh;
    const mask =
      source.maskArrayId === null
        ? null
        : (readRows(store, source.maskArrayId, block.startRow, block.startRow + nRows) as Uint8Array);
    if (mask) {
      for (const run of maskRuns(mask, block.startRow)) {
        const last = gaps[gaps.length - 1];
        if (last && last.end === run.start) last.end = run.end;
        else gaps.push(run);
      }
    }
    for (let t = 0; t < nRows; t++) {
      if (mask && mask[t] !== 0) continue;
      const out = Math.floor((block.startRow + t - start) / step) * nSel;
      const row = t * nCh;
      for (let k = 0; k < nSel; k++) {
        const v = rows[row + channels[k]!]!;
        const lo = min[out + k]!;
        if (v < lo || lo !== lo) min[out + k] = v;
        const hi = max[out + k]!;
        if (v > hi || hi !== hi) max[out + k] = v;
      }
    }
  }

  const t0 = start / source.samplingRate;
  const t1 = end / source.samplingRate;
  return {
    samplingRate: source.samplingRate,
    startSample: start,
    endSample: end,
    nSamples: source.nSamples,
    channelNames: channels.map((c) => source.channelNames[c] ?? `channel ${c + 1}`),
    step,
    decimated: step > 1,
    min: encodeArray(min, [points, nSel]),
    max: encodeArray(max, [points, nSel]),
    gaps,
    annotations: source.annotations.filter((a) => a.onset < t1 && a.onset + a.duration >= t0),
  };
}
