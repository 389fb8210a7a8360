import type { Migration } from './migration';

/** People name their runs ("K=8, long anneal"); the runs table is listed by status and by time. */
export const runLabelsMigration: Migration = {
  version: 2,
  description: 'run labels and indexes for listing runs and the action log',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN label TEXT;
      CREATE INDEX runs_by_status ON runs (status, created_at);
      CREATE INDEX action_log_by_kind ON action_log (kind, id);
    `);
  },
};
