import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { AccessPolicy } from '../../src-main/server/accessPolicy';
import { resolveStaticPath } from '../../src-main/server/staticFiles';

function req(url: string, headers: Record<string, string>): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

describe('web-mode access policy', () => {
  const policy = AccessPolicy.forAddress('secret-token', '127.0.0.1', 4000);
  const host = { host: '127.0.0.1:4000' };

  it('accepts the token in the query or the cookie', () => {
    expect(policy.check(req('/?token=secret-token', host))).toEqual({ allowed: true, via: 'query' });
    expect(
      policy.check(req('/assets/a.js', { ...host, cookie: 'x=1; modescope_token=secret-token' })),
    ).toEqual({
      allowed: true,
      via: 'cookie',
    });
  });

  it('refuses a missing or wrong token', () => {
    expect(policy.check(req('/', host))).toEqual({ allowed: false, reason: 'missing token' });
    expect(policy.check(req('/?token=secret-tokeX', host))).toEqual({
      allowed: false,
      reason: 'invalid token',
    });
    expect(policy.check(req('/?token=', host))).toEqual({ allowed: false, reason: 'invalid token' });
  });

  it('refuses a foreign Origin even with the right token', () => {
    const r = policy.check(req('/rpc?token=secret-token', { ...host, origin: 'http://evil.example' }));
    expect(r).toEqual({ allowed: false, reason: 'foreign Origin refused: http://evil.example' });
    expect(
      policy.check(req('/rpc?token=secret-token', { ...host, origin: 'http://127.0.0.1:4001' })).allowed,
    ).toBe(false);
    expect(policy.check(req('/rpc?token=secret-token', { ...host, origin: 'null' })).allowed).toBe(false);
    expect(
      policy.check(req('/rpc?token=secret-token', { ...host, origin: 'http://localhost:4000' })).allowed,
    ).toBe(true);
  });

  it('refuses a rebinding Host header', () => {
    const r = policy.check(req('/?token=secret-token', { host: 'attacker.example:4000' }));
    expect(r.allowed).toBe(false);
  });
});

describe('static file resolution', () => {
  it('stays inside the root', () => {
    expect(resolveStaticPath('/srv/app', '/index.html')).toBe('/srv/app/index.html');
    expect(resolveStaticPath('/srv/app', '/assets/x.js')).toBe('/srv/app/assets/x.js');
    expect(resolveStaticPath('/srv/app', '/../etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/a%00b')).toBeNull();
    expect(resolveStaticPath('/srv/app', '/%E0%A4%A')).toBeNull();
  });
});
