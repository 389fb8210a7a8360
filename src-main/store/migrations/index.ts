import { initialSchemaMigration } from './001-initial-schema';
import { runLabelsMigration } from './002-run-labels';
import { datasetArraysMigration } from './003-dataset-arrays';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every schema step this build knows, in order. The last version is the one it writes. */
export const migrations: readonly Migration[] = [
  initialSchemaMigration,
  runLabelsMigration,
  datasetArraysMigration,
];
