import { z } from 'zod';
import {
  channels,
  isChannelName,
  type ChannelName,
  type RequestOf,
  type ResponseOf,
} from '../../src-shared/rpc/contract';
import { RpcError, type RpcErrorData } from '../../src-shared/rpc/errors';

export type Handler<C extends ChannelName> = (
  input: z.output<(typeof channels)[C]['request']>,
) => Promise<ResponseOf<C>> | ResponseOf<C>;

export type HandlerMap = { [C in ChannelName]: Handler<C> };

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: RpcErrorData };

/** Zod issues in a form that is short to read and safe to send back. */
function describeIssues(error: z.ZodError) {
  return error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
}

/**
 * The one place every request passes on the main side: unknown channel → typed error; payload
 * parsed by the channel's schema before any handler runs; anything thrown becomes `{code,
 * message, details}`. Responses are validated too, so a service bug cannot leak odd shapes.
 */
export function createDispatcher(handlers: HandlerMap, onInternalError?: (err: unknown) => void) {
  return async function dispatch(channel: unknown, payload: unknown): Promise<DispatchResult> {
    if (!isChannelName(channel)) {
      return {
        ok: false,
        error: new RpcError('UNKNOWN_CHANNEL', `unknown channel: ${String(channel).slice(0, 128)}`).toData(),
      };
    }
    const spec = channels[channel];
    const parsed = spec.request.safeParse(payload === undefined ? {} : payload);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      return {
        ok: false,
        error: new RpcError(
          'INVALID_INPUT',
          `invalid input for ${channel}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { channel, issues },
        ).toData(),
      };
    }
    try {
      const handler = handlers[channel] as (input: unknown) => unknown;
      const result = await handler(parsed.data);
      const checked = spec.response.safeParse(result);
      if (!checked.success) {
        onInternalError?.(checked.error);
        return {
          ok: false,
          error: new RpcError('INVALID_OUTPUT', `the ${channel} handler returned an invalid response`, {
            issues: describeIssues(checked.error),
          }).toData(),
        };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      if (err instanceof RpcError) return { ok: false, error: err.toData() };
      onInternalError?.(err);
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        error: new RpcError('INTERNAL', `internal error in ${channel}: ${message}`).toData(),
      };
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
export type { RequestOf };
