import { RpcError } from '../../src-shared/rpc/errors';
import { writeArray, type WriteArrayOptions } from './arrayStore';
import type { ProjectStore } from './projectStore';

/**
 * Runs and what training produces for them: per-epoch metrics, checkpoints and results. The
 * training process sends these as messages; the services persist them through here, so that an
 * epoch's metrics and its checkpoint land in one transaction and a run can always resume from its
 * last checkpoint.
 */

export const runStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type FinishedRunStatus = Extract<RunStatus, 'completed' | 'failed' | 'cancelled' | 'interrupted'>;

export interface RunRecord {
  id: number;
  datasetId: number;
  preparationId: number | null;
  parentRunId: number | null;
  label: string | null;
  modelKind: string;
  config: unknown;
  seed: number;
  status: RunStatus;
  backend: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  timings: unknown;
  error: unknown;
}

export interface NewRun {
  datasetId: number;
  preparationId?: number | null;
  parentRunId?: number | null;
  label?: string | null;
  modelKind: string;
  config: unknown;
  seed: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number | null;
  metrics: Record<string, unknown>;
  durationMs?: number | null;
}

export interface EpochMetricsRecord extends EpochMetrics {
  runId: number;
  recordedAt: string;
}

export interface NewCheckpoint {
  epoch: number;
  weights: Uint8Array;
  /** How to cut `weights` back into tensors (names, shapes, dtypes, offsets): the engine's format. */
  weightsManifest: unknown;
  optimizerState?: Uint8Array | null;
  optimizerManifest?: unknown;
  rngState: unknown;
  /** Annealing step, learning rate, best loss…: whatever resuming needs besides weights. */
  trainingState?: unknown;
}

export interface CheckpointRecord {
  id: number;
  runId: number;
  epoch: number;
  weights: Uint8Array;
  weightsManifest: unknown;
  optimizerState: Uint8Array | null;
  optimizerManifest: unknown;
  rngState: unknown;
  trainingState: unknown;
  createdAt: string;
}

export interface NewResult {
  kind: string;
  sessionId?: number | null;
  /** A numeric result (alpha time course, covariances): stored as a chunked array. */
  array?: Omit<WriteArrayOptions, 'name'>;
  /** A small result (free energy, summary statistics) stored as JSON. */
  value?: unknown;
}

export interface ResultRecord {
  id: number;
  runId: number;
  kind: string;
  sessionId: number | null;
  arrayId: number | null;
  value: unknown;
  createdAt: string;
}

interface RunRow {
  id: number;
  dataset_id: number;
  preparation_id: number | null;
  parent_run_id: number | null;
  label: string | null;
  model_kind: string;
  config_json: string;
  seed: number;
  status: RunStatus;
  backend: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  timings_json: string | null;
  error_json: string | null;
}

const now = () => new Date().toISOString();

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw new RpcError('INVALID_INPUT', `${field} cannot be stored as JSON: ${String(error)}`, { field });
  }
  if (text === undefined) throw new RpcError('INVALID_INPUT', `${field} cannot be stored as JSON`, { field });
  return text;
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    preparationId: row.preparation_id,
    parentRunId: row.parent_run_id,
    label: row.label,
    modelKind: row.model_kind,
    config: parseJson(row.config_json),
    seed: row.seed,
    status: row.status,
    backend: row.backend,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    timings: parseJson(row.timings_json),
    error: parseJson(row.error_json),
  };
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RpcError('INVALID_INPUT', `epoch must be a non-negative integer, got ${epoch}`, {
      field: 'epoch',
    });
  }
}

function isForeignKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
  );
}

export class RunRepository {
  constructor(private readonly store: ProjectStore) {}

