import { defineStore } from 'pinia';
import { markRaw, shallowRef } from 'vue';
import type { DatasetSummary } from '../../../src-shared/domain/dataset';
import { gapModelKinds, type RunSummary } from '../../../src-shared/domain/run';
import type {
  GapEvaluateRequest,
  GapEvaluation,
  GapImputerKind,
  GapResults,
} from '../../../src-shared/rpc/channels/gaps';
import { useApi } from '../../api/currentApi';
import { toDisplayError, type DisplayError } from '../../api/displayError';
import type { EnvelopeFetch } from '../../charts/envelopeSource';
import { useJobsStore } from '../../stores/jobs';
import { gapWindowToEnvelope } from './gapsData';

export type GapsAction = 'runs' | 'results' | 'impute' | 'denoise' | 'evaluate';

export interface ImputeOptions {
  /** The run's model (the default), a multichannel autoregressive model fitted per session, or that model stacked with the per-channel GP. */
  imputer?: GapImputerKind;
  /** Lags of the autoregressive imputer (alone or stacked). */
  autoregressiveOrder?: number;
  /** Rounds of the model's procedure (the other imputers ignore it). */
  iterations: number;
  samples: number;
  seed: number;
  /** Another dataset's raw sessions; the run's own data when left out. */
  datasetId?: number;
}

/**
 * The Gaps view's state: completed VRAE/VOSP runs, the chosen run's imputed sessions and stored
 * evaluations, the shown session and channel, and the imputation and evaluation jobs (progress
 * and cancel through the jobs store). Large arrays never enter it: the chart fetches windows.
 */
