import { z } from 'zod';

/**
 * Every failure that crosses the RPC boundary is one of these codes. Renderer code switches on
 * `code`; `message` is for people; `details` carries structured context (which field, which file).
 */
export const rpcErrorCodes = [
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'UNKNOWN_CHANNEL',
  'MALFORMED_MESSAGE',
  'UNAUTHORIZED',
  'NO_PROJECT_OPEN',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NOT_A_PROJECT',
  'PROJECT_CORRUPT',
  'PROJECT_TOO_NEW',
  'PROJECT_LOCKED',
  'NOT_WRITABLE',
  'CANCELLED',
  'INTERNAL',
] as const;

export const rpcErrorCodeSchema = z.enum(rpcErrorCodes);
export type RpcErrorCode = z.infer<typeof rpcErrorCodeSchema>;

export const rpcErrorSchema = z.strictObject({
  code: rpcErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type RpcErrorData = z.infer<typeof rpcErrorSchema>;

/** A typed error: thrown by services, serialised by transports, re-thrown by clients. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly details: unknown;

  constructor(code: RpcErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.details = details;
  }

  toData(): RpcErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromData(data: RpcErrorData): RpcError {
    return new RpcError(data.code, data.message, data.details);
  }
}

export function isRpcError(value: unknown): value is RpcError {
  return value instanceof RpcError;
}
