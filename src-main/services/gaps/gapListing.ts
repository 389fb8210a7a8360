import type { GapEvaluation, GapResults } from '../../../src-shared/rpc/channels/gaps';
import { arrayInfo } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import { requireGapRun } from './gapModel';
import {
  DENOISED_KIND,
  EVALUATION_KIND,
  maskStretches,
  sessionResult,
  sessionValue,
  SOURCE_KIND,
  type ImputationSource,
} from './gapResults';

/** What the Gaps view lists for a run: its imputed sessions (with their gaps) and its evaluations. */

function evaluationsOf(store: ProjectStore, runId: number): GapEvaluation[] {
  return new RunRepository(store).results(runId, { kind: EVALUATION_KIND }).map((r) => ({
    ...(r.value as Omit<GapEvaluation, 'id' | 'createdAt'>),
    id: r.id,
    createdAt: r.createdAt,
  }));
}

export function gapResults(store: ProjectStore, runId: number): GapResults {
  const run = requireGapRun(store, runId);
  const runs = new RunRepository(store);
  const datasets = new DatasetRepository(store);
  const sessions: GapResults['sessions'] = [];
  for (const r of runs.results(runId, { kind: 'imputation_mask' })) {
    if (r.sessionId === null || r.arrayId === null) continue;
    const session = datasets.session(r.sessionId);
    const dataset = datasets.get(session.datasetId);
    // Imputations made here record their data's rate; the training outputs are on the run's data.
    const source = sessionValue(store, runId, SOURCE_KIND, r.sessionId) as ImputationSource | undefined;
    const preparationRate =
      source?.samplingRate ??
      (session.datasetId === run.datasetId && run.preparationId !== null
        ? datasets.preparation(run.preparationId).samplingRateHz
        : null);
    const { stretches, truncated, missingValues } = maskStretches(store, r.arrayId);
    const shape = arrayInfo(store, r.arrayId).shape;
    const nChannels = shape[1]!;
    sessions.push({
      sessionId: r.sessionId,
      datasetId: session.datasetId,
      label: session.label ?? `session ${session.ordinal + 1}`,
      nSamples: shape[0]!,
      nChannels,
      samplingRate: preparationRate ?? dataset.samplingRateHz,
      channelNames:
        dataset.channels.length === nChannels
          ? dataset.channels.map((c) => c.name)
          : Array.from({ length: nChannels }, (_, c) => `channel ${c + 1}`),
      hasUncertainty: sessionResult(store, runId, 'imputation_std', r.sessionId) !== undefined,
      hasDenoised: sessionResult(store, runId, DENOISED_KIND, r.sessionId) !== undefined,
      imputer: source?.imputer ?? 'model',
      ...(source?.autoregressiveOrder !== undefined
        ? { autoregressiveOrder: source.autoregressiveOrder }
        : {}),
      ...(source?.stackingCurves !== undefined ? { stackingCurves: source.stackingCurves } : {}),
      missingValues,
      gaps: stretches,
      gapsTruncated: truncated,
    });
  }
  return { runId, modelKind: run.modelKind, sessions, evaluations: evaluationsOf(store, runId) };
}
