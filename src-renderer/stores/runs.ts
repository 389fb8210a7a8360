import { defineStore } from 'pinia';
import { markRaw, shallowRef } from 'vue';
import type {
  BatchMetrics,
  EpochRecordData,
  RunDetail,
  RunLogLine,
  RunStatusName,
  RunSummary,
  StartRunRequest,
} from '../../src-shared/domain/run';
import { useApi } from '../api/currentApi';
import { toDisplayError } from '../api/displayError';
import { CurveBuffer } from '../charts/curveBuffer';
import { useJobsStore } from './jobs';
import { useTrackedActions } from './trackedActions';

export type RunAction = 'list' | 'start' | 'resume' | 'cancel' | 'delete' | 'watch' | 'compare';
const actions: RunAction[] = ['list', 'start', 'resume', 'cancel', 'delete', 'watch', 'compare'];

/**
 * The curves of one run: losses per batch and per epoch, KL factor and learning rate per batch.
 * Batches are placed at fractional epochs (epoch + batch / nBatches) so both loss charts share an
 * x axis. Points that do not move forward are dropped: a backfill from `runs.metrics` and the live
 * events can overlap.
 */
export class RunCurves {
  readonly batch = new CurveBuffer();
  readonly epoch = new CurveBuffer();
  /** KL apart from the loss: early in training it is orders of magnitude larger and would flatten it. */
  readonly kl = new CurveBuffer();
  readonly klFactor = new CurveBuffer();
  readonly lr = new CurveBuffer();
  private readonly lastX = new Map<string, number>();

  private add(buffer: CurveBuffer, key: string, name: string, x: number, y: number | null): void {
    if (y === null) return;
    const id = `${key}:${name}`;
    const last = this.lastX.get(id);
    if (last !== undefined && x <= last) return;
    this.lastX.set(id, x);
    buffer.append(name, x, y);
  }

  addBatch(
    b: Pick<BatchMetrics, 'epoch' | 'batch' | 'nBatches' | 'loss' | 'nll' | 'kl' | 'klFactor' | 'lr'>,
  ): void {
    const x = batchPosition(b);
    this.add(this.batch, 'batch', 'loss', x, b.loss);
    this.add(this.batch, 'batch', 'NLL', x, b.nll);
    this.add(this.kl, 'kl', 'per batch', x, b.kl);
    this.add(this.klFactor, 'kl', 'KL factor', x, b.klFactor);
    this.add(this.lr, 'lr', 'learning rate', x, b.lr);
  }

  /** Epoch values sit at the end of their epoch, where the last batch of it is drawn. */
  addEpoch(e: Pick<EpochRecordData, 'index' | 'loss' | 'nll' | 'kl'>): void {
    const x = e.index + 1;
    this.add(this.epoch, 'epoch', 'loss', x, e.loss);
    this.add(this.epoch, 'epoch', 'NLL', x, e.nll);
    this.add(this.kl, 'kl', 'per epoch', x, e.kl);
  }
}

export function batchPosition(b: Pick<BatchMetrics, 'epoch' | 'batch' | 'nBatches'>): number {
  return b.epoch + (b.nBatches > 0 ? (b.batch + 1) / b.nBatches : 0);
}

/** Epoch-loss curves of several runs on one chart, one series per run. */
export interface RunComparison {
  runs: RunDetail[];
  curves: CurveBuffer;
}

