import { channelNames, type ChannelName } from '../../src-shared/rpc/contract';
import type { Handler, HandlerMap } from './dispatcher';

export type PartialHandlers = { [C in ChannelName]?: Handler<C> };

export class HandlerRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerRegistryError';
  }
}

/**
 * Services contribute handlers module by module (projects, datasets, training…). Merging refuses
 * a channel claimed twice or one the contract does not know, and the result must cover every
 * channel of the contract — so a forgotten or doubled handler fails at start-up and in tests,
 * not when a user clicks.
 */
export function mergeHandlers(...parts: Array<{ module: string; handlers: PartialHandlers }>): HandlerMap {
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  for (const { module, handlers } of parts) {
    for (const [channel, fn] of Object.entries(handlers)) {
      if (!(channelNames as string[]).includes(channel)) {
        throw new HandlerRegistryError(
          `${module} registers a handler for "${channel}", which is not in the contract`,
        );
      }
      const previous = owner.get(channel);
      if (previous) {
        throw new HandlerRegistryError(`"${channel}" has two handlers: ${previous} and ${module}`);
      }
      owner.set(channel, module);
      merged[channel] = fn;
    }
  }
  const missing = channelNames.filter((c) => !owner.has(c));
  if (missing.length) throw new HandlerRegistryError(`no handler for: ${missing.join(', ')}`);
  return merged as HandlerMap;
}