export const useGapsStore = defineStore('gaps', () => {
  const runs = shallowRef<readonly RunSummary[]>([]);
  const runsLoaded = shallowRef(false);
  const datasets = shallowRef<readonly DatasetSummary[]>([]);
  const runId = shallowRef<number | null>(null);
  const results = shallowRef<GapResults | null>(null);
  const sessionId = shallowRef<number | null>(null);
  const channel = shallowRef(0);
  const zoom = shallowRef<{ start: number; end: number } | null>(null);
  const evaluationId = shallowRef<number | null>(null);
  const imputeJobId = shallowRef<string | null>(null);
  const denoiseJobId = shallowRef<string | null>(null);
  const showDenoised = shallowRef(false);
  const evaluateJobId = shallowRef<string | null>(null);
  const errors = shallowRef<Readonly<Record<GapsAction, DisplayError | null>>>({
    runs: null,
    results: null,
    impute: null,
    denoise: null,
    evaluate: null,
  });
  let generation = 0;

  function setError(action: GapsAction, error: DisplayError | null): void {
    errors.value = { ...errors.value, [action]: error };
  }

  function dismissError(action: GapsAction): void {
    setError(action, null);
  }

  async function refreshRuns(): Promise<void> {
    try {
      const api = useApi();
      const [list, sets] = await Promise.all([api.runs.list({}), api.datasets.list({})]);
      runs.value = list.filter(
        (r) => r.status === 'completed' && (gapModelKinds as readonly string[]).includes(r.modelKind),
      );
      datasets.value = sets;
      setError('runs', null);
      if (runId.value !== null && !runs.value.some((r) => r.id === runId.value)) await selectRun(null);
    } catch (err) {
      setError('runs', toDisplayError(err));
    } finally {
      runsLoaded.value = true;
    }
  }

  async function loadResults(id: number): Promise<void> {
    const mine = generation;
    try {
      const r = await useApi().gaps.results({ runId: id });
      if (mine !== generation) return;
      results.value = r;
      setError('results', null);
      if (!r.sessions.some((s) => s.sessionId === sessionId.value))
        selectSession(r.sessions[0]?.sessionId ?? null);
      const newest = r.evaluations[r.evaluations.length - 1];
      if (!r.evaluations.some((e) => e.id === evaluationId.value)) evaluationId.value = newest?.id ?? null;
    } catch (err) {
      if (mine === generation) setError('results', toDisplayError(err));
    }
  }

  async function selectRun(id: number | null): Promise<void> {
    generation++;
    runId.value = id;
    results.value = null;
    sessionId.value = null;
    evaluationId.value = null;
    zoom.value = null;
    setError('results', null);
    setError('impute', null);
    setError('evaluate', null);
    if (id !== null) await loadResults(id);
  }

  function selectSession(id: number | null): void {
    sessionId.value = id;
    channel.value = 0;
    zoom.value = null;
  }

  function selectChannel(c: number): void {
    channel.value = c;
  }

  function zoomTo(range: { start: number; end: number } | null): void {
    zoom.value = range ? { ...range } : null;
  }

  /** Imputes the run's own sessions with gaps (a job), then reloads the results. */
  async function impute(options: ImputeOptions): Promise<void> {
    const id = runId.value;
    if (id === null) return;
    setError('impute', null);
    try {
      await useJobsStore().run('analyse', `Impute gaps with run ${id}`, (jobId) => {
        imputeJobId.value = jobId;
        return useApi().gaps.impute({ runId: id, ...options, jobId });
      });
      if (runId.value === id) await loadResults(id);
    } catch (err) {
      const shown = toDisplayError(err);
      if (shown.code !== 'CANCELLED' && runId.value === id) setError('impute', shown);
    }
  }

  /** Denoises the run's own sessions (a job), then shows the denoised signal. */
  async function denoise(): Promise<void> {
    const id = runId.value;
    if (id === null) return;
    setError('denoise', null);
    try {
      await useJobsStore().run('analyse', `Denoise with run ${id}`, (jobId) => {
        denoiseJobId.value = jobId;
        return useApi().gaps.denoise({ runId: id, jobId });
      });
      if (runId.value === id) {
        await loadResults(id);
        showDenoised.value = true;
      }
    } catch (err) {
      const shown = toDisplayError(err);
      if (shown.code !== 'CANCELLED' && runId.value === id) setError('denoise', shown);
    }
  }

  function setShowDenoised(on: boolean): void {
    showDenoised.value = on;
  }

  async function evaluate(
    settings: Omit<GapEvaluateRequest, 'runId' | 'jobId'>,
  ): Promise<GapEvaluation | null> {
    const id = runId.value;
    if (id === null) return null;
    setError('evaluate', null);
    try {
      const e = await useJobsStore().run('evaluate', `Evaluate imputation of run ${id}`, (jobId) => {
        evaluateJobId.value = jobId;
        return useApi().gaps.evaluate({ ...settings, runId: id, jobId });
      });
      if (runId.value === id) {
        await loadResults(id);
        evaluationId.value = e.id;
      }
      return e;
    } catch (err) {
      const shown = toDisplayError(err);
      if (shown.code !== 'CANCELLED' && runId.value === id) setError('evaluate', shown);
      return null;
    }
  }

  /** What the chart calls on every zoom, for the shown session and channel. */
  function windowFetch(): EnvelopeFetch | null {
    const run = runId.value;
    const session = sessionId.value;
    const c = channel.value;
    const withDenoised = showDenoised.value;
    if (run === null || session === null) return null;
    return markRaw(async (startSample: number, endSample: number, maxPoints: number) =>
      gapWindowToEnvelope(
        await useApi().gaps.window({
          runId: run,
          sessionId: session,
          startRow: startSample,
          endRow: endSample,
          channels: [c],
          maxPoints,
          denoised: withDenoised,
        }),
        0,
      ),
    );
  }

  return {
    runs,
    runsLoaded,
    datasets,
    runId,
    results,
    sessionId,
    channel,
    zoom,
    evaluationId,
    imputeJobId,
    denoiseJobId,
    showDenoised,
    evaluateJobId,
    errors,
    refreshRuns,
    selectRun,
    selectSession,
    selectChannel,
    zoomTo,
    impute,
    denoise,
    setShowDenoised,
    evaluate,
    windowFetch,
    dismissError,
  };
});
