import { AnalysisInputError, type RegressionSpectra, type RegressionSpectraOptions } from '../../analysis';
import { NoValidSamplesError, type SessionStates } from './sessionStates';

/**
 * Messages between the services process and the analysis worker (analysisWorker.ts). Typed arrays
 * travel as transferables both ways, so neither side copies a session's α or data.
 */

export interface StatesTask {
  kind: 'states';
  alpha: Float32Array;
  nModes: number;
  covariances: Float64Array | null;
  samplingRate: number;
  sessionName: string;
}

export interface SpectraTask {
  kind: 'spectra';
  data: Float64Array;
  nChannels: number;
  alpha: Float64Array;
  nModes: number;
  options: RegressionSpectraOptions;
}

export type AnalysisTask = StatesTask | SpectraTask;

export type ToAnalysisWorker = { id: number; task: AnalysisTask };

/** An error as it crosses the thread boundary; rebuilt into the same class on the other side. */
export interface WorkerErrorData {
  name: string;
  message: string;
  argument?: string;
  sessionName?: string;
}

export type FromAnalysisWorker =
  | { id: number; type: 'progress'; done: number }
  | { id: number; type: 'states'; result: SessionStates }
  | { id: number; type: 'spectra'; result: RegressionSpectra }
  | { id: number; type: 'error'; error: WorkerErrorData };

export function serialiseWorkerError(error: unknown, task: AnalysisTask): WorkerErrorData {
  if (error instanceof AnalysisInputError) {
    return { name: error.name, message: error.message, argument: error.argument };
  }
  if (error instanceof NoValidSamplesError && task.kind === 'states') {
    return { name: error.name, message: error.message, sessionName: task.sessionName };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function reviveWorkerError(data: WorkerErrorData): Error {
  if (data.name === 'AnalysisInputError' && data.argument !== undefined) {
    const prefix = `${data.argument}: `;
    const message = data.message.startsWith(prefix) ? data.message.slice(prefix.length) : data.message;
    return new AnalysisInputError(data.argument, message);
  }
  if (data.name === 'NoValidSamplesError' && data.sessionName !== undefined) {
    return new NoValidSamplesError(data.sessionName);
  }
  const error = new Error(`analysis worker: ${data.message}`);
  error.name = data.name;
  return error;
}

/** The buffers of a result, handed over rather than copied. */
export function resultTransferables(result: SessionStates | RegressionSpectra): ArrayBuffer[] {
  const arrays =
    'binarised' in result
      ? [result.binarised, result.reweighted]
      : [result.frequencies, result.psd, result.coefficients, result.intercept, result.coherence];
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}
