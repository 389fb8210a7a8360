import { RpcError } from '../../../src-shared/rpc/errors';
import { ExportCancelledError } from '../../export/exportArray';
import { ExportError } from '../../export/exportError';

const NOT_WRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR']);

/** Errors from the writers and the file system as the typed errors the RPC boundary carries. */
export function exportRpcError(error: unknown, jobId?: string): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof ExportCancelledError) {
    return new RpcError('CANCELLED', 'export cancelled', jobId ? { jobId } : undefined);
  }
  if (error instanceof ExportError) return new RpcError('INVALID_INPUT', error.message);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && NOT_WRITABLE_CODES.has(code)) {
    const target = (error as NodeJS.ErrnoException).path;
    return new RpcError('NOT_WRITABLE', `cannot write ${target ?? 'the export'} (${code})`, {
      path: target ?? null,
    });
  }
  return error;
}
