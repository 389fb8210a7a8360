import { describe, expect, it } from 'vitest';
import {
  MAX_WINDOWS_PER_SESSION,
  sessionStepSize,
  spectraSettings,
} from '../../src-main/services/analysis/modeSpectra';

describe('mode spectra settings', () => {
  it('uses 2 s windows, a 0.08 s step and 0.5–45 Hz at 250 Hz', () => {
    expect(spectraSettings(250, 10_000)).toEqual({
      windowLength: 500,
      stepSize: 20,
      frequencyRange: [0.5, 45],
    });
  });

  it('shortens windows for short sessions and gives up below 16 samples', () => {
    expect(spectraSettings(250, 1200)?.windowLength).toBe(300);
    expect(spectraSettings(250, 60)).toBeNull();
  });

  it('caps the frequency range at Nyquist and drops it when Nyquist is at most 1 Hz', () => {
    expect(spectraSettings(50, 10_000)?.frequencyRange).toEqual([0.5, 25]);
    expect(spectraSettings(2, 10_000)).toEqual({ windowLength: 32, stepSize: 3, frequencyRange: null });
    expect(spectraSettings(5, 10_000)?.windowLength).toBe(32);
  });

  it('lengthens the step of a long session to stay within the window cap', () => {
    expect(sessionStepSize(250, 50_000)).toBe(20);
    const long = 150_000;
    const step = sessionStepSize(250, long);
    expect(step).toBe(38);
    expect(Math.floor(long / step)).toBeLessThanOrEqual(MAX_WINDOWS_PER_SESSION);
    expect(spectraSettings(250, 50_000, long)?.stepSize).toBe(38);
  });
});
