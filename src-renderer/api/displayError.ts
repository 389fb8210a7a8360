import { isRpcError, rpcErrorCodes, type RpcErrorCode } from '../../src-shared/rpc/errors';

/** An error as the views show it: a code to style and test on, and a sentence for people. */
export interface DisplayError {
  code: RpcErrorCode | 'UNEXPECTED';
  message: string;
}

const knownCodes: ReadonlySet<string> = new Set(rpcErrorCodes);

function isKnownCode(value: unknown): value is RpcErrorCode {
  return typeof value === 'string' && knownCodes.has(value);
}

// The transports rethrow RpcError, but a failure raised outside them (a rejected Electron IPC
// call is wrapped as "Error invoking remote method 'x': Error: msg") may carry its code only as a
// "CODE: message" prefix in the text.
const ipcWrapper = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;
const codePrefix = /^([A-Z_]+): ([\s\S]*)$/;

/** Turns whatever an API call rejected with into something a view can show. */
export function toDisplayError(err: unknown): DisplayError {
  if (isRpcError(err)) return { code: err.code, message: err.message };
  if (err !== null && typeof err === 'object') {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (isKnownCode(code) && typeof message === 'string') return { code, message };
    if (typeof message === 'string') return fromText(message);
  }
  if (typeof err === 'string') return fromText(err);
  return { code: 'UNEXPECTED', message: `unexpected failure: ${String(err)}` };
}

function fromText(text: string): DisplayError {
  const unwrapped = text.replace(ipcWrapper, '');
  const match = codePrefix.exec(unwrapped);
  if (match && isKnownCode(match[1])) return { code: match[1], message: match[2] ?? '' };
  return { code: 'UNEXPECTED', message: unwrapped || 'unexpected failure with no message' };
}

/** A client-side validation failure, shown exactly like a server's INVALID_INPUT. */
export function invalidInput(message: string): DisplayError {
  return { code: 'INVALID_INPUT', message };
}

const titles: Partial<Record<DisplayError['code'], string>> = {
  INVALID_INPUT: 'Check the input',
  NOT_FOUND: 'Not found',
  ALREADY_EXISTS: 'Already exists',
  NOT_A_PROJECT: 'Not a ModeScope project',
  PROJECT_CORRUPT: 'Project file is damaged',
  PROJECT_TOO_NEW: 'Project needs a newer ModeScope',
  PROJECT_LOCKED: 'Project is in use',
  NOT_WRITABLE: 'Cannot write there',
  NO_PROJECT_OPEN: 'No project is open',
  UNAUTHORIZED: 'Not connected',
  CANCELLED: 'Cancelled',
  UNKNOWN_CHANNEL: 'Version mismatch',
  MALFORMED_MESSAGE: 'Version mismatch',
};

/** A short heading for an error, in words rather than the code. */
export function errorTitle(code: DisplayError['code']): string {
  return titles[code] ?? 'Something went wrong';
}
