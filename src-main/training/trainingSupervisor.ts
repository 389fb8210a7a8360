import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BatchMetrics,
  EngineInfoData,
  EpochRecordData,
  LogLevel,
  RunTimings,
} from '../../src-shared/domain/run';
import { epochStage } from '../../src-shared/domain/runProgress';
import { RpcError } from '../../src-shared/rpc/errors';
import type { EventBus } from '../services/eventBus';
import type { ProjectStore } from '../store/projectStore';
import { RunRepository, type FinishedRunStatus } from '../store/runRepository';
import { checkpointRow } from './checkpointCodec';
import { parseFromTrainer, type FromTrainer } from './protocol';
import { forkNodeTraining, type TrainingChannel, type TrainingSpawner } from './trainingChannel';
import type { TrainingSessionRef } from './trainingData';

/**
 * Spawns one training process per run and is the single writer of everything it reports: each
 * epoch's metrics and checkpoint in one transaction (older checkpoints pruned), the run log, the
 * outputs as results, and the run's status with timings and the engine it ran on. A process that
 * ends without saying how (killed, crashed) leaves the run 'interrupted', resumable from its last
 * checkpoint.
 */

export interface SupervisorOptions {
  events: EventBus;
  /** The bundled training-process entry; defaults to trainer.js beside this bundle (out/main). */
  entryPath?: string;
  spawn?: TrainingSpawner;
  /** Checkpoints kept per run (the newest ones). */
  keepCheckpoints?: number;
  maxBackend?: 'tensorflow' | 'wasm' | 'cpu';
  /** Throttle of batch messages and events. */
  batchIntervalMs?: number;
  maxNanRetries?: number;
  /** Batch metrics kept in memory per live run, for live curves. */
  recentBatchCount?: number;
}

export interface TrainingRequest {
  store: ProjectStore;
  runId: number;
  modelKind: string;
  config: Record<string, unknown>;
  sessions: TrainingSessionRef[];
  dataSignature: string;
  /** A checkpoint state to continue from. */
  checkpoint: unknown;
  signal: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface TrainingHandle {
  /** Resolves when the engine is up and the run is 'running'; rejects if the process ends first. */
  ready: Promise<void>;
  /** The run's final status. */
  finished: Promise<{ status: FinishedRunStatus; message?: string }>;
  readonly pid: number | undefined;
  kill(): void;
}

interface LiveRun {
  channel: TrainingChannel;
  batches: BatchMetrics[];
}

/** out/main/trainer.js, found from this module whether the bundler left it at the top or in chunks/. */
export function defaultTrainerEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'trainer.js'), path.join(here, '..', 'trainer.js')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Maps the training process's error codes onto the RPC error a caller sees. */
function rpcErrorOf(message: Extract<FromTrainer, { type: 'error' }>): RpcError {
  switch (message.code) {
    case 'INVALID_CONFIG':
      return new RpcError('INVALID_INPUT', message.message, {
        field: message.fields?.[0],
        fields: message.fields,
      });
    case 'INVALID_DATA':
    case 'CHECKPOINT_MISMATCH':
      return new RpcError('INVALID_INPUT', message.message, { reason: message.code });
    default:
      return new RpcError('INTERNAL', message.message, { reason: message.code });
  }
}

function describeEngine(e: EngineInfoData): string {
  return `${e.backend} backend, ${e.kernelPath} kernels${e.simd ? ' (SIMD)' : ''}, ${e.threads} thread${e.threads === 1 ? '' : 's'}`;
}

export class TrainingSupervisor {
  private readonly live = new Map<number, LiveRun>();
  private readonly lastBatches = new Map<number, BatchMetrics[]>();

  constructor(private readonly options: SupervisorOptions) {}

  isActive(runId: number): boolean {
    return this.live.has(runId);
  }

  /** The latest batch metrics of a run trained in this process (memory only). */
  recentBatches(runId: number): BatchMetrics[] {
    return this.live.get(runId)?.batches.slice() ?? this.lastBatches.get(runId)?.slice() ?? [];
  }

