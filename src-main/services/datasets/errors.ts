import { PipelineValidationError } from '../../../src-shared/domain/preparation';
import { SimulationSpecError } from '../../../src-shared/domain/simulation';
import { RpcError } from '../../../src-shared/rpc/errors';
import { RecordingReadError } from '../../data/readers';
import { PreparationCancelledError, PreparationError } from '../../data/prepare/errors';
import { SimulationError } from '../../data/simulate/errors';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * Turns what the readers, the pipeline and the simulator throw into the typed errors of the RPC
 * boundary, keeping the file or the offending parameters in `details`. Anything unknown is passed
 * on unchanged (the dispatcher reports it as INTERNAL).
 */
export function datasetError(error: unknown): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof RecordingReadError) {
    const code = /: file not found$/.test(error.message) ? 'NOT_FOUND' : 'INVALID_INPUT';
    return new RpcError(code, error.message, { file: error.file, format: error.format });
  }
  if (error instanceof PipelineValidationError) {
    return new RpcError('INVALID_INPUT', `invalid pipeline: ${error.message}`, { issues: error.issues });
  }
  if (error instanceof PreparationError) {
    return new RpcError('INVALID_INPUT', `preparation failed: ${error.message}`, {
      issues: [{ path: '', message: error.message }],
    });
  }
  if (error instanceof PreparationCancelledError) return new RpcError('CANCELLED', 'prepare cancelled');
  if (error instanceof SimulationSpecError) {
    return new RpcError('INVALID_INPUT', `invalid simulation: ${error.message}`, { issues: error.issues });
  }
  if (error instanceof SimulationError) return new RpcError('INVALID_INPUT', error.message);
  const code = errnoCode(error);
  const path =
    typeof error === 'object' && error !== null && 'path' in error ? String(error.path) : undefined;
  if (code === 'ENOENT') return new RpcError('NOT_FOUND', `file not found: ${path ?? ''}`, { file: path });
  if (code === 'EACCES' || code === 'EPERM')
    return new RpcError('INVALID_INPUT', `file cannot be read (permission denied): ${path ?? ''}`, {
      file: path,
    });
  if (code === 'EISDIR')
    return new RpcError('INVALID_INPUT', `${path ?? 'path'} is a folder, not a file`, { file: path });
  return error;
}
