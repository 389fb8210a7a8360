import { RpcError } from '../../src-shared/rpc/errors';
import { arrayInfo } from './arrayStore';
import type { ProjectStore } from './projectStore';

/**
 * Datasets, their sessions (one source recording each, stored as a [time, channel] array plus a
 * gap mask) and their preparations. Array shapes are checked against the dataset on the way in, so
 * later readers can trust `nSamples` and the channel count.
 */

/** Structurally the reader's ChannelInfo; kept loose here so the store does not own that schema. */
export interface StoredChannel {
  name: string;
  type: string;
  unit?: string;
}

export interface DatasetRecord {
  id: number;
  name: string;
  format: string;
  samplingRateHz: number;
  nChannels: number;
  channels: StoredChannel[];
  notes: string | null;
  createdAt: string;
}

export interface NewDataset {
  name: string;
  format: string;
  samplingRateHz: number;
  channels: readonly StoredChannel[];
  notes?: string | null;
}

export interface SessionRecord {
  id: number;
  datasetId: number;
  ordinal: number;
  label: string | null;
  sourcePath: string;
  sourceSize: number | null;
  sourceSha256: string | null;
  nSamples: number;
  dataArrayId: number | null;
  gapMaskArrayId: number | null;
  annotations: unknown[];
  /** Samples marked missing in the gap mask; null when not counted. */
  nGapSamples: number | null;
  createdAt: string;
}

export interface NewSession {
  label?: string | null;
  sourcePath: string;
  sourceSize?: number | null;
  sourceSha256?: string | null;
  nSamples: number;
  /** A [nSamples, nChannels] array of the dataset's channels. */
  dataArrayId?: number | null;
  /** A uint8 [nSamples] array: 1 where the sample is missing. */
  gapMaskArrayId?: number | null;
  annotations?: unknown[];
  nGapSamples?: number | null;
}

/** A ground-truth or fitted array (or JSON value) owned by a dataset, a session or a preparation. */
export interface DatasetArrayRecord {
  id: number;
  datasetId: number;
  sessionId: number | null;
  preparationId: number | null;
  role: string;
  arrayId: number | null;
  value: unknown;
}

export interface NewDatasetArray {
  datasetId: number;
  sessionId?: number | null;
  preparationId?: number | null;
  role: string;
  arrayId?: number | null;
  value?: unknown;
}

export const preparationStatuses = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type PreparationStatus = (typeof preparationStatuses)[number];

export interface PreparationRecord {
  id: number;
  datasetId: number;
  name: string | null;
  pipeline: unknown;
  status: PreparationStatus;
  samplingRateHz: number | null;
  nChannels: number | null;
  fitted: unknown;
  error: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface PreparationOutputRecord {
  preparationId: number;
  sessionId: number;
  arrayId: number;
  gapMaskArrayId: number | null;
}

const now = () => new Date().toISOString();

function invalid(message: string, details?: Record<string, unknown>): RpcError {
  return new RpcError('INVALID_INPUT', message, details);
}

function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw invalid(`${field} cannot be stored as JSON: ${String(error)}`, { field });
  }
  if (text === undefined) throw invalid(`${field} cannot be stored as JSON`, { field });
  return text;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

interface DatasetRow {
  id: number;
  name: string;
  format: string;
  sampling_rate_hz: number;
  n_channels: number;
  channels_json: string;
  notes: string | null;
  created_at: string;
}

interface SessionRow {
  id: number;
  dataset_id: number;
  ordinal: number;
  label: string | null;
  source_path: string;
  source_size: number | null;
  source_sha256: string | null;
  n_samples: number;
  data_array_id: number | null;
  gap_mask_array_id: number | null;
  annotations_json: string;
  n_gap_samples: number | null;
  created_at: string;
}

interface PreparationRow {
  id: number;
  dataset_id: number;
  name: string | null;
  pipeline_json: string;
  status: PreparationStatus;
  sampling_rate_hz: number | null;
  n_channels: number | null;
  fitted_json: string | null;
  error_json: string | null;
  created_at: string;
  finished_at: string | null;
}

const toDataset = (row: DatasetRow): DatasetRecord => ({
  id: row.id,
  name: row.name,
  format: row.format,
  samplingRateHz: row.sampling_rate_hz,
  nChannels: row.n_channels,
  channels: JSON.parse(row.channels_json) as StoredChannel[],
  notes: row.notes,
  createdAt: row.created_at,
});

const toSession = (row: SessionRow): SessionRecord => ({
  id: row.id,
  datasetId: row.dataset_id,
  ordinal: row.ordinal,
  label: row.label,
  sourcePath: row.source_path,
  sourceSize: row.source_size,
  sourceSha256: row.source_sha256,
  nSamples: row.n_samples,
  dataArrayId: row.data_array_id,
  gapMaskArrayId: row.gap_mask_array_id,
  annotations: JSON.parse(row.annotations_json) as unknown[],
  nGapSamples: row.n_gap_samples ?? null,
  createdAt: row.created_at,
});