const terminal: ReadonlySet<RunStatusName> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<readonly RunSummary[]>([]);
  const loaded = shallowRef(false);
  /** Configs of listed runs (runs.list carries none), fetched once per run and status. */
  const configs = shallowRef<Readonly<Record<number, unknown>>>({});
  const { busy, errors, track: act, latestOnly } = useTrackedActions(actions);

  /** The run the Train view follows. */
  const liveRunId = shallowRef<number | null>(null);
  const liveDetail = shallowRef<RunDetail | null>(null);
  const liveStatus = shallowRef<RunStatusName | null>(null);
  const liveJobId = shallowRef<string | null>(null);
  const liveLog = shallowRef<readonly RunLogLine[]>([]);
  const plannedEpochs = shallowRef<number | null>(null);
  /** Epochs of the followed run recorded so far. */
  const epochsDone = shallowRef(0);
  const curves = shallowRef<RunCurves>(markRaw(new RunCurves()));
  const comparison = shallowRef<RunComparison | null>(null);

  let unsubscribers: Array<() => void> = [];
  /** Events that arrive while a run's history is being fetched, replayed after it. */
  let pending: { batches: BatchMetrics[]; epochs: EpochRecordData[] } | null = null;
  const configStatus = new Map<number, RunStatusName>();

  const loadList = latestOnly(
    'list',
    () => useApi().runs.list({}),
    async (list) => {
      runs.value = list;
      await loadConfigs(list);
    },
  );

  async function refresh(): Promise<void> {
    await loadList();
    loaded.value = true;
  }

  async function loadConfigs(list: readonly RunSummary[]): Promise<void> {
    const wanted = list.filter((r) => configStatus.get(r.id) !== r.status);
    if (wanted.length === 0) return;
    const details = await Promise.all(
      wanted.map((r) =>
        useApi()
          .runs.get({ runId: r.id })
          .catch(() => null),
      ),
    );
    const next = { ...configs.value };
    for (const d of details) {
      if (!d) continue;
      next[d.id] = d.config;
      configStatus.set(d.id, d.status);
    }
    configs.value = next;
  }

  function appendLog(line: RunLogLine): void {
    liveLog.value = [...liveLog.value, line];
  }

  function onBatch(b: BatchMetrics): void {
    if (b.runId !== liveRunId.value) return;
    if (pending) pending.batches.push(b);
    else curves.value.addBatch(b);
  }

  function onEpoch(e: { runId: number; epoch: EpochRecordData; plannedEpochs: number }): void {
    if (e.runId !== liveRunId.value) return;
    plannedEpochs.value = e.plannedEpochs;
    epochsDone.value = Math.max(epochsDone.value, e.epoch.index + 1);
    if (pending) pending.epochs.push(e.epoch);
    else curves.value.addEpoch(e.epoch);
  }

  function onStatus(s: { runId: number; status: RunStatusName; message?: string }): void {
    void refresh();
    if (s.runId !== liveRunId.value) return;
    liveStatus.value = s.status;
    // The final detail carries the timings, the free energy and the whole log.
    if (terminal.has(s.status)) void loadDetail(s.runId);
  }

  function onLog(l: { runId: number; level: RunLogLine['level']; message: string }): void {
    if (l.runId !== liveRunId.value) return;
    appendLog({ at: new Date().toISOString(), level: l.level, message: l.message });
  }

  async function start(): Promise<void> {
    if (unsubscribers.length === 0) {
      const api = useApi();
      useJobsStore().subscribe();
      unsubscribers = [
        api.on('run.batch', onBatch),
        api.on('run.epoch', onEpoch),
        api.on('run.status', onStatus),
        api.on('run.log', onLog),
        api.on('project.opened', () => {
          forgetLive();
          configs.value = {};
          configStatus.clear();
          void refresh();
        }),
        api.on('project.closed', () => {
          forgetLive();
          runs.value = [];
          configs.value = {};
          configStatus.clear();
        }),
      ];
    }
    await refresh();
  }

  function stop(): void {
    for (const unsubscribe of unsubscribers) unsubscribe();
    unsubscribers = [];
  }

  function forgetLive(): void {
    liveRunId.value = null;
    liveDetail.value = null;
    liveStatus.value = null;
    liveLog.value = [];
    plannedEpochs.value = null;
    epochsDone.value = 0;
    curves.value = markRaw(new RunCurves());
    pending = null;
  }

  async function loadDetail(runId: number): Promise<void> {
    try {
      const detail = await useApi().runs.get({ runId });
      if (runId !== liveRunId.value) return;
      liveDetail.value = detail;
      liveStatus.value = detail.status;
      liveLog.value = detail.log;
    } catch (err) {
      errors.watch = toDisplayError(err);
    }
  }

  /** Follows a run in the Train view: its history from the services, then the live events. */
  async function watch(runId: number, jobId: string | null = null): Promise<void> {
    forgetLive();
    liveRunId.value = runId;
    liveJobId.value = jobId;
    pending = { batches: [], epochs: [] };
    await act('watch', async () => {
      const api = useApi();
      const [detail, metrics] = await Promise.all([api.runs.get({ runId }), api.runs.metrics({ runId })]);
      if (runId !== liveRunId.value) return;
      liveDetail.value = detail;
      liveStatus.value = detail.status;
      liveLog.value = detail.log;
      const c = curves.value;
      // The services keep only a live run's latest batches; epochs before them stand in for the
      // batches that are gone, so the per-batch chart covers the whole run.
      const firstBatch = metrics.batches[0];
      const keptFrom = firstBatch ? batchPosition(firstBatch) : Infinity;
      for (const e of metrics.epochs) {
        if (e.index + 1 < keptFrom) c.addBatch({ epoch: e.index, batch: 0, nBatches: 1, ...e });
      }
      for (const b of metrics.batches) c.addBatch(b);
      for (const e of metrics.epochs) c.addEpoch(e);
      epochsDone.value = Math.max(epochsDone.value, ...metrics.epochs.map((e) => e.index + 1));
    });
    if (runId !== liveRunId.value) return;
    const queued = pending;
    pending = null;
    for (const b of queued?.batches ?? []) curves.value.addBatch(b);
    for (const e of queued?.epochs ?? []) curves.value.addEpoch(e);
  }

  async function launch(
    action: 'start' | 'resume',
    label: string,
    request: (jobId: string) => Promise<RunSummary>,
  ): Promise<RunSummary | null> {
    const jobs = useJobsStore();
    const job = jobs.begin('train', label);
    forgetLive();
    liveJobId.value = job.jobId;
    const summary = await act(action, () => request(job.jobId));
    if (summary === null) {
      const shown = errors[action];
      jobs.onFinished({
        jobId: job.jobId,
        kind: 'train',
        outcome: shown?.code === 'CANCELLED' ? 'cancelled' : 'failed',
        message: shown?.message ?? 'could not start the run',
      });
      return null;
    }
    await Promise.all([watch(summary.id, job.jobId), refresh()]);
    return summary;
  }

  function startRun(request: StartRunRequest): Promise<RunSummary | null> {
    const label = request.name ? `Train ${request.name}` : `Train ${request.modelKind}`;
    return launch('start', label, (jobId) => useApi().runs.start({ ...request, jobId }));
  }

  function resume(runId: number): Promise<RunSummary | null> {
    return launch('resume', `Resume run #${runId}`, (jobId) => useApi().runs.resume({ runId, jobId }));
  }

  async function cancel(runId: number): Promise<boolean> {
    const result = await act('cancel', () => useApi().runs.cancel({ runId }));
    return result?.cancelled ?? false;
  }

  async function remove(runId: number): Promise<boolean> {
    const result = await act('delete', () => useApi().runs.delete({ runId }));
    if (result === null) return false;
    if (runId === liveRunId.value) forgetLive();
    if (comparison.value?.runs.some((r) => r.id === runId)) comparison.value = null;
    await refresh();
    return result.deleted;
  }

  /** Loads two or more runs' configs and epoch losses for the comparison panel. */
  async function compare(runIds: readonly number[]): Promise<boolean> {
    if (runIds.length < 2) {
      errors.compare = { code: 'INVALID_INPUT', message: 'Select two or more runs to compare.' };
      return false;
    }
    const result = await act('compare', async () => {
      const api = useApi();
      const loadedRuns = await Promise.all(
        runIds.map(async (runId) => ({
          detail: await api.runs.get({ runId }),
          metrics: await api.runs.metrics({ runId }),
        })),
      );
      const buffer = new CurveBuffer();
      for (const { detail, metrics } of loadedRuns) {
        const name = detail.name ? `#${detail.id} ${detail.name}` : `#${detail.id}`;
        for (const e of metrics.epochs) buffer.append(name, e.index + 1, e.loss);
      }
      return { runs: loadedRuns.map((r) => r.detail), curves: markRaw(buffer) };
    });
    comparison.value = result;
    return result !== null;
  }

  function clearComparison(): void {
    comparison.value = null;
    errors.compare = null;
  }

  function dismissError(action: RunAction): void {
    errors[action] = null;
  }

  return {
    runs,
    loaded,
    configs,
    busy,
    errors,
    liveRunId,
    liveDetail,
    liveStatus,
    liveJobId,
    liveLog,
    plannedEpochs,
    epochsDone,
    curves,
    comparison,
    start,
    stop,
    refresh,
    watch,
    startRun,
    resume,
    cancel,
    remove,
    compare,
    clearComparison,
    dismissError,
  };
});
