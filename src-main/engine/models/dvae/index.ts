/** Shared parts of the gap-aware dynamical VAEs (VRAE, VOSP). */
export {
  DvaeTrainer,
  DvaeTrainingError,
  type DvaeBatchReport,
  type DvaeConfig,
  type DvaeEpochRecord,
  type DvaeTrainerOptions,
  type DvaeTrainerState,
  type DvaeTrainingResult,
} from './trainer';
export type { DvaeSession, TrainingMasking } from './trainingBatches';
export { wienerKl, wienerKlReference, type WienerPrior } from './wienerPrior';
export type { LatentSequenceModel } from './sequenceModel';
