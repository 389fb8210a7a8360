export {
  ProjectStore,
  PROJECT_APPLICATION_ID,
  PROJECT_FILE_EXTENSION,
  SUPPORTED_SCHEMA_VERSION,
  type ActionLogEntry,
  type CreateProjectOptions,
  type OpenProjectOptions,
  type ProjectCounts,
  type ProjectMeta,
  type ProjectUpgrade,
} from './projectStore';
export { ProjectLock, processInstanceId, type LockHolder } from './projectLock';
export {
  ArrayWriter,
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  arrayInfo,
  beginArray,
  deleteArray,
  readArray,
  readRowBlocks,
  readRows,
  writeArray,
  type ArrayInfo,
  type BeginArrayOptions,
  type ReadRowsOptions,
  type WriteArrayOptions,
} from './arrayStore';
export {
  BULK_BUSY_TIMEOUT_MS,
  beginBulkWrite,
  type BulkJournal,
  type BulkWriteSession,
} from './bulkWriteMode';
export { arrayDtypes, isArrayDtype, type ArrayDtype, type StoredTypedArray } from './arrayDtypes';
export { migrations, type Migration } from './migrations';
export {
  RunRepository,
  runStatuses,
  type CheckpointRecord,
  type EpochMetrics,
  type EpochMetricsRecord,
  type FinishedRunStatus,
  type NewCheckpoint,
  type NewResult,
  type NewRun,
  type ResultRecord,
  type RunRecord,
  type RunStatus,
} from './runRepository';
export {
  DatasetRepository,
  preparationStatuses,
  type DatasetRecord,
  type NewDataset,
  type NewSession,
  type PreparationOutputRecord,
  type PreparationRecord,
  type PreparationStatus,
  type SessionRecord,
  type StoredChannel,
} from './datasetRepository';
