import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'modescope_token';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export type AccessDecision = { allowed: true; via: 'query' | 'cookie' } | { allowed: false; reason: string };

/**
 * Who may talk to a web-mode server: only a page we served (its Origin is our own address), and
 * only with the per-start token. The Host check defeats DNS rebinding, where a foreign site
 * resolves its own name to 127.0.0.1 to make the browser treat us as same-origin.
 */
export class AccessPolicy {
  constructor(
    readonly token: string,
    private readonly allowedHosts: Set<string>,
  ) {}

  static forAddress(token: string, host: string, port: number): AccessPolicy {
    const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
    const hosts = new Set<string>();
    for (const n of names) hosts.add(`${n}:${port}`);
    return new AccessPolicy(token, hosts);
  }

  checkHost(req: IncomingMessage): string | null {
    const host = req.headers.host;
    if (!host || !this.allowedHosts.has(host.toLowerCase()))
      return `unexpected Host header: ${host ?? '(none)'}`;
    return null;
  }

  /** Browsers always send Origin on WebSocket upgrades; non-browser clients may omit it. */
  checkOrigin(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    if (origin === undefined) return null;
    try {
      const u = new URL(origin);
      if (u.protocol === 'http:' && this.allowedHosts.has(u.host.toLowerCase())) return null;
    } catch {
      // fall through
    }
    return `foreign Origin refused: ${origin}`;
  }

  checkToken(req: IncomingMessage): AccessDecision {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const q = url.searchParams.get('token');
    if (q !== null) {
      return sameToken(q, this.token)
        ? { allowed: true, via: 'query' }
        : { allowed: false, reason: 'invalid token' };
    }
    const c = cookieValue(req, TOKEN_COOKIE);
    if (c !== null && sameToken(c, this.token)) return { allowed: true, via: 'cookie' };
    return { allowed: false, reason: 'missing token' };
  }

  check(req: IncomingMessage): AccessDecision {
    const bad = this.checkHost(req) ?? this.checkOrigin(req);
    if (bad) return { allowed: false, reason: bad };
    return this.checkToken(req);
  }
}
