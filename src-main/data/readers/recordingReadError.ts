import path from 'node:path';
import { RpcError } from '../../../src-shared/rpc/errors';

/**
 * Why a file could not be read as a recording. The message always starts with the file's base name so
 * that it reads well on its own ("test.edf: header declares …").
 */
export class RecordingReadError extends Error {
  readonly file: string;
  readonly format: string;

  constructor(file: string, format: string, problem: string, options?: { cause?: unknown }) {
    super(`${path.basename(file)}: ${problem}`, options);
    this.name = 'RecordingReadError';
    this.file = file;
    this.format = format;
  }

  /** The same problem as it crosses the RPC boundary: bad input from the user's point of view. */
  toRpcError(): RpcError {
    return new RpcError('INVALID_INPUT', this.message, { file: this.file, format: this.format });
  }
}

/** Creates errors for one file so that readers do not repeat the file and format at every check. */
export function errorFactory(file: string, format: string): (problem: string) => RecordingReadError {
  return (problem) => new RecordingReadError(file, format, problem);
}
