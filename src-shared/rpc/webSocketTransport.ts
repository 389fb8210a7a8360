import { RpcError } from './errors';
import type { ChannelName, EventName } from './contract';
import type { RpcTransport } from './client';
import { serverMessageSchema } from './wire';

/** The subset of the WHATWG WebSocket this transport needs (browsers; `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: any) => void): void;
}

export interface WebSocketTransport extends RpcTransport {
  ready: Promise<void>;
  close(): void;
}

const OPEN = 1;

/**
 * RPC over one WebSocket. Requests are matched to responses by id; a dropped connection fails
 * every pending request with a clear error instead of leaving promises hanging forever.
 */
export function createWebSocketTransport(socket: WebSocketLike): WebSocketTransport {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let closedError: RpcError | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    if (socket.readyState === OPEN) resolve();
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', (ev: { code?: number; reason?: string }) => {
      closedError = new RpcError(
        'UNAUTHORIZED',
        ev?.reason ? `connection closed: ${ev.reason}` : `connection closed (code ${ev?.code ?? '?'})`,
      );
      reject(closedError);
      for (const p of pending.values()) p.reject(closedError);
      pending.clear();
    });
  });
  // The rejection is observed through invoke(); avoid an unhandled-rejection warning here.
  ready.catch(() => undefined);

  socket.addEventListener('message', (ev: { data: unknown }) => {
    let parsed;
    try {
      parsed = serverMessageSchema.safeParse(JSON.parse(String(ev.data)));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'event') {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    if (msg.id === null) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(RpcError.fromData(msg.error));
  });

  return {
    ready,
    async invoke(channel: ChannelName, payload: unknown) {
      await ready;
      if (closedError) throw closedError;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ type: 'request', id, channel, payload }));
      });
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    close() {
      socket.close(1000, 'client closed');
    },
  };
}
