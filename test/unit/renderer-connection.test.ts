import { describe, expect, it, vi } from 'vitest';
import type { ModeScopeBridge } from '../../src-shared/rpc/bridgeTransport';
import { createApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import type { WebSocketLike } from '../../src-shared/rpc/webSocketTransport';
import { connectApi } from '../../src-renderer/api/connectApi';
import {
  missingBridgeMembers,
  planConnection,
  type RendererEnvironment,
} from '../../src-renderer/api/connectionPlan';
import { ConnectionFailure } from '../../src-renderer/api/connectionProblem';
import { setApi, useApi } from '../../src-renderer/api/currentApi';
import { connectWebSocketApi } from '../../src-renderer/api/webSocketConnection';
import {
  resolveWebToken,
  rpcSocketUrl,
  splitTokenFromUrl,
  TOKEN_STORAGE_KEY,
} from '../../src-renderer/api/webToken';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

class RecordingHistory {
  readonly replaced: string[] = [];
  replaceState(_data: unknown, _unused: string, url?: string | URL | null) {
    this.replaced.push(String(url));
  }
}

function webEnv(href: string, storage = new MemoryStorage(), history = new RecordingHistory()) {
  const url = new URL(href);
  const env: RendererEnvironment = {
    bridge: undefined,
    location: { href, protocol: url.protocol, host: url.host },
    storage,
    history,
  };
  return { env, storage, history };
}

/** A socket whose lifecycle the test drives by hand. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private readonly listeners = new Map<string, Array<(ev: any) => void>>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (ev: any) => void) {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
  }
  emit(type: string, ev: unknown = {}) {
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
  open() {
    this.readyState = 1;
    this.emit('open');
  }
  serverClose(code: number, reason = '') {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }
  /** Answers the most recent request with `result`. */
  answerLast(result: unknown) {
    const request = JSON.parse(this.sent[this.sent.length - 1] ?? '{}') as { id: number };
    this.emit('message', { data: JSON.stringify({ type: 'response', id: request.id, ok: true, result }) });
  }
}

const appInfo = {
  name: 'ModeScope',
  version: '0.1.0',
  transport: 'web',
  platform: 'linux',
  nodeVersion: 'v20.20.0',
  defaultProjectDir: '/home/ana/ModeScope',
} as const;

/** A stand-in for the preload's `window.modescope`: plain `{ ok, result | error }` replies. */
function fakeBridge() {
  const calls: Array<[string, unknown]> = [];
  const listeners: Array<[string, (payload: unknown) => void]> = [];
  const bridge: ModeScopeBridge = {
    invoke: async (channel, payload) => {
      calls.push([channel, payload]);
      if (channel === 'app.info') return { ok: true, result: { ...appInfo, transport: 'electron' } };
      return {
        ok: false,
        error: { code: 'PROJECT_LOCKED', message: 'in use by pid 7', details: { pid: 7 } },
      };
    },
    subscribe: (event, listener) => {
      listeners.push([event, listener]);
      return () => undefined;
    },
  };
  return { bridge, calls, listeners };
}

const completeBridge = () => fakeBridge().bridge;