  create(run: NewRun): RunRecord {
    if (typeof run.modelKind !== 'string' || run.modelKind.length === 0) {
      throw new RpcError('INVALID_INPUT', 'model kind is empty', { field: 'modelKind' });
    }
    if (!Number.isSafeInteger(run.seed)) {
      throw new RpcError('INVALID_INPUT', `seed must be an integer, got ${run.seed}`, { field: 'seed' });
    }
    const configJson = toJson(run.config, 'config');
    try {
      const id = this.store.transaction(
        () =>
          this.store.db
            .prepare(
              `INSERT INTO runs (dataset_id, preparation_id, parent_run_id, label, model_kind, config_json, seed, status, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
            )
            .run(
              run.datasetId,
              run.preparationId ?? null,
              run.parentRunId ?? null,
              run.label ?? null,
              run.modelKind,
              configJson,
              run.seed,
              now(),
            ).lastInsertRowid,
      );
      return this.get(Number(id));
    } catch (error) {
      if (isForeignKeyError(error)) {
        throw new RpcError(
          'NOT_FOUND',
          'the run refers to a dataset, preparation or parent run that does not exist',
          {
            datasetId: run.datasetId,
            preparationId: run.preparationId ?? null,
            parentRunId: run.parentRunId ?? null,
          },
        );
      }
      throw error;
    }
  }

  get(id: number): RunRecord {
    const row = this.store.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (row === undefined) throw new RpcError('NOT_FOUND', `run ${id} does not exist`, { runId: id });
    return toRun(row);
  }

  list(filter: { status?: RunStatus; datasetId?: number } = {}): RunRecord[] {
    const rows = this.store.db
      .prepare(
        `SELECT * FROM runs WHERE (@status IS NULL OR status = @status) AND (@datasetId IS NULL OR dataset_id = @datasetId) ORDER BY id`,
      )
      .all({ status: filter.status ?? null, datasetId: filter.datasetId ?? null }) as RunRow[];
    return rows.map(toRun);
  }

  setLabel(id: number, label: string | null): void {
    this.get(id);
    this.store.transaction(() =>
      this.store.db.prepare('UPDATE runs SET label = ? WHERE id = ?').run(label, id),
    );
  }

  /** queued or interrupted (a resume) → running. */
  markStarted(id: number, opts: { backend?: string } = {}): RunRecord {
    this.store.transaction(() => {
      const run = this.get(id);
      if (run.status !== 'queued' && run.status !== 'interrupted') {
        throw new RpcError(
          'INVALID_INPUT',
          `run ${id} is ${run.status}; only a queued or interrupted run can start`,
          {
            runId: id,
            status: run.status,
          },
        );
      }
      this.store.db
        .prepare(
          "UPDATE runs SET status = 'running', started_at = ?, finished_at = NULL, backend = ? WHERE id = ?",
        )
        .run(now(), opts.backend ?? run.backend, id);
    });
    return this.get(id);
  }

  /** running → completed / failed / cancelled / interrupted, with timings and error as JSON. */
  markFinished(
    id: number,
    outcome: { status: FinishedRunStatus; timings?: unknown; error?: unknown },
  ): RunRecord {
    if (!['completed', 'failed', 'cancelled', 'interrupted'].includes(outcome.status)) {
      throw new RpcError('INVALID_INPUT', `${String(outcome.status)} is not a final run status`, {
        field: 'status',
      });
    }
    const timings = outcome.timings === undefined ? null : toJson(outcome.timings, 'timings');
    const error = outcome.error === undefined ? null : toJson(outcome.error, 'error');
    this.store.transaction(() => {
      const run = this.get(id);
      if (run.status !== 'running') {
        throw new RpcError('INVALID_INPUT', `run ${id} is ${run.status}, not running`, {
          runId: id,
          status: run.status,
        });
      }
      this.store.db
        .prepare('UPDATE runs SET status = ?, finished_at = ?, timings_json = ?, error_json = ? WHERE id = ?')
        .run(outcome.status, now(), timings, error, id);
    });
    return this.get(id);
  }

  /**
   * Runs left 'running' by a process that is gone. Only the single writer runs training, so when
   * a project is opened for writing every such run was interrupted; call this right after opening.
   */
  markOrphansInterrupted(): number[] {
    return this.store.transaction(() => {
      const ids = (
        this.store.db.prepare("SELECT id FROM runs WHERE status = 'running'").all() as { id: number }[]
      ).map((r) => r.id);
      this.store.db
        .prepare("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'")
        .run(now());
      return ids;
    });
  }

  /** Deletes a run with its metrics, checkpoints and results (and their arrays). */
  delete(id: number): void {
    this.get(id);
    try {
      this.store.transaction(() => this.store.db.prepare('DELETE FROM runs WHERE id = ?').run(id));
    } catch (error) {
      if (isForeignKeyError(error))
        throw new RpcError('INVALID_INPUT', `run ${id} is still referenced`, { runId: id });
      throw error;
    }
  }

  /**
   * Stores one epoch's metrics and, when given, its checkpoint in one transaction: after a crash
   * the last checkpoint never points past the metrics that led to it.
   */
  recordEpoch(runId: number, metrics: EpochMetrics, checkpoint?: NewCheckpoint): void {
    checkEpoch(metrics.epoch);
    if (checkpoint !== undefined && checkpoint.epoch !== metrics.epoch) {
      throw new RpcError(
        'INVALID_INPUT',
        `checkpoint epoch ${checkpoint.epoch} does not match metrics epoch ${metrics.epoch}`,
        { field: 'epoch' },
      );
    }
    const metricsJson = toJson(metrics.metrics, 'metrics');
    this.store.transaction(() => {
      this.get(runId);
      this.store.db
        .prepare(
          `INSERT INTO epoch_metrics (run_id, epoch, loss, metrics_json, duration_ms, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, epoch) DO UPDATE SET loss = excluded.loss, metrics_json = excluded.metrics_json,
             duration_ms = excluded.duration_ms, recorded_at = excluded.recorded_at`,
        )
        .run(runId, metrics.epoch, metrics.loss, metricsJson, metrics.durationMs ?? null, now());
      if (checkpoint !== undefined) this.saveCheckpoint(runId, checkpoint);
    });
  }

  epochMetrics(runId: number): EpochMetricsRecord[] {
    const rows = this.store.db
      .prepare(
        'SELECT run_id, epoch, loss, metrics_json, duration_ms, recorded_at FROM epoch_metrics WHERE run_id = ? ORDER BY epoch',
      )
      .all(runId) as {
      run_id: number;
      epoch: number;
      loss: number | null;
      metrics_json: string;
      duration_ms: number | null;
      recorded_at: string;
    }[];
    return rows.map((row) => ({
      runId: row.run_id,
      epoch: row.epoch,
      loss: row.loss,
      metrics: JSON.parse(row.metrics_json) as Record<string, unknown>,
      durationMs: row.duration_ms,
      recordedAt: row.recorded_at,
    }));
  }

  /** Stores (or replaces) the checkpoint of one epoch. */
  saveCheckpoint(runId: number, checkpoint: NewCheckpoint): number {
    checkEpoch(checkpoint.epoch);
    if (!(checkpoint.weights instanceof Uint8Array)) {
      throw new RpcError('INVALID_INPUT', 'checkpoint weights must be bytes (a Uint8Array)', {
        field: 'weights',
      });
    }
    const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.store.transaction(() => {
      this.get(runId);
      const info = this.store.db
        .prepare(
          `INSERT INTO checkpoints (run_id, epoch, weights, weights_manifest_json, optimizer_state, optimizer_manifest_json,
             rng_state_json, training_state_json, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, epoch) DO UPDATE SET weights = excluded.weights,
             weights_manifest_json = excluded.weights_manifest_json, optimizer_state = excluded.optimizer_state,
             optimizer_manifest_json = excluded.optimizer_manifest_json, rng_state_json = excluded.rng_state_json,
             training_state_json = excluded.training_state_json, created_at = excluded.created_at
           RETURNING id`,
        )
        .get(
          runId,
          checkpoint.epoch,
          bytes(checkpoint.weights),
          toJson(checkpoint.weightsManifest, 'weightsManifest'),
          checkpoint.optimizerState == null ? null : bytes(checkpoint.optimizerState),
          checkpoint.optimizerManifest === undefined
            ? null
            : toJson(checkpoint.optimizerManifest, 'optimizerManifest'),
          toJson(checkpoint.rngState, 'rngState'),
          checkpoint.trainingState === undefined ? null : toJson(checkpoint.trainingState, 'trainingState'),
          now(),
        ) as { id: number };
      return info.id;
    });
  }

  /** The checkpoint to resume from: the highest epoch, or undefined when there is none yet. */
  latestCheckpoint(runId: number): CheckpointRecord | undefined {
    const row = this.store.db
      .prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1')
      .get(runId) as
      | {
          id: number;
          run_id: number;
          epoch: number;
          weights: Buffer;
          weights_manifest_json: string;
          optimizer_state: Buffer | null;
          optimizer_manifest_json: string | null;
          rng_state_json: string;
          training_state_json: string | null;
          created_at: string;
        }
      | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      runId: row.run_id,
      epoch: row.epoch,
      weights: new Uint8Array(row.weights.buffer, row.weights.byteOffset, row.weights.byteLength),
      weightsManifest: parseJson(row.weights_manifest_json),
      optimizerState:
        row.optimizer_state === null
          ? null
          : new Uint8Array(
              row.optimizer_state.buffer,
              row.optimizer_state.byteOffset,
              row.optimizer_state.byteLength,
            ),
      optimizerManifest: parseJson(row.optimizer_manifest_json),
      rngState: parseJson(row.rng_state_json),
      trainingState: parseJson(row.training_state_json),
      createdAt: row.created_at,
    };
  }

  checkpointEpochs(runId: number): number[] {
    return (
      this.store.db.prepare('SELECT epoch FROM checkpoints WHERE run_id = ? ORDER BY epoch').all(runId) as {
        epoch: number;
      }[]
    ).map((r) => r.epoch);
  }

  /** Keeps the newest `keep` checkpoints of a run (and any epochs listed in `alsoKeep`). */
  pruneCheckpoints(runId: number, keep: number, alsoKeep: readonly number[] = []): number {
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RpcError('INVALID_INPUT', `keep must be at least 1, got ${keep}`, { field: 'keep' });
    }
    return this.store.transaction(
      () =>
        this.store.db
          .prepare(
            `DELETE FROM checkpoints WHERE run_id = @runId AND epoch NOT IN (SELECT value FROM json_each(@alsoKeep))
               AND epoch NOT IN (SELECT epoch FROM checkpoints WHERE run_id = @runId ORDER BY epoch DESC LIMIT @keep)`,
          )
          .run({ runId, keep, alsoKeep: JSON.stringify(alsoKeep) }).changes,
    );
  }

  /** Stores one result of a run; an array result and its row are written in one transaction. */
  saveResult(runId: number, result: NewResult): ResultRecord {
    if (typeof result.kind !== 'string' || result.kind.length === 0) {
      throw new RpcError('INVALID_INPUT', 'result kind is empty', { field: 'kind' });
    }
    if (result.array === undefined && result.value === undefined) {
      throw new RpcError('INVALID_INPUT', `result ${result.kind} has neither an array nor a value`, {
        field: 'array',
      });
    }
    const valueJson = result.value === undefined ? null : toJson(result.value, 'value');
    const id = this.store.transaction(() => {
      this.get(runId);
      const arrayId =
        result.array === undefined
          ? null
          : writeArray(this.store, { ...result.array, name: `run ${runId} ${result.kind}` });
      try {
        return this.store.db
          .prepare(
            'INSERT INTO results (run_id, kind, session_id, array_id, value_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(runId, result.kind, result.sessionId ?? null, arrayId, valueJson, now()).lastInsertRowid;
      } catch (error) {
        if (isForeignKeyError(error)) {
          throw new RpcError('NOT_FOUND', `session ${result.sessionId} does not exist`, {
            sessionId: result.sessionId,
          });
        }
        throw error;
      }
    });
    // Only the new row is read back: a run accumulates hundreds of results (per-session arrays,
    // analyses), and re-reading them all after each save made a run's outputs quadratic to save.
    const row = this.store.db.prepare('SELECT * FROM results WHERE id = ?').get(Number(id)) as
      ResultRow | undefined;
    if (row === undefined) throw new Error(`result ${id} vanished right after it was written`);
    return resultRecord(row);
  }

  results(runId: number, filter: { kind?: string } = {}): ResultRecord[] {
    const rows = this.store.db
      .prepare('SELECT * FROM results WHERE run_id = @runId AND (@kind IS NULL OR kind = @kind) ORDER BY id')
      .all({ runId, kind: filter.kind ?? null }) as ResultRow[];
    return rows.map(resultRecord);
  }
}

interface ResultRow {
  id: number;
  run_id: number;
  kind: string;
  session_id: number | null;
  array_id: number | null;
  value_json: string | null;
  created_at: string;
}

function resultRecord(row: ResultRow): ResultRecord {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    sessionId: row.session_id,
    arrayId: row.array_id,
    value: parseJson(row.value_json),
    createdAt: row.created_at,
  };
}
