import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../src-shared/rpc/wire';
import type { Services } from '../services/createServices';
import { AccessPolicy, generateToken, TOKEN_COOKIE } from './accessPolicy';
import { attachRpcSocket, broadcastEvent } from './rpcSocket';
import { sendText, serveStatic } from './staticFiles';

export interface WebServerOptions {
  services: Services;
  /** Built renderer (out/renderer). */
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningWebServer {
  url: string;
  host: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';

const NO_TOKEN_HELP =
  'ModeScope: this address needs the access token. Open the full URL that `modescope serve` printed (it ends in ?token=...).';

/**
 * Web mode: the built renderer over HTTP and the RPC contract over one WebSocket path (/rpc).
 * Binds loopback unless told otherwise; every request needs the per-start token, and the socket
 * accepts only our own Origin.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? LOOPBACK;
  const token = options.token ?? generateToken();
  const { services, staticDir } = options;
  let policy: AccessPolicy = AccessPolicy.forAddress(token, host, options.port ?? 0);

  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed');
    const access = policy.check(req);
    if (!access.allowed)
      return sendText(
        res,
        access.reason.includes('token') ? 401 : 403,
        `${NO_TOKEN_HELP}\n(${access.reason})`,
      );
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname === '/rpc') return sendText(res, 426, 'use a WebSocket for /rpc');
    if (access.via === 'query') {
      // Later asset requests carry no query string; the cookie lets them through.
      res.setHeader(
        'Set-Cookie',
        `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    await serveStatic(staticDir, url.pathname, res, req.method === 'HEAD');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: string, reason: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
      socket.destroy();
    };
    if (url.pathname !== '/rpc') return refuse('404 Not Found', 'unknown path');
    const access = policy.check(req);
    if (!access.allowed) {
      return refuse(access.reason.includes('token') ? '401 Unauthorized' : '403 Forbidden', access.reason);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      attachRpcSocket(ws, services.dispatch);
    });
  });

  const unsubscribe = services.events.onAny((event, payload) => broadcastEvent(wss.clients, event, payload));

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy = AccessPolicy.forAddress(token, host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/?token=${token}`;

  return {
    url,
    host,
    port,
    token,
    server,
    async close() {
      unsubscribe();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
