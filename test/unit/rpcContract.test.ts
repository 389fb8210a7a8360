import { describe, expect, it, vi } from 'vitest';
import { channelNames } from '../../src-shared/rpc/contract';
import { createApi, describeApi } from '../../src-shared/rpc/client';
import { createBridgeTransport, type ModeScopeBridge } from '../../src-shared/rpc/bridgeTransport';
import { createWebSocketTransport, type WebSocketLike } from '../../src-shared/rpc/webSocketTransport';
import { RpcError } from '../../src-shared/rpc/errors';
import { mergeHandlers, HandlerRegistryError } from '../../src-main/rpc/handlerRegistry';
import { createDispatcher } from '../../src-main/rpc/dispatcher';
import { createServices } from '../../src-main/services/createServices';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The preload module talks to `electron`; capture what it exposes and route its IPC to a dispatcher.
const exposed: Record<string, unknown> = {};
const ipcInvoke = vi.fn();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: { invoke: (...args: unknown[]) => ipcInvoke(...args), on: vi.fn(), removeListener: vi.fn() },
}));

function fakeSocket(): WebSocketLike {
  return { readyState: 1, send: () => undefined, close: () => undefined, addEventListener: () => undefined };
}

function tempServices() {
  return createServices({ transport: 'in-process', configDir: mkdtempSync(join(tmpdir(), 'ms-cfg-')) });
}

describe('RPC contract completeness', () => {
  it('the real services register exactly one handler per channel', () => {
    const services = tempServices();
    expect(Object.keys(services.handlers).sort()).toEqual([...channelNames].sort());
    services.dispose();
  });

  it('refuses a channel with two handlers, a missing one, and an unknown one', () => {
    const services = tempServices();
    const { 'app.info': info, ...rest } = services.handlers;
    expect(() => mergeHandlers({ module: 'a', handlers: rest })).toThrow(/no handler for: app\.info/);
    expect(() =>
      mergeHandlers(
        { module: 'a', handlers: services.handlers },
        { module: 'b', handlers: { 'app.info': info } },
      ),
    ).toThrow(/"app\.info" has two handlers: a and b/);
    expect(() =>
      mergeHandlers({ module: 'a', handlers: { ...services.handlers, 'nope.never': info } as never }),
    ).toThrow(HandlerRegistryError);
    services.dispose();
  });

  it('the Electron preload client and the WebSocket client expose the same API', async () => {
    await import('../../src-main/app/preload');
    const bridge = exposed.modescope as ModeScopeBridge;
    expect(bridge).toBeDefined();
    // The bridge itself is minimal: no Node API reaches the renderer.
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);

    const viaPreload = describeApi(createApi(createBridgeTransport(bridge)));
    const viaSocket = describeApi(createApi(createWebSocketTransport(fakeSocket())));
    expect(viaPreload).toEqual(viaSocket);
    expect(viaPreload).toEqual([...channelNames, 'on'].sort());
  });

  it('a call through the preload bridge reaches the dispatcher and errors come back typed', async () => {
    const services = tempServices();
    ipcInvoke.mockImplementation((_ipc: string, channel: unknown, payload: unknown) =>
      services.dispatch(channel, payload),
    );
    await import('../../src-main/app/preload');
    const api = createApi(createBridgeTransport(exposed.modescope as ModeScopeBridge));
    const info = await api.app.info({});
    expect(info.name).toBe('ModeScope');
    expect(info.transport).toBe('in-process');
    const err = await api.projects.open({ path: '/definitely/not/here.modescope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('NOT_FOUND');
    services.dispose();
  });
});

describe('dispatcher validation', () => {
  const services = tempServices();
  const dispatch = services.dispatch;

  it('rejects an unknown channel', async () => {
    const r = await dispatch('projects.delete_everything', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('rejects wrong types, naming the field', async () => {
    const r = await dispatch('projects.open', { path: 42 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_INPUT');
      expect(r.error.message).toMatch(/path/);
    }
  });

  it('rejects extra fields', async () => {
    const r = await dispatch('projects.open', { path: '/tmp/x.modescope', deleteAfter: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!r.ok) expect(r.error.message).toMatch(/deleteAfter/);
  });

  it('rejects huge strings and NUL bytes', async () => {
    const huge = await dispatch('projects.create', { path: 'x'.repeat(100_000), name: 'p' });
    expect(huge).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const nul = await dispatch('projects.open', { path: '/tmp/a\0b' });
    expect(nul).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const name = await dispatch('projects.create', { path: '/tmp/p', name: 'n'.repeat(1000) });
    expect(name).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('rejects a non-object payload', async () => {
    for (const payload of [null, 'x', 7, [1, 2]]) {
      const r = await dispatch('app.info', payload);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('turns thrown errors into typed errors and checks responses', async () => {
    const handlers = { ...services.handlers };
    handlers['app.info'] = () => {
      throw new Error('boom');
    };
    handlers['projects.current'] = () => ({ bogus: true }) as never;
    handlers['projects.close'] = () => {
      throw new RpcError('NO_PROJECT_OPEN', 'nothing open');
    };
    const d = createDispatcher(handlers);
    expect(await d('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: /boom/ },
    });
    expect(await d('projects.current', {})).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
    expect(await d('projects.close', {})).toEqual({
      ok: false,
      error: { code: 'NO_PROJECT_OPEN', message: 'nothing open' },
    });
  });
});