describe('web token', () => {
  it('takes the token out of the address and keeps the other parameters and the hash', () => {
    expect(splitTokenFromUrl('http://127.0.0.1:4100/?a=1&token=abc%2Fdef&b=2#/runs')).toEqual({
      token: 'abc/def',
      cleanedHref: 'http://127.0.0.1:4100/?a=1&b=2#/runs',
    });
    expect(splitTokenFromUrl('http://127.0.0.1:4100/#/runs')).toEqual({
      token: null,
      cleanedHref: 'http://127.0.0.1:4100/#/runs',
    });
  });

  it('stores an address token for reloads and removes it from the visible address', () => {
    const storage = new MemoryStorage();
    const history = new RecordingHistory();
    const token = resolveWebToken('http://127.0.0.1:4100/?token=s3cret', storage, history);
    expect(token).toBe('s3cret');
    expect(storage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cret');
    expect(history.replaced).toEqual(['http://127.0.0.1:4100/']);
  });

  it('falls back to the stored token after a reload without touching the address', () => {
    const storage = new MemoryStorage();
    storage.setItem(TOKEN_STORAGE_KEY, 'from-before');
    const history = new RecordingHistory();
    expect(resolveWebToken('http://127.0.0.1:4100/#/projects', storage, history)).toBe('from-before');
    expect(history.replaced).toEqual([]);
  });

  it('prefers a fresh address token over a stale stored one', () => {
    const storage = new MemoryStorage();
    storage.setItem(TOKEN_STORAGE_KEY, 'old');
    expect(resolveWebToken('http://127.0.0.1:4100/?token=new', storage, null)).toBe('new');
    expect(storage.getItem(TOKEN_STORAGE_KEY)).toBe('new');
  });

  it('treats an empty token as none and survives storage that throws', () => {
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(resolveWebToken('http://127.0.0.1:4100/?token=', throwing, null)).toBeNull();
    expect(resolveWebToken('http://127.0.0.1:4100/?token=t', throwing, null)).toBe('t');
  });

  it('builds the RPC socket address on the page host, escaping the token', () => {
    expect(rpcSocketUrl({ protocol: 'http:', host: '127.0.0.1:4100' }, 'a b&c')).toBe(
      'ws://127.0.0.1:4100/rpc?token=a%20b%26c',
    );
    expect(rpcSocketUrl({ protocol: 'https:', host: 'lab.example:443' }, 't')).toBe(
      'wss://lab.example:443/rpc?token=t',
    );
  });
});

describe('connection plan', () => {
  it('builds the API over a complete Electron bridge, with error codes intact', async () => {
    const { bridge, calls, listeners } = fakeBridge();
    const plan = planConnection({ ...webEnv('file:///app/index.html').env, bridge });
    expect(plan.kind).toBe('electron');
    if (plan.kind !== 'electron') return;
    await expect(plan.api.app.info({})).resolves.toMatchObject({ transport: 'electron' });
    const failure = await plan.api.projects.open({ path: '/p.modescope' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RpcError);
    expect(failure).toMatchObject({
      code: 'PROJECT_LOCKED',
      message: 'in use by pid 7',
      details: { pid: 7 },
    });
    expect(calls).toEqual([
      ['app.info', {}],
      ['projects.open', { path: '/p.modescope' }],
    ]);
    plan.api.on('project.closed', () => undefined);
    expect(listeners.map(([event]) => event)).toEqual(['project.closed']);
  });

  it('refuses a bridge that lacks invoke or subscribe and names them', () => {
    expect(missingBridgeMembers({ invoke: () => null })).toEqual(['subscribe']);
    // A full API object is not a bridge.
    const api = createApi({ invoke: async () => null, subscribe: () => () => undefined });
    expect(missingBridgeMembers(api)).toEqual(['invoke', 'subscribe']);
    const plan = planConnection({ ...webEnv('file:///app/index.html').env, bridge: { subscribe: 1 } });
    expect(plan).toMatchObject({
      kind: 'unavailable',
      problem: { kind: 'bridge-incomplete', detail: 'missing: invoke, subscribe' },
    });
  });

  it('refuses a bridge that is not an object', () => {
    const plan = planConnection({ ...webEnv('file:///app/index.html').env, bridge: 'oops' });
    expect(plan).toMatchObject({ kind: 'unavailable', problem: { kind: 'bridge-incomplete' } });
  });

  it('plans a WebSocket to /rpc with the token in web mode', () => {
    const { env, history } = webEnv('http://127.0.0.1:4100/?token=tok');
    expect(planConnection(env)).toEqual({ kind: 'web', socketUrl: 'ws://127.0.0.1:4100/rpc?token=tok' });
    expect(history.replaced).toEqual(['http://127.0.0.1:4100/']);
  });

  it('reports a missing token in web mode', () => {
    const plan = planConnection(webEnv('http://127.0.0.1:4100/').env);
    expect(plan).toMatchObject({ kind: 'unavailable', problem: { kind: 'missing-token' } });
    if (plan.kind === 'unavailable') expect(plan.problem.serveHint).toBe(true);
  });

  it('reports no backend for a file page without a bridge', () => {
    const plan = planConnection(webEnv('file:///tmp/index.html').env);
    expect(plan).toMatchObject({
      kind: 'unavailable',
      problem: { kind: 'no-backend', detail: 'page loaded from file:' },
    });
  });
});

describe('WebSocket connection', () => {
  it('resolves with a working API once the socket opens', async () => {
    let socket!: FakeSocket;
    const pending = connectWebSocketApi('ws://h/rpc?token=t', (url) => (socket = new FakeSocket(url)));
    expect(socket.url).toBe('ws://h/rpc?token=t');
    socket.open();
    const api = await pending;
    const info = api.app.info({});
    await vi.waitFor(() => expect(socket.sent).toHaveLength(1));
    expect(JSON.parse(socket.sent[0]!)).toMatchObject({ type: 'request', channel: 'app.info', payload: {} });
    socket.answerLast(appInfo);
    await expect(info).resolves.toEqual(appInfo);
  });

  it('turns a refused handshake into a "refused" problem with the close code', async () => {
    let socket!: FakeSocket;
    const pending = connectWebSocketApi('ws://h/rpc?token=bad', (url) => (socket = new FakeSocket(url)));
    socket.emit('error');
    socket.serverClose(1006);
    const failure = await pending.catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectionFailure);
    expect((failure as ConnectionFailure).problem).toMatchObject({
      kind: 'refused',
      detail: 'close code 1006',
    });
  });

  it('gives up after the timeout and closes the socket', async () => {
    let socket!: FakeSocket;
    const failure = await connectWebSocketApi('ws://h/rpc?token=t', (url) => (socket = new FakeSocket(url)), {
      timeoutMs: 20,
    }).catch((err: unknown) => err);
    expect((failure as ConnectionFailure).problem).toMatchObject({
      kind: 'timeout',
      detail: 'no answer within 20 ms',
    });
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'connection timed out' });
  });

  it('reports a connection lost after it was established, once', async () => {
    let socket!: FakeSocket;
    const onLost = vi.fn();
    const pending = connectWebSocketApi('ws://h/rpc?token=t', (url) => (socket = new FakeSocket(url)), {
      onLost,
    });
    socket.open();
    await pending;
    expect(onLost).not.toHaveBeenCalled();
    socket.serverClose(1001, 'server stopping');
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(onLost.mock.calls[0]![0]).toMatchObject({
      kind: 'lost',
      detail: 'close code 1001: server stopping',
    });
  });
});

