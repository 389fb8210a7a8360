import { randomUUID } from 'node:crypto';
import type { JobKind, JobProgress } from '../../src-shared/rpc/channels/jobs';
import { RpcError } from '../../src-shared/rpc/errors';
import type { EventBus } from './eventBus';

/** Throttle for progress events: enough for a smooth bar, not a flood over the socket. */
const PROGRESS_INTERVAL_MS = 100;

export interface JobHandle {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** Reports progress; throttled, except the first and the last (done === total) report. */
  progress(stage: string, done: number, total: number): void;
  /** Throws CANCELLED if the job was cancelled; call between units of work. */
  throwIfCancelled(): void;
}

interface RunningJob {
  kind: JobKind;
  controller: AbortController;
  startedAt: number;
  last: JobProgress;
  lastSentAt: number;
}

/**
 * Every long operation runs as a job: it gets an AbortSignal, reports progress as events, and
 * ends with exactly one `job.finished`. Cancelling is cooperative: the work checks the signal
 * between units (chunks, batches) so stored state is never left half-written.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(private readonly events: EventBus) {}

  async run<T>(
    kind: JobKind,
    requestedId: string | undefined,
    work: (job: JobHandle) => Promise<T>,
  ): Promise<T> {
    const jobId = requestedId ?? randomUUID();
    if (this.jobs.has(jobId))
      throw new RpcError('ALREADY_EXISTS', `a job with id ${jobId} is already running`);
    const controller = new AbortController();
    const startedAt = Date.now();
    const entry: RunningJob = {
      kind,
      controller,
      startedAt,
      last: { jobId, kind, stage: 'starting', done: 0, total: 0, etaSeconds: null },
      lastSentAt: 0,
    };
    this.jobs.set(jobId, entry);

    const handle: JobHandle = {
      jobId,
      signal: controller.signal,
      progress: (stage, done, total) => {
        const elapsed = (Date.now() - startedAt) / 1000;
        const eta = total > 0 && done > 0 && done < total ? (elapsed * (total - done)) / done : null;
        entry.last = { jobId, kind, stage, done, total, etaSeconds: eta };
        const now = Date.now();
        if (now - entry.lastSentAt >= PROGRESS_INTERVAL_MS || done === total || entry.lastSentAt === 0) {
          entry.lastSentAt = now;
          this.events.emit('job.progress', entry.last);
        }
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new RpcError('CANCELLED', `${kind} cancelled`, { jobId });
      },
    };

    try {
      const result = await work(handle);
      if (controller.signal.aborted) throw new RpcError('CANCELLED', `${kind} cancelled`, { jobId });
      this.events.emit('job.finished', { jobId, kind, outcome: 'succeeded' });
      return result;
    } catch (err) {
      const cancelled = controller.signal.aborted || (err instanceof RpcError && err.code === 'CANCELLED');
      this.events.emit('job.finished', {
        jobId,
        kind,
        outcome: cancelled ? 'cancelled' : 'failed',
        message: err instanceof Error ? err.message : String(err),
      });
      if (cancelled && !(err instanceof RpcError && err.code === 'CANCELLED')) {
        throw new RpcError('CANCELLED', `${kind} cancelled`, { jobId });
      }
      throw err;
    } finally {
      this.jobs.delete(jobId);
    }
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  list(): JobProgress[] {
    return [...this.jobs.values()].map((j) => j.last);
  }

  cancelAll(): void {
    for (const j of this.jobs.values()) j.controller.abort();
  }
}
