import { RpcError } from '../../../src-shared/rpc/errors';
import { entriesFromGapMask, type MaskedSession } from '../../imputation/missingEntries';
import { arrayInfo } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import type { RunRecord } from '../../store/runRepository';
import { loadSessionInputs, resolveTrainingData, type TrainingSessionRef } from '../../training/trainingData';

/**
 * The sessions a gaps operation works on: the run's own data (its dataset and preparation) unless
 * another dataset is named, optionally narrowed to some sessions. Masks are checked against the
 * data before anything runs, so a mismatch is refused instead of imputed from garbage.
 */

export interface GapSelection {
  datasetId?: number;
  preparationId?: number;
  sessionIds?: number[];
}

export interface SelectedSessions {
  datasetId: number;
  preparationId: number | null;
  samplingRate: number;
  channelNames: string[];
  refs: TrainingSessionRef[];
}

export function selectSessions(
  store: ProjectStore,
  run: RunRecord,
  selection: GapSelection,
): SelectedSessions {
  if (selection.preparationId !== undefined && selection.datasetId === undefined)
    throw new RpcError('INVALID_INPUT', 'preparationId needs the datasetId it belongs to', {
      field: 'preparationId',
    });
  const datasetId = selection.datasetId ?? run.datasetId;
  const preparationId =
    selection.datasetId === undefined ? run.preparationId : (selection.preparationId ?? null);
  const data = resolveTrainingData(store, datasetId, preparationId);
  let refs = data.sessions;
  if (selection.sessionIds) {
    const known = new Set(refs.map((r) => r.sessionId));
    const unknown = selection.sessionIds.filter((id) => !known.has(id));
    if (unknown.length)
      throw new RpcError(
        'NOT_FOUND',
        `dataset ${datasetId} has no session ${unknown.join(', ')} (its sessions: ${[...known].join(', ')})`,
        { field: 'sessionIds', sessionIds: unknown },
      );
    const wanted = new Set(selection.sessionIds);
    refs = refs.filter((r) => wanted.has(r.sessionId));
  }
  const datasets = new DatasetRepository(store);
  const dataset = datasets.get(datasetId);
  const preparation = preparationId === null ? null : datasets.preparation(preparationId);
  for (const ref of refs) {
    if (ref.gapMaskArrayId === null) continue;
    const mask = arrayInfo(store, ref.gapMaskArrayId);
    const maskSamples = mask.shape.reduce((a, b) => a * b, 1);
    if (maskSamples !== ref.nSamples)
      throw new RpcError(
        'INVALID_INPUT',
        `session ${ref.sessionId}: its gap mask has ${maskSamples} samples but its data has ${ref.nSamples}; the mask does not match the data`,
        { field: 'sessionIds', sessionId: ref.sessionId },
      );
  }
  const nChannels = refs[0]?.nChannels ?? dataset.nChannels;
  // A preparation that keeps the channel count (filter, standardize) keeps the channels' names.
  const names =
    dataset.channels.length === nChannels
      ? dataset.channels.map((c) => c.name)
      : Array.from({ length: nChannels }, (_, c) => `channel ${c + 1}`);
  return {
    datasetId,
    preparationId,
    samplingRate: preparation?.samplingRateHz ?? dataset.samplingRateHz,
    channelNames: names,
    refs,
  };
}

/** Loads the selected sessions as masked sessions (per-entry missing flags from the gap masks). */
export function loadMaskedSessions(
  store: ProjectStore,
  refs: readonly TrainingSessionRef[],
): MaskedSession[] {
  return loadSessionInputs(store, refs).map((s) => {
    const hasGap = s.gapMask?.some((v) => v !== 0) ?? false;
    return {
      data: s.data,
      nSamples: s.nSamples,
      nChannels: s.nChannels,
      ...(hasGap ? { missing: entriesFromGapMask(s.gapMask!, s.nChannels) } : {}),
    };
  });
}

export function requireModelChannels(nChannels: number, selected: SelectedSessions, runId: number): void {
  const other = selected.refs.find((r) => r.nChannels !== nChannels);
  if (other)
    throw new RpcError(
      'INVALID_INPUT',
      `session ${other.sessionId} has ${other.nChannels} channels but run ${runId}'s model was trained on ${nChannels}`,
      { field: 'datasetId' },
    );
}
