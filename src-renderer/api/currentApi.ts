import type { ModeScopeApi } from '../../src-shared/rpc/client';

export type TransportKind = 'electron' | 'web';

let current: ModeScopeApi | null = null;

/** Installed once by main.ts after the connection is up (and by tests with a fake). */
export function setApi(api: ModeScopeApi | null): void {
  current = api;
}

/** The one way stores and views reach the services. */
export function useApi(): ModeScopeApi {
  if (current === null) {
    throw new Error('the ModeScope API is not connected yet: setApi() must run before stores use it');
  }
  return current;
}
