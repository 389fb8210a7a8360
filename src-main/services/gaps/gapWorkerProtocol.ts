import { RpcError, rpcErrorCodes, type RpcErrorCode } from '../../../src-shared/rpc/errors';
import type { ImputationOptions, SessionImputation } from '../../imputation/modelImputation';
import type { MaskedSession } from '../../imputation/missingEntries';
import type { GapModelSpec } from './gapModel';

/**
 * Messages between the services and the gaps worker thread (gapWorker.ts): the imputer once (the
 * run's model, or the autoregressive imputer's order), then one imputation task per session;
 * progress per segment; results' buffers are transferred.
 */
export type ImputeOptions = ImputationOptions & { iterations: number; samples: number; seed: number };

/** Which imputer a `gaps.impute` job uses; the autoregressive one ignores `iterations`. */
export type GapImputerChoice = { kind: 'model' } | { kind: 'autoregressive'; order: number };

export type ToGapWorker =
  | { type: 'model'; model: GapModelSpec; label: string }
  | { type: 'autoregressive'; order: number }
  | { type: 'impute'; id: number; session: MaskedSession; options: ImputeOptions; label: string };

export type FromGapWorker =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'imputed'; result: SessionImputation }
  | { id: number; type: 'error'; name: string; message: string; code?: string };

/** An error from the thread with its name (and RPC code) kept, so the services map it as they would locally. */
export function reviveGapWorkerError(name: string, message: string, code?: string): Error {
  if (name === 'RpcError' && code !== undefined && (rpcErrorCodes as readonly string[]).includes(code))
    return new RpcError(code as RpcErrorCode, message);
  const error = new Error(message);
  error.name = name;
  return error;
}
