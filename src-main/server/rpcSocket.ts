import type { WebSocket } from 'ws';
import type { Dispatch } from '../rpc/dispatcher';
import { RpcError } from '../../src-shared/rpc/errors';
import { requestMessageSchema } from '../../src-shared/rpc/wire';

function send(socket: WebSocket, message: unknown) {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

function malformed(socket: WebSocket, id: number | null, message: string) {
  send(socket, {
    type: 'response',
    id,
    ok: false,
    error: new RpcError('MALFORMED_MESSAGE', message).toData(),
  });
}

/**
 * One client connection: every frame must be a JSON request envelope; the channel's own schema
 * then validates the payload inside the dispatcher. A bad frame gets an error reply and the
 * connection stays usable.
 */
export function attachRpcSocket(socket: WebSocket, dispatch: Dispatch) {
  // Oversized or invalid frames make `ws` emit an error and close the socket (code 1009/1002);
  // that is the intended outcome, not a crash of the server.
  socket.on('error', () => socket.terminate());
  socket.on('message', async (data, isBinary) => {
    if (isBinary) return malformed(socket, null, 'binary frames are not accepted; send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return malformed(socket, null, 'message is not valid JSON');
    }
    const envelope = requestMessageSchema.safeParse(raw);
    if (!envelope.success) {
      const id =
        raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'number'
          ? ((raw as { id: number }).id as number)
          : null;
      const issues = envelope.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      return malformed(socket, id, `malformed request envelope: ${issues}`);
    }
    const { id, channel, payload } = envelope.data;
    const result = await dispatch(channel, payload);
    send(
      socket,
      result.ok
        ? { type: 'response', id, ok: true, result: result.result }
        : { type: 'response', id, ok: false, error: result.error },
    );
  });
}

export function broadcastEvent(clients: Iterable<WebSocket>, event: string, payload: unknown) {
  const text = JSON.stringify({ type: 'event', event, payload });
  for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
}
