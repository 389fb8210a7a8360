import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWindowState, restoreBounds, type Rect } from '../../src-main/app/windowState';
import { readWindowState, windowStatePath, writeWindowState } from '../../src-main/app/windowStateFile';

const limits = { defaultWidth: 1400, defaultHeight: 900, minWidth: 960, minHeight: 600 };
const laptop: Rect = { x: 0, y: 25, width: 1920, height: 1055 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('restoreBounds', () => {
  it('opens a first window centred on the primary display at the default size', () => {
    expect(restoreBounds(null, [laptop, rightMonitor], limits)).toEqual({
      bounds: { x: 260, y: 103, width: 1400, height: 900 },
      maximised: false,
    });
  });

  it('keeps a saved window that is fully visible exactly where it was', () => {
    const saved = { bounds: { x: 2100, y: 200, width: 1600, height: 1000 }, maximised: true };
    expect(restoreBounds(saved, [laptop, rightMonitor], limits)).toEqual(saved);
  });

  it('moves a window hanging off the bottom-right edge back onto its display', () => {
    const saved = { bounds: { x: 1500, y: 700, width: 1000, height: 700 }, maximised: false };
    // 580×700 px of it lie on the monitor, 420×380 on the laptop: it belongs to the monitor.
    const restored = restoreBounds(saved, [laptop, rightMonitor], limits);
    expect(restored.bounds).toEqual({ x: 1920, y: 700, width: 1000, height: 700 });
  });

  it('shrinks a window larger than its display and keeps the minimum size', () => {
    const saved = { bounds: { x: -50, y: 0, width: 3000, height: 400 }, maximised: false };
    expect(restoreBounds(saved, [laptop], limits).bounds).toEqual({ x: 0, y: 25, width: 1920, height: 600 });
  });

  it('re-centres a window saved on a monitor that is no longer attached, keeping maximised', () => {
    const saved = { bounds: { x: 2500, y: 300, width: 1200, height: 800 }, maximised: true };
    expect(restoreBounds(saved, [laptop], limits)).toEqual({
      bounds: { x: 260, y: 103, width: 1400, height: 900 },
      maximised: true,
    });
  });

  it('refuses an empty display list', () => {
    expect(() => restoreBounds(null, [], limits)).toThrow(/at least one display/);
  });
});

describe('window state file', () => {
  it('round-trips next to recent-projects.json and ignores damaged or foreign content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-win-'));
    expect(readWindowState(dir)).toBeNull();
    writeWindowState(dir, { bounds: { x: 10.4, y: 20.6, width: 1000, height: 700 }, maximised: true });
    expect(windowStatePath(dir)).toBe(join(dir, 'window-state.json'));
    expect(JSON.parse(readFileSync(windowStatePath(dir), 'utf8'))).toEqual({
      version: 1,
      bounds: { x: 10, y: 21, width: 1000, height: 700 },
      maximised: true,
    });
    expect(readWindowState(dir)).toEqual({
      bounds: { x: 10, y: 21, width: 1000, height: 700 },
      maximised: true,
    });
    writeFileSync(windowStatePath(dir), '{ not json');
    expect(readWindowState(dir)).toBeNull();
    expect(
      parseWindowState({ version: 2, bounds: { x: 0, y: 0, width: 1, height: 1 }, maximised: false }),
    ).toBeNull();
    expect(
      parseWindowState({ version: 1, bounds: { x: 0, y: 0, width: -5, height: 1 }, maximised: false }),
    ).toBeNull();
  });
});
