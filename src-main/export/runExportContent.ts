import type { ExportArray } from './exportArray';
import type { RunAnalysis } from '../services/analysis/runAnalysis';

/**
 * Everything a run export writes, gathered by the services from the project store. Arrays stay
 * lazy (`ExportArray` reads its rows block by block), so a long α time course is streamed.
 */

/** Summary statistics and spectra of a run: exactly what the analysis service computes. */
export type ExportAnalysis = RunAnalysis;

export interface ExportSession {
  sessionId: number;
  name: string;
  /** [T, K] posterior mean mixing coefficients; null for models without modes (VRAE, VOSP). */
  alpha: ExportArray | null;
  /** Other per-session arrays of the run (imputed signals, masks, …), by result kind. */
  others: Array<{ kind: string; array: ExportArray }>;
}

export interface ExportEpoch {
  index: number;
  label: string;
  loss: number;
  nll: number | null;
  kl: number | null;
}

export interface RunExportContent {
  run: {
    id: number;
    name: string | null;
    modelKind: string;
    status: string;
    seed: number;
    backend: string | null;
    createdAt: string;
    finishedAt: string | null;
    freeEnergy: number | null;
    config: Record<string, unknown>;
  };
  dataset: {
    id: number;
    name: string;
    preparationId: number | null;
    /** Of the data the model saw (after any resampling). */
    samplingRate: number;
    channelNames: string[];
  };
  sessions: ExportSession[];
  /** [K, C] */
  means: ExportArray | null;
  /** [K, C, C] */
  covariances: ExportArray | null;
  epochs: ExportEpoch[];
  analysis: ExportAnalysis | null;
}
