import type {
  EpochRecordData,
  ResultSummary,
  RunDetail,
  RunLogLine,
  RunSummary,
  RunTimings,
} from '../../../src-shared/domain/run';
import { arrayInfo } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type RunRecord } from '../../store/runRepository';

/** Run records as the channels return them. */

const RESUMABLE = new Set(['cancelled', 'interrupted', 'failed']);
/** JSON results larger than this are listed without their value (fetch the array or use runs.metrics). */
const INLINE_VALUE_CHARS = 4096;

function errorOf(run: RunRecord): RunSummary['error'] {
  const e = run.error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return null;
  return { code: String(e.code ?? 'ERROR'), message: String(e.message ?? '') };
}

function freeEnergyOf(runs: RunRepository, runId: number): number | null {
  const value = runs.results(runId, { kind: 'free_energy' })[0]?.value as
    { free_energy?: unknown } | undefined;
  return typeof value?.free_energy === 'number' ? value.free_energy : null;
}

export function runSummary(store: ProjectStore, run: RunRecord): RunSummary {
  const runs = new RunRepository(store);
  const epochs = (
    store.db.prepare('SELECT count(*) AS n FROM epoch_metrics WHERE run_id = ?').get(run.id) as { n: number }
  ).n;
  return {
    id: run.id,
    name: run.label,
    datasetId: run.datasetId,
    preparationId: run.preparationId,
    modelKind: run.modelKind,
    seed: run.seed,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    epochs,
    freeEnergy: freeEnergyOf(runs, run.id),
    resumable: RESUMABLE.has(run.status) && runs.checkpointEpochs(run.id).length > 0,
    error: errorOf(run),
  };
}

export function runLog(store: ProjectStore, runId: number): RunLogLine[] {
  return new RunRepository(store)
    .results(runId, { kind: 'log' })
    .map((r) => r.value as RunLogLine)
    .filter((l) => l !== null && typeof l === 'object' && typeof l.message === 'string');
}

export function runDetail(store: ProjectStore, run: RunRecord): RunDetail {
  return {
    ...runSummary(store, run),
    config: run.config,
    backend: run.backend,
    timings: (run.timings as RunTimings | null) ?? null,
    log: runLog(store, run.id),
  };
}

export function epochHistory(store: ProjectStore, runId: number, sinceEpoch = 0): EpochRecordData[] {
  return new RunRepository(store)
    .epochMetrics(runId)
    .filter((m) => m.epoch >= sinceEpoch)
    .map((m) => m.metrics as unknown as EpochRecordData);
}

export function resultSummaries(store: ProjectStore, runId: number): ResultSummary[] {
  return new RunRepository(store)
    .results(runId)
    .filter((r) => r.kind !== 'log')
    .map((r) => {
      if (r.arrayId !== null) {
        const info = arrayInfo(store, r.arrayId);
        return { kind: r.kind, sessionId: r.sessionId, dtype: info.dtype, shape: info.shape };
      }
      const small = JSON.stringify(r.value).length <= INLINE_VALUE_CHARS;
      return {
        kind: r.kind,
        sessionId: r.sessionId,
        dtype: null,
        shape: null,
        ...(small ? { value: r.value } : {}),
      };
    });
}
