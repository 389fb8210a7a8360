import { defineStore } from 'pinia';
import { markRaw, shallowRef } from 'vue';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { modeModelKinds, type RunSummary } from '../../src-shared/domain/run';
import type {
  AlphaVariant,
  GroundTruthMatch,
  RunAnalysisSummary,
} from '../../src-shared/rpc/channels/analysis';
import { useApi } from '../api/currentApi';
import { toDisplayError, type DisplayError } from '../api/displayError';
import type { EnvelopeFetch } from '../charts/envelopeSource';
import { alphaWindowToEnvelope, covarianceMatrices, sharedSymmetricLimit } from '../views/modes/modesData';
import { useJobsStore } from './jobs';

/** The analysis of one run with its arrays decoded once (kept out of deep reactivity). */
export interface DecodedAnalysis {
  summary: RunAnalysisSummary;
  /** One C×C matrix per mode, or null for a model without covariances. */
  covariances: Float64Array[] | null;
  /** Shared symmetric colour limit of every covariance heatmap. */
  covarianceLimit: number;
  frequencies: Float64Array | null;
  /** [S, K, C, F] */
  psd: Float64Array | null;
  psdShape: number[] | null;
}

export function decodeAnalysis(summary: RunAnalysisSummary): DecodedAnalysis {
  const covariances = summary.covariances
    ? covarianceMatrices(decodeArray(summary.covariances), summary.covariances.shape)
    : null;
  const spectra = summary.spectra;
  return markRaw({
    summary,
    covariances,
    covarianceLimit: covariances ? sharedSymmetricLimit(covariances) : 1,
    frequencies: spectra ? Float64Array.from(decodeArray(spectra.frequencies)) : null,
    psd: spectra ? Float64Array.from(decodeArray(spectra.psd)) : null,
    psdShape: spectra ? spectra.psd.shape : null,
  });
}

export type ModesAction = 'runs' | 'analyse' | 'groundTruth';

/**
 * The Modes view's state: which completed run and session are shown, the run's analysis (run as
 * a job with progress and cancel), the ground-truth match for simulations, and the α windows the
 * time-course charts fetch from the backend on every zoom.
 */
export const useModesStore = defineStore('modes', () => {
  const runs = shallowRef<readonly RunSummary[]>([]);
  const runsLoaded = shallowRef(false);
  const runId = shallowRef<number | null>(null);
  const sessionId = shallowRef<number | null>(null);
  const variant = shallowRef<Exclude<AlphaVariant, 'ground_truth'>>('raw');
  const analysis = shallowRef<DecodedAnalysis | null>(null);
  const groundTruth = shallowRef<GroundTruthMatch | null>(null);
  const analysisJobId = shallowRef<string | null>(null);
  const errors = shallowRef<Readonly<Record<ModesAction, DisplayError | null>>>({
    runs: null,
    analyse: null,
    groundTruth: null,
  });
  let generation = 0;

  function setError(action: ModesAction, error: DisplayError | null): void {
    errors.value = { ...errors.value, [action]: error };
  }

  async function refreshRuns(): Promise<void> {
    try {
      const list = await useApi().runs.list({});
      runs.value = list.filter(
        (r) => r.status === 'completed' && (modeModelKinds as readonly string[]).includes(r.modelKind),
      );
      setError('runs', null);
      if (runId.value !== null && !runs.value.some((r) => r.id === runId.value)) await selectRun(null);
    } catch (err) {
      setError('runs', toDisplayError(err));
    } finally {
      runsLoaded.value = true;
    }
  }

  /** Shows a run: analyses it (or reads the stored analysis) with spectra, then matches a simulation's truth. */
  async function selectRun(id: number | null): Promise<void> {
    const mine = ++generation;
    const jobs = useJobsStore();
    if (analysisJobId.value !== null && jobs.get(analysisJobId.value)?.status === 'running') {
      void jobs.cancel(analysisJobId.value);
    }
    runId.value = id;
    sessionId.value = null;
    analysis.value = null;
    groundTruth.value = null;
    setError('analyse', null);
    setError('groundTruth', null);
    if (id === null) {
      analysisJobId.value = null;
      return;
    }
    let summary: RunAnalysisSummary;
    try {
      summary = await jobs.run('analyse', `Analyse run ${id}`, (jobId) => {
        if (mine === generation) analysisJobId.value = jobId;
        return useApi().analysis.run({ runId: id, spectra: true, jobId });
      });
    } catch (err) {
      if (mine === generation) setError('analyse', toDisplayError(err));
      return;
    }
    if (mine !== generation) return;
    analysis.value = decodeAnalysis(summary);
    sessionId.value = summary.sessions[0]?.sessionId ?? null;
    if (variant.value === 'reweighted' && summary.covariances === null) variant.value = 'raw';
    if (!summary.groundTruth) return;
    try {
      const match = await useApi().analysis.groundTruthMatch({ runId: id });
      if (mine === generation) groundTruth.value = match;
    } catch (err) {
      if (mine === generation) setError('groundTruth', toDisplayError(err));
    }
  }

  /** Re-runs a cancelled or failed analysis of the selected run. */
  function retry(): Promise<void> {
    return selectRun(runId.value);
  }

  function selectSession(id: number): void {
    if (analysis.value?.summary.sessions.some((s) => s.sessionId === id)) sessionId.value = id;
  }

  function setVariant(v: Exclude<AlphaVariant, 'ground_truth'>): void {
    variant.value = v;
  }

  /** What a windowed chart calls for one variant of the selected run and session. */
  function alphaFetch(v: AlphaVariant): EnvelopeFetch | null {
    const run = runId.value;
    const session = sessionId.value;
    if (run === null || session === null || analysis.value === null) return null;
    return markRaw(async (startSample: number, endSample: number, maxPoints: number) =>
      alphaWindowToEnvelope(
        await useApi().analysis.alphaWindow({
          runId: run,
          sessionId: session,
          variant: v,
          startSample,
          endSample,
          maxPoints: Math.max(1, Math.min(100_000, Math.round(maxPoints))),
        }),
      ),
    );
  }

  function dismissError(action: ModesAction): void {
    setError(action, null);
  }

  return {
    runs,
    runsLoaded,
    runId,
    sessionId,
    variant,
    analysis,
    groundTruth,
    analysisJobId,
    errors,
    refreshRuns,
    selectRun,
    retry,
    selectSession,
    setVariant,
    alphaFetch,
    dismissError,
  };
});
