import {
  channelNames,
  type ChannelName,
  type EventName,
  type EventPayload,
  type RequestOf,
  type ResponseOf,
} from './contract';

/** What a transport must do; the Electron bridge and the WebSocket client both implement it. */
export interface RpcTransport {
  invoke(channel: ChannelName, payload: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;

type ApiMethod<C> = C extends ChannelName ? (input: RequestOf<C>) => Promise<ResponseOf<C>> : never;

export type ModeScopeApi = {
  [G in GroupOf<ChannelName>]: {
    [M in MethodOf<ChannelName, G>]: ApiMethod<`${G}.${M}`>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/**
 * Builds the `api.group.method()` surface from the contract's channel list, so every transport
 * exposes exactly the same API by construction (and a test checks it).
 */
export function createApi(transport: RpcTransport): ModeScopeApi {
  const api: Record<string, unknown> = {};
  for (const channel of channelNames) {
    const [group, method] = channel.split('.') as [string, string];
    const target = (api[group] ??= {}) as Record<string, unknown>;
    target[method] = (input: unknown) => transport.invoke(channel, input ?? {});
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => transport.subscribe(event, listener);
  return api as ModeScopeApi;
}

/** The API's shape as a sorted list of `group.method` names, used to compare transports. */
export function describeApi(api: object): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(api)) {
    if (typeof value === 'function') names.push(key);
    else if (value && typeof value === 'object') {
      for (const [method, fn] of Object.entries(value as Record<string, unknown>)) {
        if (typeof fn === 'function') names.push(`${key}.${method}`);
      }
    }
  }
  return names.sort();
}
