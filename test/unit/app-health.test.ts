import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServices } from '../../src-main/services/createServices';
import { EventLoopLagMonitor } from '../../src-main/services/health/eventLoopLag';

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: this is the blocking work the monitor must see
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop lag monitor', () => {
  it('reads near zero on an idle loop and sees a 150 ms block', async () => {
    const monitor = new EventLoopLagMonitor({ resolutionMs: 5, windowMs: 60_000 }).start();
    await wait(200);
    const idle = monitor.sinceReset();
    // Idle lag is timer jitter; on a loaded machine a few ms, never a blocked loop.
    expect(idle.p50Ms).toBeLessThan(20);
    monitor.reset();
    await wait(20);
    block(150);
    await wait(30);
    const blocked = monitor.sinceReset();
    monitor.stop();
    expect(blocked.maxMs).toBeGreaterThan(120);
    expect(blocked.maxMs).toBeLessThan(1000);
    expect(blocked.windowMs).toBeGreaterThan(150);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new EventLoopLagMonitor({ resolutionMs: 0 })).toThrow(/resolutionMs >= 1/);
    expect(() => new EventLoopLagMonitor({ resolutionMs: 20, windowMs: 5 })).toThrow(
      /windowMs >= resolutionMs/,
    );
  });
});

describe('app channels in the services', () => {
  const configDir = () => mkdtempSync(join(tmpdir(), 'ms-app-'));

  it('app.pickPath is unsupported without a native dialog and validates its input', async () => {
    const services = createServices({ transport: 'web', configDir: configDir() });
    expect(await services.dispatch('app.pickPath', { mode: 'openFolder' })).toEqual({
      ok: true,
      result: { supported: false, paths: [] },
    });
    const bad = await services.dispatch('app.pickPath', { mode: 'openFolder', multi: true });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_INPUT');
    services.dispose();
  });

  it('app.pickPath hands the parsed request to the shell dialog', async () => {
    const seen: unknown[] = [];
    const services = createServices({
      transport: 'electron',
      configDir: configDir(),
      pathDialog: (request) => {
        seen.push(request);
        return Promise.resolve(['/data/rest.modescope']);
      },
    });
    const request = { mode: 'openFile', title: 'Open', filters: [{ name: 'P', extensions: ['modescope'] }] };
    expect(await services.dispatch('app.pickPath', request)).toEqual({
      ok: true,
      result: { supported: true, paths: ['/data/rest.modescope'] },
    });
    expect(seen).toEqual([request]);
    services.dispose();
  });

  it('app.health reports lag, memory and uptime', async () => {
    const services = createServices({ transport: 'in-process', configDir: configDir() });
    const outcome = await services.dispatch('app.health', {});
    services.dispose();
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const health = outcome.result as { eventLoopLag: { p99Ms: number }; rssBytes: number; uptimeS: number };
    expect(health.rssBytes).toBeGreaterThan(1e6);
    expect(health.uptimeS).toBeGreaterThan(0);
    expect(health.eventLoopLag.p99Ms).toBeGreaterThanOrEqual(0);
  });
});

describe('event-loop lag read straight after a block', () => {
  it('counts a block that the histogram has not recorded yet', async () => {
    const monitor = new EventLoopLagMonitor({ resolutionMs: 5, windowMs: 60_000 }).start();
    await wait(30);
    monitor.reset();
    block(200);
    // No yield between the block and the read: the histogram's timer has not fired.
    const stats = monitor.sinceReset();
    monitor.stop();
    expect(stats.maxMs).toBeGreaterThan(150);
    expect(stats.p99Ms).toBeGreaterThan(150);
  });
});