  /** Kills every training process (app shutdown); their runs are marked interrupted. */
  dispose(): void {
    for (const run of this.live.values()) run.channel.kill();
  }

  start(request: TrainingRequest): TrainingHandle {
    const { runId, store } = request;
    if (this.live.has(runId))
      throw new RpcError('ALREADY_EXISTS', `run ${runId} is already training`, { runId });
    const runs = new RunRepository(store);
    const events = this.options.events;
    const channel = (this.options.spawn ?? forkNodeTraining)(this.options.entryPath ?? defaultTrainerEntry());
    const liveRun: LiveRun = { channel, batches: [] };
    this.live.set(runId, liveRun);
    const keep = this.options.keepCheckpoints ?? 3;
    const recentCount = this.options.recentBatchCount ?? 500;

    const spawnedAt = Date.now();
    let readyAt: number | null = null;
    let engine: EngineInfoData | null = null;
    let epochs = 0;
    let nBatches = 1;
    let ended = false;
    let running = false;

    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    let resolveFinished!: (r: { status: FinishedRunStatus; message?: string }) => void;
    const finished = new Promise<{ status: FinishedRunStatus; message?: string }>(
      (r) => (resolveFinished = r),
    );

    const log = (level: LogLevel, message: string) => {
      try {
        runs.saveResult(runId, { kind: 'log', value: { at: new Date().toISOString(), level, message } });
      } catch (error) {
        console.error(`[modescope] could not store a log line of run ${runId}:`, error);
      }
      events.emit('run.log', { runId, level, message });
    };

    const markRunning = (backend: string | undefined) => {
      if (running) return;
      running = true;
      const current = runs.get(runId);
      if (current.status === 'cancelled' || current.status === 'failed') {
        // A resume of a stopped run: the repository starts only queued or interrupted runs.
        store.transaction(() =>
          store.db
            .prepare(
              "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status IN ('cancelled', 'failed')",
            )
            .run(runId),
        );
      }
      runs.markStarted(runId, backend === undefined ? {} : { backend });
    };

    const end = (status: FinishedRunStatus, message?: string, error?: { code: string; message: string }) => {
      if (ended) return;
      ended = true;
      this.live.delete(runId);
      this.lastBatches.set(runId, liveRun.batches);
      const now = Date.now();
      const timings: RunTimings = {
        initMs: readyAt === null ? null : readyAt - spawnedAt,
        trainMs: readyAt === null ? null : now - readyAt,
        epochs,
        engine,
      };
      try {
        markRunning(undefined);
        runs.markFinished(runId, { status, timings, ...(error ? { error } : {}) });
      } catch (e) {
        console.error(`[modescope] could not record the end of run ${runId}:`, e);
      }
      if (message !== undefined)
        log(status === 'completed' || status === 'cancelled' ? 'info' : 'error', message);
      events.emit('run.status', { runId, status, ...(message !== undefined ? { message } : {}) });
      resolveFinished({ status, ...(message !== undefined ? { message } : {}) });
    };

    const fail = (error: RpcError) => {
      rejectReady(error);
      end('failed', error.message, { code: error.code, message: error.message });
      channel.kill();
    };

    const handle = (message: FromTrainer) => {
      switch (message.type) {
        case 'ready': {
          readyAt = Date.now();
          engine = message.engine;
          markRunning(`${engine.backend}/${engine.kernelPath}`);
          events.emit('run.status', { runId, status: 'running' });
          log(
            'info',
            `training process ${channel.pid ?? '?'} ready: ${describeEngine(engine)}; initialised in ${readyAt - spawnedAt} ms`,
          );
          // A cancel sent before the process read it: the caller hears CANCELLED, not ready.
          if (!request.signal.aborted) resolveReady();
          return;
        }
        case 'batch': {
          const { type: _t, ...rest } = message;
          const b: BatchMetrics = { runId, ...rest };
          nBatches = Math.max(b.nBatches, 1);
          liveRun.batches.push(b);
          if (liveRun.batches.length > recentCount)
            liveRun.batches.splice(0, liveRun.batches.length - recentCount);
          events.emit('run.batch', b);
          return;
        }
        case 'epoch': {
          const record: EpochRecordData = message.record;
          runs.recordEpoch(
            runId,
            { epoch: record.index, loss: record.loss, metrics: record, durationMs: record.durationMs },
            checkpointRow(record.index, message.state, { dataSignature: request.dataSignature }),
          );
          runs.pruneCheckpoints(runId, keep);
          epochs += 1;
          events.emit('run.epoch', { runId, epoch: record, plannedEpochs: message.plannedEpochs });
          request.onProgress?.(
            epochStage(record.label, record.index, message.plannedEpochs),
            (record.index + 1) * nBatches,
            message.plannedEpochs * nBatches,
          );
          return;
        }
        case 'nan':
          log('warn', `not-a-number loss: ${message.message}`);
          return;
        case 'log':
          log(message.level, message.message);
          return;
        case 'outputs': {
          store.transaction(() => {
            for (const a of message.arrays) {
              const sessionId = a.session === null ? null : request.sessions[a.session]?.sessionId;
              if (sessionId === undefined)
                throw new Error(`outputs name session ${a.session}, which the run does not have`);
              runs.saveResult(runId, {
                kind: a.kind,
                sessionId,
                array: {
                  dtype: a.data instanceof Float64Array ? 'float64' : 'float32',
                  shape: a.shape,
                  data: a.data,
                },
              });
            }
            for (const v of message.values) runs.saveResult(runId, { kind: v.kind, value: v.value });
          });
          return;
        }
        case 'done':
          end('completed', 'training completed');
          return;
        case 'cancelled':
          rejectReady(new RpcError('CANCELLED', `run ${runId} was cancelled`, { runId }));
          end('cancelled', 'cancelled; resume continues from the last checkpoint');
          return;
        case 'error': {
          const error = rpcErrorOf(message);
          rejectReady(error);
          end('failed', message.message, { code: message.code, message: message.message });
          return;
        }
      }
    };

    channel.onMessage((raw) => {
      if (ended) return;
      try {
        handle(parseFromTrainer(raw));
      } catch (error) {
        fail(
          error instanceof RpcError
            ? error
            : new RpcError('INTERNAL', `training of run ${runId} stopped: ${(error as Error).message}`, {
                runId,
              }),
        );
      }
    });
    channel.onExit(({ code, signal }) => {
      if (ended) return;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const tail = channel.stderrTail().trim().split('\n').slice(-3).join(' | ');
      const message = `the training process ${how} before the run ended${tail ? `: ${tail}` : ''}; the run can resume from its last checkpoint`;
      rejectReady(new RpcError('INTERNAL', message, { runId }));
      end('interrupted', message, { code: 'INTERRUPTED', message });
    });
    const onAbort = () => channel.send({ type: 'cancel' });
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    void finished.then(() => request.signal.removeEventListener('abort', onAbort));
    // A caller that only awaits `finished` must not see an unhandled rejection.
    ready.catch(() => undefined);

    channel.send({
      type: 'start',
      projectPath: store.path,
      modelKind: request.modelKind,
      config: request.config,
      sessions: request.sessions.map((s) => ({
        dataArrayId: s.dataArrayId,
        gapMaskArrayId: s.gapMaskArrayId,
      })),
      checkpoint: request.checkpoint ?? null,
      ...(this.options.maxBackend ? { maxBackend: this.options.maxBackend } : {}),
      batchIntervalMs: this.options.batchIntervalMs ?? 100,
      ...(this.options.maxNanRetries !== undefined ? { maxNanRetries: this.options.maxNanRetries } : {}),
    });
    return { ready, finished, pid: channel.pid, kill: () => channel.kill() };
  }
}
