import { RpcError, rpcErrorCodes, type RpcErrorCode } from '../../../src-shared/rpc/errors';
import type { ImputationOptions, SessionImputation } from '../../imputation/modelImputation';
import type { MaskedSession } from '../../imputation/missingEntries';
import type { StackingCurves } from '../../imputation/stackedImputation';
import type { StackingStatistics } from '../../imputation/stackingCalibration';
import type { GapModelSpec } from './gapModel';
import type { StackedGapSettings } from './stackedGapImputation';

/**
 * Messages between the services and the gaps worker thread (gapWorker.ts): the imputer once (the
 * run's model, the autoregressive imputer's order or the stacked imputer's settings), then one
 * task per session (the stacked imputer's calibration statistics, or an imputation); progress per
 * segment; results' buffers are transferred.
 */
export type ImputeOptions = ImputationOptions & {
  iterations: number;
  samples: number;
  seed: number;
  /** The stacked imputer's curves, pooled from every session's calibration statistics. */
  stackingCurves?: StackingCurves;
};

/** Which imputer a `gaps.impute` job uses; only the model uses `iterations`. */
export type GapImputerChoice =
  { kind: 'model' } | { kind: 'autoregressive'; order: number } | ({ kind: 'stacked' } & StackedGapSettings);

export type ToGapWorker =
  | { type: 'model'; model: GapModelSpec; label: string }
  | { type: 'autoregressive'; order: number }
  | { type: 'stacked'; settings: StackedGapSettings }
  | { type: 'impute'; id: number; session: MaskedSession; options: ImputeOptions; label: string }
  | { type: 'calibrate'; id: number; session: MaskedSession; seed: number; label: string };

export type FromGapWorker =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'imputed'; result: SessionImputation }
  | { id: number; type: 'calibrated'; statistics: StackingStatistics }
  | { id: number; type: 'error'; name: string; message: string; code?: string };

/** An error from the thread with its name (and RPC code) kept, so the services map it as they would locally. */
export function reviveGapWorkerError(name: string, message: string, code?: string): Error {
  if (name === 'RpcError' && code !== undefined && (rpcErrorCodes as readonly string[]).includes(code))
    return new RpcError(code as RpcErrorCode, message);
  const error = new Error(message);
  error.name = name;
  return error;
}
