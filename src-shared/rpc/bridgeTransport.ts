import type { ChannelName, EventName } from './contract';
import type { RpcTransport } from './client';
import { RpcError, rpcErrorSchema } from './errors';

/**
 * What the Electron preload exposes as `window.modescope`. It carries plain data only: the
 * context bridge clones values and would strip an Error's `code` and `details`, so results come
 * back as `{ ok, result | error }` and the renderer side turns errors back into `RpcError`.
 */
export interface ModeScopeBridge {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

export function createBridgeTransport(bridge: ModeScopeBridge): RpcTransport {
  return {
    async invoke(channel: ChannelName, payload: unknown) {
      const reply = (await bridge.invoke(channel, payload)) as
        { ok: true; result: unknown } | { ok: false; error: unknown };
      if (reply && reply.ok === true) return reply.result;
      const parsed = rpcErrorSchema.safeParse(reply?.error);
      if (parsed.success) throw RpcError.fromData(parsed.data);
      throw new RpcError('INTERNAL', `malformed reply from the main process for ${channel}`);
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      return bridge.subscribe(event, listener);
    },
  };
}
