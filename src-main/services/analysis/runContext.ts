import path from 'node:path';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readArray } from '../../store/arrayStore';
import { DatasetRepository, type SessionRecord } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type RunRecord } from '../../store/runRepository';
import type { FittedPreparation } from '../datasets/summaries';

/**
 * Everything post-hoc analysis needs to know about a trained run: its α per session, the mode
 * covariances, the sampling rate of α, the names of the modelled channels, and where α's first
 * row sits in the dataset's unprepared session (tde, tde_pca and moving_average trim samples at
 * the start, so α row t is source sample t + sourceOffset).
 */

export interface RunSessionContext {
  sessionId: number;
  sessionName: string;
  /** The stored α result of this session. */
  alphaArrayId: number;
  nSamples: number;
  /** The unprepared session in the dataset. */
  source: SessionRecord;
  /** α row t is source sample t + sourceOffset; null when the rates differ (a downsampled preparation). */
  sourceOffset: number | null;
}

export interface RunContext {
  run: RunRecord;
  nModes: number;
  /** Hz, of α (the preparation's rate, or the dataset's without a preparation). */
  samplingRate: number;
  /** Hz, of the dataset's unprepared sessions. */
  sourceSamplingRate: number;
  /** Names of the channels the model saw (prepared channels for a preparation). */
  channelNames: string[];
  sourceChannelNames: string[];
  /** Names of the preparation's steps in order; empty without a preparation. */
  preparationSteps: string[];
  /** [K × C × C] when the model has covariances (DyNeMo). */
  covariances: Float64Array | null;
  nChannels: number;
  sessions: RunSessionContext[];
}

export function sessionName(session: SessionRecord): string {
  if (session.label) return session.label;
  if (session.sourcePath) return path.basename(session.sourcePath);
  return `session ${session.ordinal + 1}`;
}

function stepNames(pipeline: unknown): string[] {
  const steps = (pipeline as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.map((s) => String((s as { name?: unknown } | null)?.name ?? '?'));
}

export function loadRunContext(store: ProjectStore, runId: number): RunContext {
  const runs = new RunRepository(store);
  const run = runs.get(runId);
  const datasets = new DatasetRepository(store);
  const dataset = datasets.get(run.datasetId);
  const alphaResults = runs.results(runId, { kind: 'alpha' }).filter((r) => r.arrayId !== null);
  if (alphaResults.length === 0) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} (${run.status}) has no α time course to analyse; only a completed run has one`,
      { field: 'runId', runId, status: run.status },
    );
  }
  let samplingRate = dataset.samplingRateHz;
  let channelNames = dataset.channels.map((c) => c.name);
  let preparationSteps: string[] = [];
  let startTimes = new Map<number, number>();
  if (run.preparationId !== null) {
    const preparation = datasets.preparation(run.preparationId);
    const fitted = (preparation.fitted ?? {}) as Partial<FittedPreparation>;
    samplingRate = preparation.samplingRateHz ?? fitted.samplingRate ?? samplingRate;
    channelNames = fitted.channelNames ?? [];
    preparationSteps = stepNames(preparation.pipeline);
    if (Array.isArray(fitted.sessionIds) && Array.isArray(fitted.sessionStartTimes)) {
      startTimes = new Map(fitted.sessionIds.map((id, i) => [id, fitted.sessionStartTimes![i] ?? 0]));
    }
  }
  const sameRate = Math.abs(samplingRate - dataset.samplingRateHz) < 1e-9 * dataset.samplingRateHz;
  let nModes = 0;
  const sessions = alphaResults.map((result) => {
    const info = arrayInfo(store, result.arrayId!);
    if (info.shape.length !== 2) {
      throw new RpcError('PROJECT_CORRUPT', `α of run ${runId} has shape ${JSON.stringify(info.shape)}`);
    }
    nModes = info.shape[1]!;
    const source = datasets.session(result.sessionId!);
    return {
      sessionId: source.id,
      sessionName: sessionName(source),
      alphaArrayId: info.id,
      nSamples: info.shape[0]!,
      source,
      sourceOffset: sameRate ? Math.round((startTimes.get(source.id) ?? 0) * dataset.samplingRateHz) : null,
    };
  });
  sessions.sort((a, b) => a.source.ordinal - b.source.ordinal);
  const covarianceResult = runs
    .results(runId, { kind: 'covariances' })
    .find((r) => r.arrayId !== null && r.sessionId === null);
  let covariances: Float64Array | null = null;
  let nChannels = channelNames.length;
  if (covarianceResult) {
    const info = arrayInfo(store, covarianceResult.arrayId!);
    covariances = Float64Array.from(readArray(store, info.id));
    nChannels = info.shape[1]!;
  }
  if (channelNames.length !== nChannels) {
    channelNames = Array.from({ length: nChannels }, (_, i) => `channel ${i + 1}`);
  }
  return {
    run,
    nModes,
    samplingRate,
    sourceSamplingRate: dataset.samplingRateHz,
    channelNames,
    sourceChannelNames: dataset.channels.map((c) => c.name),
    preparationSteps,
    covariances,
    nChannels,
    sessions,
  };
}