const toPreparation = (row: PreparationRow): PreparationRecord => ({
  id: row.id,
  datasetId: row.dataset_id,
  name: row.name,
  pipeline: parseJson(row.pipeline_json),
  status: row.status,
  samplingRateHz: row.sampling_rate_hz,
  nChannels: row.n_channels,
  fitted: parseJson(row.fitted_json),
  error: parseJson(row.error_json),
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

export class DatasetRepository {
  constructor(private readonly store: ProjectStore) {}

  create(dataset: NewDataset): DatasetRecord {
    const name = typeof dataset.name === 'string' ? dataset.name.trim() : '';
    if (name.length === 0) throw invalid('dataset name is empty', { field: 'name' });
    if (typeof dataset.format !== 'string' || dataset.format.length === 0) {
      throw invalid('dataset format is empty', { field: 'format' });
    }
    if (!Number.isFinite(dataset.samplingRateHz) || dataset.samplingRateHz <= 0) {
      throw invalid(`sampling rate must be a positive number of Hz, got ${dataset.samplingRateHz}`, {
        field: 'samplingRateHz',
      });
    }
    if (!Array.isArray(dataset.channels) || dataset.channels.length === 0) {
      throw invalid('a dataset needs at least one channel', { field: 'channels' });
    }
    dataset.channels.forEach((channel, index) => {
      if (typeof channel?.name !== 'string' || typeof channel.type !== 'string') {
        throw invalid(`channel ${index} needs a name and a type`, { field: 'channels', index });
      }
    });
    try {
      const id = this.store.transaction(
        () =>
          this.store.db
            .prepare(
              'INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            )
            .run(
              name,
              dataset.format,
              dataset.samplingRateHz,
              dataset.channels.length,
              toJson(dataset.channels, 'channels'),
              dataset.notes ?? null,
              now(),
            ).lastInsertRowid,
      );
      return this.get(Number(id));
    } catch (error) {
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new RpcError('ALREADY_EXISTS', `a dataset named "${name}" already exists`, {
          field: 'name',
          name,
        });
      }
      throw error;
    }
  }

  get(id: number): DatasetRecord {
    const row = this.store.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as
      DatasetRow | undefined;
    if (row === undefined) throw new RpcError('NOT_FOUND', `dataset ${id} does not exist`, { datasetId: id });
    return toDataset(row);
  }

  list(): DatasetRecord[] {
    return (this.store.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toDataset);
  }

  /** Deletes a dataset with its sessions, preparations and their arrays; refused while runs use it. */
  delete(id: number): void {
    this.get(id);
    const runCount = (
      this.store.db.prepare('SELECT count(*) AS n FROM runs WHERE dataset_id = ?').get(id) as { n: number }
    ).n;
    if (runCount > 0) {
      throw invalid(`dataset ${id} has ${runCount} run(s); delete them first`, {
        datasetId: id,
        runs: runCount,
      });
    }
    this.store.transaction(() => this.store.db.prepare('DELETE FROM datasets WHERE id = ?').run(id));
  }

  /** Adds the next session (ordinals count up from 0) after checking its arrays fit the dataset. */
  addSession(datasetId: number, session: NewSession): SessionRecord {
    if (typeof session.sourcePath !== 'string' || session.sourcePath.length === 0) {
      throw invalid('session source path is empty', { field: 'sourcePath' });
    }
    if (
      session.nGapSamples != null &&
      (!Number.isSafeInteger(session.nGapSamples) ||
        session.nGapSamples < 0 ||
        session.nGapSamples > session.nSamples)
    ) {
      throw invalid(`nGapSamples must be an integer from 0 to nSamples, got ${session.nGapSamples}`, {
        field: 'nGapSamples',
      });
    }
    if (!Number.isSafeInteger(session.nSamples) || session.nSamples < 0) {
      throw invalid(`nSamples must be a non-negative integer, got ${session.nSamples}`, {
        field: 'nSamples',
      });
    }
    const annotations = toJson(session.annotations ?? [], 'annotations');
    const id = this.store.transaction(() => {
      const dataset = this.get(datasetId);
      if (session.dataArrayId != null) {
        const info = arrayInfo(this.store, session.dataArrayId);
        const expected = [session.nSamples, dataset.nChannels];
        if (
          info.status !== 'complete' ||
          info.shape.length !== 2 ||
          info.shape[0] !== expected[0] ||
          info.shape[1] !== expected[1]
        ) {
          throw invalid(
            `session data array ${info.id} has shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(expected)} ([samples, channels])`,
            { field: 'dataArrayId' },
          );
        }
      }
      if (session.gapMaskArrayId != null) {
        const info = arrayInfo(this.store, session.gapMaskArrayId);
        if (info.dtype !== 'uint8' || info.shape.length !== 1 || info.nRows !== session.nSamples) {
          throw invalid(
            `gap mask array ${info.id} is ${info.dtype} ${JSON.stringify(info.shape)}, expected uint8 [${session.nSamples}]`,
            { field: 'gapMaskArrayId' },
          );
        }
      }
      const ordinal = (
        this.store.db
          .prepare('SELECT coalesce(max(ordinal) + 1, 0) AS next FROM sessions WHERE dataset_id = ?')
          .get(datasetId) as { next: number }
      ).next;
      return this.store.db
        .prepare(
          `INSERT INTO sessions (dataset_id, ordinal, label, source_path, source_size, source_sha256, n_samples,
             data_array_id, gap_mask_array_id, annotations_json, n_gap_samples, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          datasetId,
          ordinal,
          session.label ?? null,
          session.sourcePath,
          session.sourceSize ?? null,
          session.sourceSha256 ?? null,
          session.nSamples,
          session.dataArrayId ?? null,
          session.gapMaskArrayId ?? null,
          annotations,
          session.nGapSamples ?? null,
          now(),
        ).lastInsertRowid;
    });
    return this.session(Number(id));
  }

  session(id: number): SessionRecord {
    const row = this.store.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
      SessionRow | undefined;
    if (row === undefined) throw new RpcError('NOT_FOUND', `session ${id} does not exist`, { sessionId: id });
    return toSession(row);
  }

  sessions(datasetId: number): SessionRecord[] {
    return (
      this.store.db
        .prepare('SELECT * FROM sessions WHERE dataset_id = ? ORDER BY ordinal')
        .all(datasetId) as SessionRow[]
    ).map(toSession);
  }

  createPreparation(
    datasetId: number,
    preparation: { name?: string | null; pipeline: unknown },
  ): PreparationRecord {
    const pipeline = toJson(preparation.pipeline, 'pipeline');
    const id = this.store.transaction(() => {
      this.get(datasetId);
      return this.store.db
        .prepare(
          "INSERT INTO preparations (dataset_id, name, pipeline_json, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
        )
        .run(datasetId, preparation.name ?? null, pipeline, now()).lastInsertRowid;
    });
    return this.preparation(Number(id));
  }

  preparation(id: number): PreparationRecord {
    const row = this.store.db.prepare('SELECT * FROM preparations WHERE id = ?').get(id) as
      PreparationRow | undefined;
    if (row === undefined)
      throw new RpcError('NOT_FOUND', `preparation ${id} does not exist`, { preparationId: id });
    return toPreparation(row);
  }

  preparations(datasetId: number): PreparationRecord[] {
    return (
      this.store.db
        .prepare('SELECT * FROM preparations WHERE dataset_id = ? ORDER BY id')
        .all(datasetId) as PreparationRow[]
    ).map(toPreparation);
  }

  /** Moves a preparation on; 'done', 'failed' and 'cancelled' also stamp `finishedAt`. */
  setPreparationStatus(
    id: number,
    status: PreparationStatus,
    extra: { samplingRateHz?: number; nChannels?: number; fitted?: unknown; error?: unknown } = {},
  ): PreparationRecord {
    if (!(preparationStatuses as readonly string[]).includes(status)) {
      throw invalid(`unknown preparation status ${String(status)}`, { field: 'status' });
    }
    const finished = status === 'done' || status === 'failed' || status === 'cancelled';
    const fitted = extra.fitted === undefined ? undefined : toJson(extra.fitted, 'fitted');
    const error = extra.error === undefined ? undefined : toJson(extra.error, 'error');
    this.store.transaction(() => {
      this.preparation(id);
      this.store.db
        .prepare(
          `UPDATE preparations SET status = @status,
             sampling_rate_hz = coalesce(@samplingRateHz, sampling_rate_hz), n_channels = coalesce(@nChannels, n_channels),
             fitted_json = coalesce(@fitted, fitted_json), error_json = coalesce(@error, error_json),
             finished_at = @finishedAt WHERE id = @id`,
        )
        .run({
          id,
          status,
          samplingRateHz: extra.samplingRateHz ?? null,
          nChannels: extra.nChannels ?? null,
          fitted: fitted ?? null,
          error: error ?? null,
          finishedAt: finished ? now() : null,
        });
    });
    return this.preparation(id);
  }

  /** Records the prepared array of one session; replaces (and so frees) an earlier output. */
  addPreparationOutput(output: PreparationOutputRecord): void {
    this.store.transaction(() => {
      const preparation = this.preparation(output.preparationId);
      const session = this.session(output.sessionId);
      if (session.datasetId !== preparation.datasetId) {
        throw invalid(
          `session ${session.id} belongs to dataset ${session.datasetId}, not ${preparation.datasetId}`,
          {
            field: 'sessionId',
          },
        );
      }
      const info = arrayInfo(this.store, output.arrayId);
      if (info.status !== 'complete')
        throw invalid(`array ${info.id} is still being written`, { field: 'arrayId' });
      if (output.gapMaskArrayId != null) arrayInfo(this.store, output.gapMaskArrayId);
      this.store.db
        .prepare('DELETE FROM preparation_outputs WHERE preparation_id = ? AND session_id = ?')
        .run(output.preparationId, output.sessionId);
      this.store.db
        .prepare(
          'INSERT INTO preparation_outputs (preparation_id, session_id, array_id, gap_mask_array_id) VALUES (?, ?, ?, ?)',
        )
        .run(output.preparationId, output.sessionId, output.arrayId, output.gapMaskArrayId ?? null);
    });
  }

  preparationOutputs(preparationId: number): PreparationOutputRecord[] {
    const rows = this.store.db
      .prepare(
        `SELECT o.preparation_id, o.session_id, o.array_id, o.gap_mask_array_id FROM preparation_outputs o
           JOIN sessions s ON s.id = o.session_id WHERE o.preparation_id = ? ORDER BY s.ordinal`,
      )
      .all(preparationId) as {
      preparation_id: number;
      session_id: number;
      array_id: number;
      gap_mask_array_id: number | null;
    }[];
    return rows.map((row) => ({
      preparationId: row.preparation_id,
      sessionId: row.session_id,
      arrayId: row.array_id,
      gapMaskArrayId: row.gap_mask_array_id,
    }));
  }

  /** Records an array or value owned by a dataset (and optionally one of its sessions or preparations). */
  addDatasetArray(entry: NewDatasetArray): DatasetArrayRecord {
    const role = typeof entry.role === 'string' ? entry.role.trim() : '';
    if (role.length === 0) throw invalid('dataset array role is empty', { field: 'role' });
    if (entry.arrayId == null && entry.value === undefined) {
      throw invalid('a dataset array needs an array id or a value', { field: 'arrayId' });
    }
    const value = entry.value === undefined ? null : toJson(entry.value, 'value');
    const id = this.store.transaction(() => {
      this.get(entry.datasetId);
      if (entry.sessionId != null && this.session(entry.sessionId).datasetId !== entry.datasetId) {
        throw invalid(`session ${entry.sessionId} does not belong to dataset ${entry.datasetId}`, {
          field: 'sessionId',
        });
      }
      if (
        entry.preparationId != null &&
        this.preparation(entry.preparationId).datasetId !== entry.datasetId
      ) {
        throw invalid(`preparation ${entry.preparationId} does not belong to dataset ${entry.datasetId}`, {
          field: 'preparationId',
        });
      }
      if (entry.arrayId != null) arrayInfo(this.store, entry.arrayId);
      return this.store.db
        .prepare(
          `INSERT INTO dataset_arrays (dataset_id, session_id, preparation_id, role, array_id, value_json, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.datasetId,
          entry.sessionId ?? null,
          entry.preparationId ?? null,
          role,
          entry.arrayId ?? null,
          value,
          now(),
        ).lastInsertRowid;
    });
    return this.datasetArrays({ datasetId: entry.datasetId }).find((a) => a.id === Number(id))!;
  }

  /**
   * Arrays and values of a dataset; `sessionId`/`preparationId` null selects the dataset-level
   * ones, undefined does not filter.
   */
  datasetArrays(filter: {
    datasetId: number;
    sessionId?: number | null;
    preparationId?: number | null;
    role?: string;
  }): DatasetArrayRecord[] {
    const rows = this.store.db
      .prepare('SELECT * FROM dataset_arrays WHERE dataset_id = ? ORDER BY id')
      .all(filter.datasetId) as {
      id: number;
      dataset_id: number;
      session_id: number | null;
      preparation_id: number | null;
      role: string;
      array_id: number | null;
      value_json: string | null;
    }[];
    return rows
      .filter(
        (r) =>
          (filter.sessionId === undefined || r.session_id === filter.sessionId) &&
          (filter.preparationId === undefined || r.preparation_id === filter.preparationId) &&
          (filter.role === undefined || r.role === filter.role),
      )
      .map((r) => ({
        id: r.id,
        datasetId: r.dataset_id,
        sessionId: r.session_id,
        preparationId: r.preparation_id,
        role: r.role,
        arrayId: r.array_id,
        value: parseJson(r.value_json),
      }));
  }
}
