import type { DatasetSummary, PreparationSummary, SessionSummary } from '../../../src-shared/domain/dataset';
import type {
  DatasetRecord,
  DatasetRepository,
  PreparationRecord,
  SessionRecord,
} from '../../store/datasetRepository';

export const SIMULATION_FORMAT = 'simulation';

/** What a finished preparation keeps in `fitted` (besides arrays in dataset_arrays). */
export interface FittedPreparation {
  channelNames: string[];
  samplingRate: number;
  sessionIds: number[];
  sessionStartTimes: number[];
  explainedVariance: number | null;
  nEmbeddings: number | null;
}

function asFitted(value: unknown): Partial<FittedPreparation> {
  return value !== null && typeof value === 'object' ? (value as Partial<FittedPreparation>) : {};
}

function errorText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'message' in value) return String(value.message);
  return JSON.stringify(value);
}

export function sessionSummary(session: SessionRecord, samplingRate: number): SessionSummary {
  return {
    id: session.id,
    ordinal: session.ordinal,
    label: session.label,
    sourcePath: session.sourcePath,
    sourceSize: session.sourceSize,
    sourceSha256: session.sourceSha256,
    nSamples: session.nSamples,
    durationSeconds: session.nSamples / samplingRate,
    gapFraction:
      session.nGapSamples === null ? null : session.nSamples > 0 ? session.nGapSamples / session.nSamples : 0,
    nAnnotations: session.annotations.length,
  };
}

export function preparationSummary(preparation: PreparationRecord): PreparationSummary {
  const fitted = asFitted(preparation.fitted);
  return {
    id: preparation.id,
    datasetId: preparation.datasetId,
    name: preparation.name,
    status: preparation.status,
    pipeline: preparation.pipeline,
    samplingRate: preparation.samplingRateHz,
    nChannels: preparation.nChannels,
    channelNames: Array.isArray(fitted.channelNames) ? fitted.channelNames : null,
    explainedVariance: typeof fitted.explainedVariance === 'number' ? fitted.explainedVariance : null,
    sessionIds: Array.isArray(fitted.sessionIds) ? fitted.sessionIds : [],
    error: errorText(preparation.error),
    createdAt: preparation.createdAt,
    finishedAt: preparation.finishedAt,
  };
}

export function datasetSummary(repo: DatasetRepository, dataset: DatasetRecord): DatasetSummary {
  return {
    id: dataset.id,
    name: dataset.name,
    format: dataset.format,
    simulated: dataset.format === SIMULATION_FORMAT,
    samplingRate: dataset.samplingRateHz,
    nChannels: dataset.nChannels,
    channels: dataset.channels.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.unit === undefined ? {} : { unit: c.unit }),
    })),
    createdAt: dataset.createdAt,
    sessions: repo.sessions(dataset.id).map((s) => sessionSummary(s, dataset.samplingRateHz)),
    preparations: repo.preparations(dataset.id).map(preparationSummary),
  };
}
