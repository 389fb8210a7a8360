import type { Migration } from './migration';

/**
 * The entities of ARCHITECTURE.md. Conventions: ids are INTEGER PRIMARY KEY; times are ISO-8601
 * UTC text; structured values are JSON text in `*_json` columns; large numeric data lives in
 * `arrays`/`array_chunks` and is referenced by id.
 *
 * Deletion: children that mean nothing without their parent cascade (sessions of a dataset,
 * epoch metrics of a run…). Runs RESTRICT the deletion of their dataset and preparation, so
 * trained models are never lost as a side effect; delete the runs first. Arrays are
 * referenced by id from rows (see the array_refs view); triggers delete an array when the last
 * row that names it goes, so no orphan chunks pile up.
 */
const initialSchema = `
CREATE TABLE project_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  project_id TEXT NOT NULL,
  name TEXT NOT NULL CHECK (length(name) > 0),
  created_at TEXT NOT NULL,
  created_by_app_version TEXT
);

CREATE TABLE arrays (
  id INTEGER PRIMARY KEY,
  name TEXT,
  dtype TEXT NOT NULL
    CHECK (dtype IN ('float32','float64','int8','int16','int32','uint8','uint16','uint32')),
  row_shape_json TEXT NOT NULL,
  n_rows INTEGER NOT NULL CHECK (n_rows >= 0),
  chunk_rows INTEGER NOT NULL CHECK (chunk_rows > 0),
  status TEXT NOT NULL CHECK (status IN ('writing','complete')),
  created_at TEXT NOT NULL
);

CREATE TABLE array_chunks (
  array_id INTEGER NOT NULL REFERENCES arrays(id) ON DELETE CASCADE,
  chunk_index INTEGER NOT NULL CHECK (chunk_index >= 0),
  n_rows INTEGER NOT NULL CHECK (n_rows > 0),
  data BLOB NOT NULL,
  PRIMARY KEY (array_id, chunk_index)
);

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  format TEXT NOT NULL,
  sampling_rate_hz REAL NOT NULL CHECK (sampling_rate_hz > 0),
  n_channels INTEGER NOT NULL CHECK (n_channels > 0),
  channels_json TEXT NOT NULL,
  notes TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL CHECK (ordinal >= 0),
  label TEXT,
  source_path TEXT NOT NULL,
  source_size INTEGER,
  source_sha256 TEXT,
  n_samples INTEGER NOT NULL CHECK (n_samples >= 0),
  data_array_id INTEGER REFERENCES arrays(id),
  gap_mask_array_id INTEGER REFERENCES arrays(id),
  annotations_json TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  UNIQUE (dataset_id, ordinal)
);

CREATE TABLE preparations (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name TEXT,
  pipeline_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','running','done','failed','cancelled')),
  sampling_rate_hz REAL,
  n_channels INTEGER,
  fitted_json TEXT,
  error_json TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);

CREATE TABLE preparation_outputs (
  preparation_id INTEGER NOT NULL REFERENCES preparations(id) ON DELETE CASCADE,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  array_id INTEGER NOT NULL REFERENCES arrays(id),
  gap_mask_array_id INTEGER REFERENCES arrays(id),
  PRIMARY KEY (preparation_id, session_id)
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
  preparation_id INTEGER REFERENCES preparations(id) ON DELETE RESTRICT,
  parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  model_kind TEXT NOT NULL,
  config_json TEXT NOT NULL,
  seed INTEGER NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
  backend TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  timings_json TEXT,
  error_json TEXT
);

CREATE TABLE epoch_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL CHECK (epoch >= 0),
  loss REAL,
  metrics_json TEXT NOT NULL,
  duration_ms REAL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, epoch)
);

CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL CHECK (epoch >= 0),
  weights BLOB NOT NULL,
  weights_manifest_json TEXT NOT NULL,
  optimizer_state BLOB,
  optimizer_manifest_json TEXT,
  rng_state_json TEXT NOT NULL,
  training_state_json TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (run_id, epoch)
);

CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
  array_id INTEGER REFERENCES arrays(id),
  value_json TEXT,
  created_at TEXT NOT NULL,
  CHECK (array_id IS NOT NULL OR value_json IS NOT NULL)
);
CREATE INDEX results_by_run ON results (run_id, kind, session_id);

CREATE TABLE action_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (length(kind) > 0),
  payload_json TEXT NOT NULL,
  cli TEXT
);

CREATE INDEX sessions_by_data_array ON sessions (data_array_id);
CREATE INDEX sessions_by_gap_array ON sessions (gap_mask_array_id);
CREATE INDEX preparation_outputs_by_array ON preparation_outputs (array_id);
CREATE INDEX preparation_outputs_by_gap_array ON preparation_outputs (gap_mask_array_id);
CREATE INDEX preparations_by_dataset ON preparations (dataset_id);
CREATE INDEX runs_by_dataset ON runs (dataset_id);
CREATE INDEX runs_by_preparation ON runs (preparation_id);
CREATE INDEX runs_by_parent ON runs (parent_run_id);
CREATE INDEX results_by_array ON results (array_id);
CREATE INDEX results_by_session ON results (session_id);

-- Every place an array id is stored. An array is dropped when the last row naming it goes.
CREATE VIEW array_refs (array_id) AS
  SELECT data_array_id FROM sessions WHERE data_array_id IS NOT NULL
  UNION ALL SELECT gap_mask_array_id FROM sessions WHERE gap_mask_array_id IS NOT NULL
  UNION ALL SELECT array_id FROM preparation_outputs
  UNION ALL SELECT gap_mask_array_id FROM preparation_outputs WHERE gap_mask_array_id IS NOT NULL
  UNION ALL SELECT array_id FROM results WHERE array_id IS NOT NULL;

CREATE TRIGGER sessions_drop_arrays AFTER DELETE ON sessions BEGIN
  DELETE FROM arrays WHERE id IN (old.data_array_id, old.gap_mask_array_id)
    AND id NOT IN (SELECT array_id FROM array_refs);
END;
CREATE TRIGGER preparation_outputs_drop_arrays AFTER DELETE ON preparation_outputs BEGIN
  DELETE FROM arrays WHERE id IN (old.array_id, old.gap_mask_array_id)
    AND id NOT IN (SELECT array_id FROM array_refs);
END;
CREATE TRIGGER results_drop_array AFTER DELETE ON results WHEN old.array_id IS NOT NULL BEGIN
  DELETE FROM arrays WHERE id = old.array_id AND id NOT IN (SELECT array_id FROM array_refs);
END;
`;

export const initialSchemaMigration: Migration = {
  version: 1,
  description:
    'projects, datasets, sessions, preparations, runs, metrics, checkpoints, results, action log, arrays',
  up(db) {
    db.exec(initialSchema);
  },
};
