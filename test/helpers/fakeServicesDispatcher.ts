import { createDispatcher, type HandlerMap } from '../../src-main/rpc/dispatcher';
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
