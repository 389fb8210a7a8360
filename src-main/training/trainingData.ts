import { RpcError } from '../../src-shared/rpc/errors';
import type { SessionInput } from '../engine/training/sequences';
import { arrayInfo, readArray } from '../store/arrayStore';
import { DatasetRepository } from '../store/datasetRepository';
import type { ProjectStore } from '../store/projectStore';
import type { SessionRef } from './protocol';

/**
 * Which arrays a run trains on: the prepared arrays of a preparation, or the dataset's raw session
 * arrays when no preparation is named. The services resolve this (and the data signature that a
 * resume compares) before spawning; the training process only loads the arrays it is told to.
 */

export interface TrainingSessionRef extends SessionRef {
  sessionId: number;
  nSamples: number;
  nChannels: number;
}

export interface TrainingData {
  sessions: TrainingSessionRef[];
  /** Changes whenever any array the run reads is replaced or re-created. */
  signature: string;
}

export function resolveTrainingData(
  store: ProjectStore,
  datasetId: number,
  preparationId: number | null,
): TrainingData {
  const repo = new DatasetRepository(store);
  repo.get(datasetId);
  let refs: { sessionId: number; dataArrayId: number | null; gapMaskArrayId: number | null }[];
  if (preparationId !== null) {
    const preparation = repo.preparation(preparationId);
    if (preparation.datasetId !== datasetId) {
      throw new RpcError(
        'INVALID_INPUT',
        `preparation ${preparationId} belongs to dataset ${preparation.datasetId}, not ${datasetId}`,
        { field: 'preparationId' },
      );
    }
    if (preparation.status !== 'done') {
      throw new RpcError(
        'INVALID_INPUT',
        `preparation ${preparationId} is ${preparation.status}; only a finished preparation can be trained on`,
        { field: 'preparationId' },
      );
    }
    refs = repo.preparationOutputs(preparationId).map((o) => ({
      sessionId: o.sessionId,
      dataArrayId: o.arrayId,
      gapMaskArrayId: o.gapMaskArrayId,
    }));
  } else {
    refs = repo.sessions(datasetId).map((s) => ({
      sessionId: s.id,
      dataArrayId: s.dataArrayId,
      gapMaskArrayId: s.gapMaskArrayId,
    }));
  }
  if (refs.length === 0) {
    throw new RpcError('INVALID_INPUT', `dataset ${datasetId} has no sessions to train on`, {
      field: 'datasetId',
    });
  }
  const signatureParts: unknown[] = [preparationId];
  const sessions = refs.map((ref) => {
    if (ref.dataArrayId === null) {
      throw new RpcError('INVALID_INPUT', `session ${ref.sessionId} has no stored data array`, {
        field: 'datasetId',
      });
    }
    const data = arrayInfo(store, ref.dataArrayId);
    if (data.shape.length !== 2) {
      throw new RpcError(
        'INVALID_INPUT',
        `session ${ref.sessionId}: array ${data.id} has shape ${JSON.stringify(data.shape)}, expected [samples, channels]`,
        { field: 'datasetId' },
      );
    }
    const mask = ref.gapMaskArrayId === null ? null : arrayInfo(store, ref.gapMaskArrayId);
    signatureParts.push([
      ref.sessionId,
      data.id,
      data.dtype,
      data.shape,
      data.createdAt,
      mask?.id ?? null,
      mask?.createdAt ?? null,
    ]);
    return {
      sessionId: ref.sessionId,
      dataArrayId: data.id,
      gapMaskArrayId: mask?.id ?? null,
      nSamples: data.shape[0]!,
      nChannels: data.shape[1]!,
    };
  });
  const channels = new Set(sessions.map((s) => s.nChannels));
  if (channels.size > 1) {
    throw new RpcError(
      'INVALID_INPUT',
      `sessions have different channel counts (${[...channels].join(', ')})`,
      {
        field: 'datasetId',
      },
    );
  }
  return { sessions, signature: JSON.stringify(signatureParts) };
}

/** The longest gap-free stretch over all sessions: a sequence longer than this cannot be cut anywhere. */
export function longestGapFreeStretch(store: ProjectStore, sessions: readonly TrainingSessionRef[]): number {
  let longest = 0;
  for (const s of sessions) {
    if (s.gapMaskArrayId === null) {
      longest = Math.max(longest, s.nSamples);
      continue;
    }
    const mask = readArray(store, s.gapMaskArrayId);
    let run = 0;
    for (let t = 0; t < mask.length; t++) {
      run = mask[t] === 0 ? run + 1 : 0;
      if (run > longest) longest = run;
    }
  }
  return longest;
}

/** Loads the arrays for the engine (float32 [T × C], uint8 gap mask). */
export function loadSessionInputs(store: ProjectStore, refs: readonly SessionRef[]): SessionInput[] {
  return refs.map((ref) => {
    const info = arrayInfo(store, ref.dataArrayId);
    const raw = readArray(store, ref.dataArrayId);
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    const mask = ref.gapMaskArrayId === null ? undefined : readArray(store, ref.gapMaskArrayId);
    return {
      data,
      nSamples: info.shape[0]!,
      nChannels: info.shape[1]!,
      gapMask: mask === undefined ? undefined : mask instanceof Uint8Array ? mask : Uint8Array.from(mask),
    };
  });
}
