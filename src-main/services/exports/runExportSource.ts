import path from 'node:path';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { ExportAnalysis, RunExportContent } from '../../export/runExportContent';
import { DatasetRepository, type SessionRecord } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import { storedExportArray } from './storedExportArray';

/**
 * Per-session arrays left out of a run export: DyNeMo's θ (inference-network internals) and what the
 * analysis derives from α (it is exported as summary statistics). All stay exportable one by one.
 */
const NOT_EXPORTED_PER_SESSION = new Set(['theta_mean', 'theta_std', 'alpha_reweighted', 'alpha_binarised']);

/** How sessions are named everywhere in exports: the label, else the source file, else its number. */
export function exportSessionName(session: SessionRecord): string {
  if (session.label) return session.label;
  if (session.sourcePath) return path.basename(session.sourcePath);
  return `session ${session.ordinal + 1}`;
}

function freeEnergyOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  const inner = (value as { free_energy?: unknown } | null)?.free_energy;
  return typeof inner === 'number' ? inner : null;
}

/** A run's exportable content from the project store; arrays stay in the store until written. */
export function loadRunExportContent(
  store: ProjectStore,
  runId: number,
  analysis: ExportAnalysis | null,
): RunExportContent {
  const runs = new RunRepository(store);
  const run = runs.get(runId);
  const datasets = new DatasetRepository(store);
  const dataset = datasets.get(run.datasetId);
  const results = runs.results(runId);
  let samplingRate = dataset.samplingRateHz;
  let channelNames = dataset.channels.map((c) => c.name);
  if (run.preparationId !== null) {
    const preparation = datasets.preparation(run.preparationId);
    const fitted = (preparation.fitted ?? {}) as { samplingRate?: number; channelNames?: string[] };
    samplingRate = preparation.samplingRateHz ?? fitted.samplingRate ?? samplingRate;
    channelNames = Array.isArray(fitted.channelNames) ? fitted.channelNames : [];
  }
  const analysed = new Map(analysis?.sessions.map((s) => [s.sessionId, s.sessionName]) ?? []);
  const perSession = results.filter(
    (r) => r.arrayId !== null && r.sessionId !== null && !NOT_EXPORTED_PER_SESSION.has(r.kind),
  );
  const sessionIds = [...new Set(perSession.map((r) => r.sessionId!))];
  const sessions = sessionIds
    .map((sessionId) => {
      const session = datasets.session(sessionId);
      const mine = perSession.filter((r) => r.sessionId === sessionId);
      const alpha = mine.find((r) => r.kind === 'alpha');
      return {
        ordinal: session.ordinal,
        sessionId,
        name: analysed.get(sessionId) ?? exportSessionName(session),
        alpha: alpha ? storedExportArray(store, alpha.arrayId!) : null,
        others: mine
          .filter((r) => r.kind !== 'alpha')
          .map((r) => ({ kind: r.kind, array: storedExportArray(store, r.arrayId!) })),
      };
    })
    .sort((a, b) => a.ordinal - b.ordinal)
    .map(({ ordinal: _ordinal, ...s }) => s);
  const single = (kind: string) => {
    const found = results.find((r) => r.kind === kind && r.arrayId !== null && r.sessionId === null);
    return found ? storedExportArray(store, found.arrayId!) : null;
  };
  const means = single('means');
  const covariances = single('covariances');
  const nChannels = covariances?.shape[1] ?? means?.shape[1] ?? channelNames.length;
  if (channelNames.length !== nChannels) {
    channelNames = Array.from({ length: nChannels }, (_, i) => `channel_${i + 1}`);
  }
  // A completed run always has its config, facts and curves to export, even without arrays (a VRAE
  // trained on data without gaps keeps only its weights); an unfinished one without arrays has nothing.
  if (run.status !== 'completed' && sessions.length === 0 && means === null && covariances === null) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} is ${run.status} and has no results to export; only a completed run has results`,
      { field: 'runId', runId, status: run.status },
    );
  }
  const epochs = runs.epochMetrics(runId).map((e) => ({
    index: e.epoch,
    label: typeof e.metrics.label === 'string' ? e.metrics.label : `epoch ${e.epoch + 1}`,
    loss: e.loss ?? Number.NaN,
    nll: typeof e.metrics.nll === 'number' ? e.metrics.nll : null,
    kl: typeof e.metrics.kl === 'number' ? e.metrics.kl : null,
  }));
  const config =
    run.config !== null && typeof run.config === 'object' ? (run.config as Record<string, unknown>) : {};
  return {
    run: {
      id: run.id,
      name: run.label,
      modelKind: run.modelKind,
      status: run.status,
      seed: run.seed,
      backend: run.backend,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      freeEnergy: freeEnergyOf(results.find((r) => r.kind === 'free_energy')?.value ?? null),
      config,
    },
    dataset: {
      id: dataset.id,
      name: dataset.name,
      preparationId: run.preparationId,
      samplingRate,
      channelNames,
    },
    sessions,
    means,
    covariances,
    epochs,
    analysis,
  };
}
