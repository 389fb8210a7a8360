import { createBridgeTransport, type ModeScopeBridge } from '../../src-shared/rpc/bridgeTransport';
import { createApi, type ModeScopeApi } from '../../src-shared/rpc/client';
import { connectionProblem, type ConnectionProblem } from './connectionProblem';
import { resolveWebToken, rpcSocketUrl, type TokenStorage, type UrlHistory } from './webToken';

/** What the renderer can see of its surroundings; `window` in the app, a plain object in tests. */
export interface RendererEnvironment {
  /** `window.modescope`, set by the Electron preload. */
  bridge: unknown;
  location: { href: string; protocol: string; host: string };
  storage: TokenStorage | null;
  history: UrlHistory | null;
}

export type ConnectionPlan =
  | { kind: 'electron'; api: ModeScopeApi }
  | { kind: 'web'; socketUrl: string }
  | { kind: 'unavailable'; problem: ConnectionProblem };

const bridgeMembers = ['invoke', 'subscribe'] as const;

/** The functions a preload bridge must have that `candidate` lacks (empty when it is complete). */
export function missingBridgeMembers(candidate: object): string[] {
  return bridgeMembers.filter((name) => typeof (candidate as Record<string, unknown>)[name] !== 'function');
}

/**
 * Decides how to reach the services: the Electron preload bridge when there is one, otherwise the
 * WebSocket endpoint of the server that served this page, authenticated by its token.
 */
export function planConnection(env: RendererEnvironment): ConnectionPlan {
  if (env.bridge !== undefined && env.bridge !== null) {
    if (typeof env.bridge !== 'object') {
      return {
        kind: 'unavailable',
        problem: connectionProblem('bridge-incomplete', `window.modescope is a ${typeof env.bridge}`),
      };
    }
    const missing = missingBridgeMembers(env.bridge);
    if (missing.length > 0) {
      return {
        kind: 'unavailable',
        problem: connectionProblem('bridge-incomplete', `missing: ${missing.join(', ')}`),
      };
    }
    // The bridge carries plain `{ ok, result | error }` replies; the bridge transport turns
    // errors back into RpcError with their code, which the context bridge would otherwise strip.
    return { kind: 'electron', api: createApi(createBridgeTransport(env.bridge as ModeScopeBridge)) };
  }
  if (env.location.protocol !== 'http:' && env.location.protocol !== 'https:') {
    return {
      kind: 'unavailable',
      problem: connectionProblem('no-backend', `page loaded from ${env.location.protocol}`),
    };
  }
  const token = resolveWebToken(env.location.href, env.storage, env.history);
  if (token === null) return { kind: 'unavailable', problem: connectionProblem('missing-token') };
  return { kind: 'web', socketUrl: rpcSocketUrl(env.location, token) };
}
