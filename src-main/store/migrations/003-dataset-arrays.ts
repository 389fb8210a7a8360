import type { Migration } from './migration';

/**
 * Arrays and values that belong to a dataset rather than to a run: simulation ground truth (per
 * dataset and per session) and what a preparation fitted (PCA components). They live and die with
 * their dataset, session or preparation, and their arrays are dropped with the last row naming
 * them, like session and result arrays. Sessions also count their missing samples, so listing
 * datasets shows the gap fraction without reading any mask.
 */
export const datasetArraysMigration: Migration = {
  version: 3,
  description: 'dataset arrays (ground truth, fitted preparation arrays) and per-session gap counts',
  up(db) {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN n_gap_samples INTEGER CHECK (n_gap_samples >= 0);

      CREATE TABLE dataset_arrays (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
        preparation_id INTEGER REFERENCES preparations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (length(role) > 0),
        array_id INTEGER REFERENCES arrays(id),
        value_json TEXT,
        created_at TEXT NOT NULL,
        CHECK (array_id IS NOT NULL OR value_json IS NOT NULL)
      );
      CREATE INDEX dataset_arrays_by_owner ON dataset_arrays (dataset_id, session_id, preparation_id, role);
      CREATE INDEX dataset_arrays_by_array ON dataset_arrays (array_id);

      DROP VIEW array_refs;
      CREATE VIEW array_refs (array_id) AS
        SELECT data_array_id FROM sessions WHERE data_array_id IS NOT NULL
        UNION ALL SELECT gap_mask_array_id FROM sessions WHERE gap_mask_array_id IS NOT NULL
        UNION ALL SELECT array_id FROM preparation_outputs
        UNION ALL SELECT gap_mask_array_id FROM preparation_outputs WHERE gap_mask_array_id IS NOT NULL
        UNION ALL SELECT array_id FROM results WHERE array_id IS NOT NULL
        UNION ALL SELECT array_id FROM dataset_arrays WHERE array_id IS NOT NULL;

      CREATE TRIGGER dataset_arrays_drop_array AFTER DELETE ON dataset_arrays WHEN old.array_id IS NOT NULL BEGIN
        DELETE FROM arrays WHERE id = old.array_id AND id NOT IN (SELECT array_id FROM array_refs);
      END;
    `);
  },
};
