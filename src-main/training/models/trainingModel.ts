import type { ModelKind } from '../../../src-shared/domain/run';
import type { SessionInput } from '../../engine/training/sequences';
import type { ResultArrayMessage } from '../protocol';

/**
 * What the training process and the services need from a model, whatever its kind. One file per
 * model implements this (see dynemo.ts) and one line in index.ts registers it. `createTrainer`
 * loads the engine lazily, so the services can validate configs without loading TensorFlow.js.
 */

export interface ConfigIssue {
  /** The config field at fault ('' for the whole config). */
  path: string;
  message: string;
}

export class ModelConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'ModelConfigError';
  }
}

/** The data a run would train on, as far as config checks need it. */
export interface TrainingDataFacts {
  nChannels: number;
  /** Longest stretch without gaps in any session. */
  longestSegment: number;
}

export interface EpochSample {
  /** Counts every epoch of the run from 0, initialisations included. */
  index: number;
  label: string;
  phase: string;
  loss: number;
  nll: number | null;
  kl: number | null;
  klFactor: number | null;
  lr: number | null;
}

export interface BatchSample {
  epoch: number;
  batch: number;
  nBatches: number;
  loss: number;
  nll: number | null;
  kl: number | null;
  klFactor: number | null;
  lr: number | null;
}

export interface TrainerHooks {
  signal: AbortSignal;
  maxNanRetries?: number;
  onBatch(b: BatchSample): void;
  onEpoch(record: EpochSample, state: unknown): void | Promise<void>;
  onNan(message: string, newLr: number | null): void;
  onLog(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface ModelOutputs {
  arrays: ResultArrayMessage[];
  values: { kind: string; value: unknown }[];
  freeEnergy: number | null;
}

export interface ModelTrainer {
  /** Epochs the whole procedure takes, for progress. */
  readonly plannedEpochs: number;
  /** Continue from a checkpoint state sent earlier through `onEpoch`. */
  restore(state: unknown): void;
  train(): Promise<'completed' | 'cancelled'>;
  outputs(): ModelOutputs;
  dispose(): void;
}

export interface TrainingModel {
  kind: ModelKind;
  /** The full config with defaults, and its seed; throws ModelConfigError naming the fields. */
  parseConfig(config: unknown): { config: Record<string, unknown>; seed: number };
  checkData(config: Record<string, unknown>, data: TrainingDataFacts): void;
  createTrainer(
    config: Record<string, unknown>,
    sessions: SessionInput[],
    hooks: TrainerHooks,
  ): Promise<ModelTrainer>;
}

/** Errors a trainer raises that mean "the checkpoint does not fit" and "training diverged". */
export class CheckpointDoesNotFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointDoesNotFitError';
  }
}

export class DivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}
