import { describe, expect, it } from 'vitest';
import {
  centredWindows,
  missingRowStretches,
  slidingWindows,
} from '../../src-main/imputation/imputationWindows';

describe('imputation windows', () => {
  it('sliding windows own every sample exactly once, each from the window with the nearest centre', () => {
    const T = 1000;
    const L = 192;
    const windows = slidingWindows(T, L);
    expect(windows[0]).toEqual({ start: 0, length: L, ownStart: 0, ownEnd: windows[1]!.ownStart });
    expect(windows[windows.length - 1]!.start).toBe(T - L);
    let next = 0;
    for (const w of windows) {
      expect(w.ownStart).toBe(next);
      expect(w.ownStart).toBeGreaterThanOrEqual(w.start);
      expect(w.ownEnd).toBeLessThanOrEqual(w.start + w.length);
      for (let t = w.ownStart; t < w.ownEnd; t++) {
        const mine = Math.abs(t - (w.start + L / 2));
        for (const o of windows) expect(mine).toBeLessThanOrEqual(Math.abs(t - (o.start + L / 2)));
      }
      next = w.ownEnd;
    }
    expect(next).toBe(T);
    expect(slidingWindows(50, 192)).toEqual([{ start: 0, length: 50, ownStart: 0, ownEnd: 50 }]);
  });

  it('finds stretches of rows with any missing entry and centres one window on each', () => {
    const T = 100;
    const C = 2;
    const missing = new Uint8Array(T * C);
    missing.fill(1, 10 * C, 20 * C); // all channels, rows 10–19
    missing[21 * C + 1] = 1; // one channel, row 21
    missing.fill(1, 95 * C, 100 * C); // the session's end
    expect(missingRowStretches(missing, T, C)).toEqual([
      { start: 10, end: 20 },
      { start: 21, end: 22 },
      { start: 95, end: 100 },
    ]);
    expect(centredWindows(missing, T, C, 8)).toEqual([
      { start: 2, length: 26, ownStart: 10, ownEnd: 20 },
      { start: 13, length: 17, ownStart: 21, ownEnd: 22 },
      { start: 87, length: 13, ownStart: 95, ownEnd: 100 },
    ]);
  });
});
