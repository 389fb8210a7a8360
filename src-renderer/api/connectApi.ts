import type { ModeScopeApi } from '../../src-shared/rpc/client';
import { ConnectionFailure, type ConnectionProblem } from './connectionProblem';
import { planConnection, type RendererEnvironment } from './connectionPlan';
import type { TransportKind } from './currentApi';
import {
  connectWebSocketApi,
  type SocketFactory,
  type WebSocketConnectionOptions,
} from './webSocketConnection';

export type ConnectOutcome =
  { ok: true; api: ModeScopeApi; transport: TransportKind } | { ok: false; problem: ConnectionProblem };

/** Plans and opens the connection; every failure comes back as a problem to show, never a throw. */
export async function connectApi(
  env: RendererEnvironment,
  openSocket: SocketFactory,
  options: WebSocketConnectionOptions = {},
): Promise<ConnectOutcome> {
  const plan = planConnection(env);
  if (plan.kind === 'unavailable') return { ok: false, problem: plan.problem };
  if (plan.kind === 'electron') return { ok: true, api: plan.api, transport: 'electron' };
  try {
    const api = await connectWebSocketApi(plan.socketUrl, openSocket, options);
    return { ok: true, api, transport: 'web' };
  } catch (err) {
    if (err instanceof ConnectionFailure) return { ok: false, problem: err.problem };
    throw err;
  }
}
