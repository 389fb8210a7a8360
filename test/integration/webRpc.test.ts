import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { RpcError } from '../../src-shared/rpc/errors';
import { createServices } from '../../src-main/services/createServices';
import { startHarness, type Harness } from '../helpers/webServerHarness';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function nextMessage(ws: WebSocket): Promise<any> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
}

function closeOrError(ws: WebSocket): Promise<{ code?: number; status?: number }> {
  return new Promise((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('close', (code) => resolve({ code }));
  });
}

describe('RPC over a real WebSocket against the real services', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves the page only with the token, and sets a cookie for the assets', async () => {
    const base = `http://127.0.0.1:${h.web.port}`;
    const denied = await fetch(`${base}/`);
    expect(denied.status).toBe(401);
    expect(await denied.text()).toMatch(/access token/);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(`${base}/?token=${h.web.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    const again = await fetch(`${base}/index.html`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(again.status).toBe(200);
  });

  it('creates, lists, closes and reopens a project, with events', async () => {
    const { api } = await h.connect();
    const events: string[] = [];
    api.on('project.opened', (p) => events.push(`opened:${p.name}`));
    api.on('project.closed', () => events.push('closed'));

    const info = await api.app.info({});
    expect(info).toMatchObject({ name: 'ModeScope', transport: 'web' });

    const created = await api.projects.create({ path: join(h.dir, 'alpha'), name: 'Alpha study' });
    expect(created.path).toBe(join(h.dir, 'alpha.modescope'));
    expect(created.name).toBe('Alpha study');
    expect(created.counts).toEqual({ datasets: 0, runs: 0 });
    expect(existsSync(created.path)).toBe(true);

    const recent = await api.projects.listRecent({});
    expect(recent[0]).toMatchObject({ path: created.path, name: 'Alpha study', exists: true });

    expect(await api.projects.close({})).toEqual({ closed: true });
    expect(await api.projects.current({})).toBeNull();
    const reopened = await api.projects.open({ path: created.path });
    expect(reopened.name).toBe('Alpha study');
    expect((await api.projects.current({}))?.path).toBe(created.path);
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['opened:Alpha study', 'closed', 'opened:Alpha study']);

    const listing = await api.files.listDirectory({ path: h.dir, extensions: ['.modescope'] });
    expect(listing.entries.map((e) => e.name)).toContain('alpha.modescope');
  });

  it('answers malformed frames with typed errors and keeps the connection usable', async () => {
    const ws = h.rawSocket();
    await new Promise((r) => ws.once('open', r));
    ws.send('this is not json');
    expect(await nextMessage(ws)).toMatchObject({
      ok: false,
      id: null,
      error: { code: 'MALFORMED_MESSAGE' },
    });
    ws.send(JSON.stringify({ type: 'request', id: 5, channel: 'app.info' }));
    // payload is optional in the envelope (unknown) — app.info accepts an empty payload
    expect(await nextMessage(ws)).toMatchObject({ id: 5, ok: true });
    ws.send(JSON.stringify({ type: 'request', id: 6, channel: 'no.such', payload: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 6, ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    ws.send(JSON.stringify({ type: 'request', id: 7, channel: 'projects.open', payload: { path: 1 } }));
    expect(await nextMessage(ws)).toMatchObject({ id: 7, ok: false, error: { code: 'INVALID_INPUT' } });
    ws.send(JSON.stringify({ type: 'request', id: 8, channel: 'app.info', payload: {}, extra: 1 }));
    expect(await nextMessage(ws)).toMatchObject({ id: 8, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    ws.send(JSON.stringify({ type: 'request', id: 9, channel: 'app.info', payload: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 9, ok: true, result: { name: 'ModeScope' } });
    ws.close();
  });

  it('closes the connection on an oversized frame', async () => {
    const ws = h.rawSocket();
    await new Promise((r) => ws.once('open', r));
    const closed = closeOrError(ws);
    ws.send('x'.repeat(17 * 1024 * 1024));
    expect((await closed).code).toBe(1009);
  });

  it('refuses a socket without the token, with a wrong token, or from a foreign Origin', async () => {
    expect(await closeOrError(h.rawSocket({ token: null }))).toEqual({ status: 401 });
    expect(await closeOrError(h.rawSocket({ token: 'guess' }))).toEqual({ status: 401 });
    expect(await closeOrError(h.rawSocket({ origin: 'http://evil.example' }))).toEqual({ status: 403 });
    // A client that sends no Origin (not a browser) still needs the token.
    const { api } = await h.connect({ origin: null });
    expect((await api.app.info({})).name).toBe('ModeScope');
  });

  it('gives a clear error for bad project files and leaves them unchanged', async () => {
    const { api } = await h.connect();
    const textFile = join(h.dir, 'notes.modescope');
    writeFileSync(textFile, 'these are my notes, not a database\n'.repeat(50));
    const before = sha(textFile);
    const err = await api.projects.open({ path: textFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('NOT_A_PROJECT');
    expect(sha(textFile)).toBe(before);

    const unwritable = await api.projects
      .create({ path: join(textFile, 'inside-a-file'), name: 'x' })
      .catch((e: unknown) => e);
    expect((unwritable as RpcError).code).toBe('NOT_WRITABLE');

    const exists = await api.projects
      .create({ path: join(h.dir, 'alpha'), name: 'again' })
      .catch((e: unknown) => e);
    expect((exists as RpcError).code).toBe('ALREADY_EXISTS');
  });

  it('refuses a second writer of the same project', async () => {
    const { api } = await h.connect();
    const p = await api.projects.create({ path: join(h.dir, 'locked'), name: 'Locked' });
    const other = createServices({ transport: 'in-process', configDir: join(h.dir, 'config2') });
    const r = await other.dispatch('projects.open', { path: p.path });
    expect(r).toMatchObject({ ok: false, error: { code: 'PROJECT_LOCKED' } });
    other.dispose();
  });
});
