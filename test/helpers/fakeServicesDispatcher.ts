import { createDispatcher, type HandlerMap } from '../../src-main/rpc/dispatcher';
import type { RpcTransport } from '../../src-shared/rpc/client';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import { channelNames } from '../../src-shared/rpc/contract';
import { RpcError } from '../../src-shared/rpc/errors';

/**
 * The real dispatcher over a fake's handlers, so every request a renderer store sends is checked
 * against the contract's schemas as the real server would. Channels the fake does not model
 * answer with an error rather than a wrong value.
 */
export function dispatcherForFake(handlers: PartialHandlers) {
  return createDispatcher(
    Object.fromEntries(
      channelNames.map((c) => [
        c,
        handlers[c] ??
          (() => {
            throw new RpcError('INTERNAL', `${c} is not part of this fake`);
          }),
      ]),
    ) as HandlerMap,
  );
}

/**
 * The transport a renderer store test installs with setApi: requests go through the real
 * dispatcher over `handlers` (logged in `calls`), events come from `emit`. The dispatcher is built
 * on the first request, since a subclass's `handlers` field is set after this constructor runs.
 */
export abstract class FakeServices {
  readonly calls: Array<{ channel: string; payload: unknown }> = [];
  /** Requests wait on this gate while it is set, so tests can look at in-flight state. */
  requestGate: Promise<void> | null = null;
  /** When set, only requests on this channel wait on the gate. */
  gatedChannel: string | null = null;
  abstract readonly handlers: PartialHandlers;
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private dispatch: ReturnType<typeof dispatcherForFake> | null = null;

  readonly transport: RpcTransport = {
    invoke: async (channel, payload) => {
      this.calls.push({ channel, payload });
      if (this.requestGate && (this.gatedChannel === null || this.gatedChannel === channel)) {
        await this.requestGate;
      }
      this.dispatch ??= dispatcherForFake(this.handlers);
      const outcome = await this.dispatch(channel, payload);
      if (!outcome.ok) throw RpcError.fromData(outcome.error);
      return outcome.result;
    },
    subscribe: (event, listener) => {
      let set = this.listeners.get(event);
      if (!set) this.listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  emit(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
