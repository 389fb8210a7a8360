import type { EventName, EventPayload } from '../../src-shared/rpc/contract';

type AnyListener = (event: EventName, payload: unknown) => void;

/** Services publish here; each transport forwards to its clients (IPC, WebSocket, CLI output). */
export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (err) {
        // One broken subscriber (a closed socket, say) must not stop the others.
        console.error(`event listener failed for ${event}:`, err);
      }
    }
  }

  onAny(listener: AnyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
