import { createApi, type ModeScopeApi } from '../../src-shared/rpc/client';
import { createWebSocketTransport, type WebSocketLike } from '../../src-shared/rpc/webSocketTransport';
import { ConnectionFailure, connectionProblem, type ConnectionProblem } from './connectionProblem';

export type SocketFactory = (url: string) => WebSocketLike;

export interface WebSocketConnectionOptions {
  /** How long to wait for the socket to open before giving up. */
  timeoutMs?: number;
  /** Called once if an established connection closes (server stopped, token revoked). */
  onLost?: (problem: ConnectionProblem) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function describeClose(ev: { code?: number; reason?: string } | undefined): string {
  const code = ev?.code ?? '?';
  return ev?.reason ? `close code ${code}: ${ev.reason}` : `close code ${code}`;
}

/**
 * Opens the RPC socket and resolves only once it is usable, so the app never mounts on a
 * connection that is about to fail. A refused handshake (bad token, no server) rejects with a
 * ConnectionFailure carrying the page to show.
 */
export async function connectWebSocketApi(
  socketUrl: string,
  openSocket: SocketFactory,
  options: WebSocketConnectionOptions = {},
): Promise<ModeScopeApi> {
  const socket = openSocket(socketUrl);
  let established = false;
  let closed = false;
  let lastClose = 'no close event';

  socket.addEventListener('close', (ev: { code?: number; reason?: string } | undefined) => {
    closed = true;
    lastClose = describeClose(ev);
    if (established) options.onLost?.(connectionProblem('lost', lastClose));
  });

  const transport = createWebSocketTransport(socket);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });

  try {
    const outcome = await Promise.race([transport.ready.then(() => 'open' as const), timedOut]);
    if (outcome === 'timeout') {
      socket.close(1000, 'connection timed out');
      throw new ConnectionFailure(connectionProblem('timeout', `no answer within ${timeoutMs} ms`));
    }
  } catch (err) {
    if (err instanceof ConnectionFailure) throw err;
    throw new ConnectionFailure(connectionProblem('refused', lastClose));
  } finally {
    clearTimeout(timer);
  }
  // The socket may have opened and closed again before this continuation ran.
  if (closed) throw new ConnectionFailure(connectionProblem('refused', lastClose));
  established = true;
  return createApi(transport);
}
