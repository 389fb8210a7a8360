import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { JobFinished, JobKind, JobProgress } from '../../src-shared/rpc/channels/jobs';
import { useApi } from '../api/currentApi';
import { toDisplayError, type DisplayError } from '../api/displayError';

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A long operation as a progress bar shows it. */
export interface TrackedJob {
  jobId: string;
  kind: JobKind;
  /** What the job is for, e.g. "Import EEG motor imagery". */
  label: string;
  stage: string;
  done: number;
  total: number;
  /** 0..1 when the total is known, else null (an indeterminate bar). */
  fraction: number | null;
  /** The server's estimate, or one from the elapsed time and the fraction done. */
  etaSeconds: number | null;
  status: JobStatus;
  /** A cancel was asked for and not yet confirmed. */
  cancelling: boolean;
  startedAt: number;
  finishedAt: number | null;
  message: string | null;
  cancelError: DisplayError | null;
}

/** Job ids the client chooses: the kind, the time and a random part, within the contract's alphabet. */
export function newJobId(
  kind: JobKind,
  now: number = Date.now(),
  random: () => number = Math.random,
): string {
  const tail = Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${kind}-${now.toString(36)}-${tail}`;
}

/**
 * Seconds left: the server's estimate when it gives one; otherwise elapsed × (1 − f) / f once
 * enough is done (below 2 % the extrapolation is noise).
 */
export function estimateEta(
  fraction: number | null,
  elapsedSeconds: number,
  serverEta: number | null,
): number | null {
  if (serverEta !== null) return serverEta;
  if (fraction === null || fraction < 0.02 || elapsedSeconds <= 0) return null;
  if (fraction >= 1) return 0;
  return (elapsedSeconds * (1 - fraction)) / fraction;
}

/** "4 s", "2 min 05 s", "1 h 03 min". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Progress of every long operation this window started (import, prepare, simulate, train,
 * export): fed by `job.progress` / `job.finished` events and by the outcome of the request itself,
 * which is the authority on success (a finished event can be missed across a reconnect).
 */
export const useJobsStore = defineStore('jobs', () => {
  // Replaced on every change; shallowRef keeps the record out of deep reactivity.
  const jobs = shallowRef<Readonly<Record<string, TrackedJob>>>({});
  let unsubscribers: Array<() => void> = [];

  function put(job: TrackedJob): void {
    jobs.value = { ...jobs.value, [job.jobId]: job };
  }

  function update(jobId: string, change: Partial<TrackedJob>): void {
    const job = jobs.value[jobId];
    if (job) put({ ...job, ...change });
  }

  function onProgress(p: JobProgress, now: number = Date.now()): void {
    const job = jobs.value[p.jobId];
    if (!job || job.status !== 'running') return;
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : null;
    put({
      ...job,
      stage: p.stage,
      done: p.done,
      total: p.total,
      fraction,
      etaSeconds: estimateEta(fraction, (now - job.startedAt) / 1000, p.etaSeconds),
    });
  }

  function onFinished(f: JobFinished): void {
    const job = jobs.value[f.jobId];
    if (!job || job.status !== 'running') return;
    finish(f.jobId, f.outcome, f.message ?? null);
  }

  function finish(jobId: string, status: Exclude<JobStatus, 'running'>, message: string | null): void {
    const job = jobs.value[jobId];
    if (!job) return;
    put({
      ...job,
      status,
      cancelling: false,
      message,
      finishedAt: job.finishedAt ?? Date.now(),
      fraction: status === 'succeeded' ? 1 : job.fraction,
      etaSeconds: null,
    });
  }

  function subscribe(): void {
    if (unsubscribers.length > 0) return;
    const api = useApi();
    unsubscribers = [api.on('job.progress', (p) => onProgress(p)), api.on('job.finished', onFinished)];
  }

  function stop(): void {
    for (const unsubscribe of unsubscribers) unsubscribe();
    unsubscribers = [];
  }

  /** Registers a job before its request is sent, so early progress events are not lost. */
  function begin(kind: JobKind, label: string, jobId: string = newJobId(kind)): TrackedJob {
    subscribe();
    const job: TrackedJob = {
      jobId,
      kind,
      label,
      stage: 'starting…',
      done: 0,
      total: 0,
      fraction: null,
      etaSeconds: null,
      status: 'running',
      cancelling: false,
      startedAt: Date.now(),
      finishedAt: null,
      message: null,
      cancelError: null,
    };
    put(job);
    return job;
  }

  /**
   * Runs `request(jobId)` as a tracked job; resolves with its result, rejects with its error after
   * recording the outcome (CANCELLED counts as cancelled, not failed).
   */
  async function run<T>(kind: JobKind, label: string, request: (jobId: string) => Promise<T>): Promise<T> {
    const { jobId } = begin(kind, label);
    try {
      const result = await request(jobId);
      finish(jobId, 'succeeded', null);
      return result;
    } catch (err) {
      const shown = toDisplayError(err);
      finish(jobId, shown.code === 'CANCELLED' ? 'cancelled' : 'failed', shown.message);
      throw err;
    }
  }

  async function cancel(jobId: string): Promise<boolean> {
    const job = jobs.value[jobId];
    if (!job || job.status !== 'running') return false;
    update(jobId, { cancelling: true, cancelError: null });
    try {
      const { cancelled } = await useApi().jobs.cancel({ jobId });
      if (!cancelled) update(jobId, { cancelling: false });
      return cancelled;
    } catch (err) {
      update(jobId, { cancelling: false, cancelError: toDisplayError(err) });
      return false;
    }
  }

  function dismissCancelError(jobId: string): void {
    update(jobId, { cancelError: null });
  }

  function get(jobId: string | null): TrackedJob | null {
    return jobId === null ? null : (jobs.value[jobId] ?? null);
  }

  /** Drops finished jobs so their bars disappear. */
  function forget(jobId: string): void {
    const job = jobs.value[jobId];
    if (!job || job.status === 'running') return;
    const { [jobId]: _dropped, ...rest } = jobs.value;
    jobs.value = rest;
  }

  return {
    jobs,
    begin,
    run,
    cancel,
    dismissCancelError,
    get,
    forget,
    onProgress,
    onFinished,
    subscribe,
    stop,
  };
});
