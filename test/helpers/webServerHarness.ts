import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApi, type ModeScopeApi } from '../../src-shared/rpc/client';
import { createWebSocketTransport, type WebSocketTransport } from '../../src-shared/rpc/webSocketTransport';
import { createServices, type Services } from '../../src-main/services/createServices';
import { startWebServer, type RunningWebServer } from '../../src-main/server/webServer';

export interface Harness {
  dir: string;
  services: Services;
  web: RunningWebServer;
  origin: string;
  connect(opts?: {
    token?: string | null;
    origin?: string | null;
  }): Promise<{ api: ModeScopeApi; transport: WebSocketTransport; socket: WebSocket }>;
  rawSocket(opts?: { token?: string | null; origin?: string | null }): WebSocket;
  close(): Promise<void>;
}

/** A real services instance behind a real web server on loopback, with a stub renderer. */
export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'modescope-it-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ModeScope</title>');
  const services = createServices({
    transport: 'web',
    configDir: join(dir, 'config'),
    defaultProjectDir: dir,
  });
  const web = await startWebServer({ services, staticDir });
  const origin = `http://127.0.0.1:${web.port}`;
  const sockets: WebSocket[] = [];

  const rawSocket = (opts: { token?: string | null; origin?: string | null } = {}) => {
    const token = opts.token === undefined ? web.token : opts.token;
    const url = `ws://127.0.0.1:${web.port}/rpc${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
    const headers: Record<string, string> = {};
    const o = opts.origin === undefined ? origin : opts.origin;
    const ws = new WebSocket(url, o === null ? { headers } : { origin: o, headers });
    ws.on('error', () => undefined);
    sockets.push(ws);
    return ws;
  };

  return {
    dir,
    services,
    web,
    origin,
    rawSocket,
    async connect(opts) {
      const socket = rawSocket(opts);
      const transport = createWebSocketTransport(socket as never);
      await transport.ready;
      return { api: createApi(transport), transport, socket };
    },
    async close() {
      for (const s of sockets) if (s.readyState === s.OPEN) s.terminate();
      await web.close();
      services.dispose();
    },
  };
}