describe('connectApi', () => {
  it('uses the bridge for Electron without opening a socket', async () => {
    const bridge = completeBridge();
    const openSocket = vi.fn();
    const outcome = await connectApi({ ...webEnv('file:///app/index.html').env, bridge }, openSocket);
    expect(outcome.ok && outcome.transport).toBe('electron');
    if (outcome.ok) await expect(outcome.api.app.info({})).resolves.toMatchObject({ transport: 'electron' });
    expect(openSocket).not.toHaveBeenCalled();
  });

  it('connects in web mode and reports transport "web"', async () => {
    let socket!: FakeSocket;
    const pending = connectApi(webEnv('http://127.0.0.1:4100/?token=t').env, (url) => {
      socket = new FakeSocket(url);
      queueMicrotask(() => socket.open());
      return socket;
    });
    const outcome = await pending;
    expect(outcome.ok && outcome.transport).toBe('web');
    expect(socket.url).toBe('ws://127.0.0.1:4100/rpc?token=t');
  });

  it('returns a problem instead of throwing when the server refuses', async () => {
    const outcome = await connectApi(webEnv('http://127.0.0.1:4100/?token=t').env, (url) => {
      const socket = new FakeSocket(url);
      queueMicrotask(() => socket.serverClose(1008, 'bad token'));
      return socket;
    });
    expect(outcome).toMatchObject({
      ok: false,
      problem: { kind: 'refused', detail: 'close code 1008: bad token' },
    });
  });
});

describe('API accessor', () => {
  it('throws a clear error before the API is set and returns it after', () => {
    setApi(null);
    expect(() => useApi()).toThrow(/not connected yet/);
    const api = createApi({ invoke: async () => null, subscribe: () => () => undefined });
    setApi(api);
    expect(useApi()).toBe(api);
    setApi(null);
  });
});
