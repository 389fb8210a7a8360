import { describe, expect, it } from 'vitest';
import type { Preview } from '../../src-shared/domain/dataset';
import { encodeArray } from '../../src-shared/domain/encodedArray';
import { envelopeTrace } from '../../src-renderer/charts/envelopeTrace';
import { previewToEnvelopeWindow } from '../../src-renderer/charts/previewWindow';

function preview(min: Float32Array, max: Float32Array, shape: number[]): Preview {
  return {
    samplingRate: 100,
    startSample: 200,
    endSample: 260,
    nSamples: 1000,
    channelNames: ['Fz', 'Cz'],
    step: 20,
    decimated: true,
    min: encodeArray(min, shape),
    max: encodeArray(max, shape),
    gaps: [{ start: 220, end: 240 }],
    annotations: [],
  };
}

describe('previewToEnvelopeWindow', () => {
  it('decodes a served preview into a window the charts draw', () => {
    const min = Float32Array.from([-1, -2, Number.NaN, Number.NaN, 0, 1]);
    const max = Float32Array.from([1, 2, Number.NaN, Number.NaN, 3, 4]);
    const w = previewToEnvelopeWindow(preview(min, max, [3, 2]));
    expect(w).toMatchObject({ startSample: 200, endSample: 260, step: 20, nChannels: 2 });
    expect(Array.from(w.max)).toEqual(Array.from(max));
    expect(w.gaps).toEqual([{ start: 220, end: 240 }]);
    const trace = Array.from(envelopeTrace(w, 1, 100));
    // Bucket 0: stroke from -2 to 2 between samples 200 and 219; bucket 1 a gap; bucket 2 from 4 down to 1.
    expect(trace).toEqual([2, -2, 2.19, 2, 2.2, Number.NaN, 2.4, 1, 2.59, 4]);
  });

  it('refuses arrays that are not float32 [points × channels]', () => {
    const bad = preview(new Float32Array(4), new Float32Array(4), [4]);
    expect(() => previewToEnvelopeWindow(bad)).toThrow(/must be \[points × channels\], got \[4\]/);
    const mismatch = { ...preview(new Float32Array(4), new Float32Array(4), [2, 2]) };
    mismatch.max = encodeArray(new Float32Array(4), [4, 1]);
    expect(() => previewToEnvelopeWindow(mismatch)).toThrow(/shapes differ/);
    const f64 = { ...mismatch, min: encodeArray(new Float64Array(4), [2, 2]) };
    expect(() => previewToEnvelopeWindow(f64)).toThrow(/must be float32, got float64/);
  });
});
