/** DyNeMo in the engine: what the training process and the services use. */
export { DynemoModel } from './model';
export {
  CheckpointMismatchError,
  DynemoTrainer,
  TrainingDivergedError,
  type BatchReport,
  type DataSignature,
  type DynemoOutputs,
  type DynemoTrainerCallbacks,
  type DynemoTrainerOptions,
  type DynemoTrainerState,
  type DynemoTrainingResult,
  type EpochRecord,
  type FreeEnergy,
  type NanReport,
  type TrainingPhase,
} from './trainer';
export { inferSessions, predictionWindows, type SessionInference } from './predict';
export { SequenceDataError, type SessionInput } from '../../training/sequences';
