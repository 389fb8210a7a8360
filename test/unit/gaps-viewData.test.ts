import { describe, expect, it } from 'vitest';
import { encodeArray } from '../../src-shared/domain/encodedArray';
import type { GapEvaluationTable, GapWindow } from '../../src-shared/rpc/channels/gaps';
import {
  bandPolygons,
  bestMethod,
  evaluationBars,
  formatGap,
  gapWindowToEnvelope,
  gapZoomRange,
  exportKinds,
  suggestedExportPath,
  stackingSummary,
  valueExtent,
} from '../../src-renderer/views/gaps/gapsData';

const N = NaN;

function window(): GapWindow {
  // 4 buckets of 2 samples (rows 10..17), channels 2 and 5; bucket 2 is a gap on channel 5 only.
  const f = (v: number[]) => encodeArray(Float32Array.from(v), [4, 2]);
  return {
    startRow: 10,
    endRow: 17,
    step: 2,
    channels: [2, 5],
    observedMin: f([1, 10, 2, 20, 3, N, 4, 40]),
    observedMax: f([1.5, 11, 2.5, 21, 3.5, N, 4.5, 41]),
    imputedMin: f([N, N, N, N, N, 30, N, N]),
    imputedMax: f([N, N, N, N, N, 31, N, N]),
    lower: f([N, N, N, N, N, 29, N, N]),
    upper: f([N, N, N, N, N, 33, N, N]),
    denoisedMin: null,
    denoisedMax: null,
    gaps: [
      { start: 14, end: 16, channel: 5 },
      { start: 16, end: 17, channel: null },
    ],
  };
}

describe('Gaps view data', () => {
  it('takes one channel of a served window as an envelope with its imputed values and band', () => {
    const w = gapWindowToEnvelope(window(), 1);
    expect(w).toMatchObject({ startSample: 10, endSample: 17, step: 2, nChannels: 1 });
    expect(Array.from(w.min).map(String)).toEqual(['10', '20', 'NaN', '40']);
    expect(Array.from(w.max).map(String)).toEqual(['11', '21', 'NaN', '41']);
    expect(Array.from(w.imputed.max).map(String)).toEqual(['NaN', 'NaN', '31', 'NaN']);
    expect(w.gaps).toEqual([
      { start: 14, end: 16, channel: 5 },
      { start: 16, end: 17, channel: null },
    ]);
    const other = gapWindowToEnvelope(window(), 0);
    expect(Array.from(other.min)).toEqual([1, 2, 3, 4]);
    // Channel 2 sees only the all-channel gap.
    expect(other.gaps).toEqual([{ start: 16, end: 17, channel: null }]);
  });

  it('turns the band into one closed outline per run of buckets, in seconds', () => {
    const w = gapWindowToEnvelope(window(), 1);
    expect(bandPolygons(w, 10)).toEqual([
      [
        [1.4, 33],
        [1.6, 33],
        [1.6, 29],
        [1.4, 29],
      ],
    ]);
    expect(bandPolygons({ ...w, band: null }, 10)).toEqual([]);
    // Undecimated: one point per sample on each edge.
    const fine = {
      ...w,
      step: 1,
      endSample: 14,
      band: { lower: Float32Array.from([NaN, 1, 2, NaN]), upper: Float32Array.from([NaN, 3, 4, NaN]) },
    };
    expect(bandPolygons(fine, 10)).toEqual([
      [
        [1.1, 3],
        [1.2, 4],
        [1.2, 2],
        [1.1, 1],
      ],
    ]);
    expect(valueExtent(w)).toEqual({ min: 10 - 1.55, max: 41 + 1.55 });
  });

  it('zooms to a gap with context and formats gaps for the list', () => {
    expect(gapZoomRange({ start: 1000, end: 1100 }, 5000, 100)).toEqual({ start: 900, end: 1200 });
    expect(gapZoomRange({ start: 10, end: 12 }, 5000, 100)).toEqual({ start: 0, end: 62 });
    expect(gapZoomRange({ start: 4990, end: 5000 }, 5000, 100)).toEqual({ start: 4940, end: 5000 });
    expect(formatGap({ start: 150, end: 170, channel: null }, 100, ['Fz'])).toBe(
      '1.500 s · 200 ms · all channels',
    );
    expect(formatGap({ start: 150, end: 151, channel: 0 }, 1000, ['Fz'])).toBe('0.150 s · 1.0 ms · Fz');
  });

  it('reads bars and the best method from an evaluation table', () => {
    const table: GapEvaluationTable = {
      methods: ['model', 'linear', 'gp'],
      rows: [
        {
          kind: 'gap',
          length_ms: 100,
          n_stretches: 2,
          n_values: 6,
          methods: { model: { rmse: 9, mae: 9 }, linear: { rmse: 9, mae: 9 }, gp: { rmse: 9, mae: 9 } },
        },
        {
          kind: 'gap',
          length_ms: null,
          n_stretches: 4,
          n_values: 12,
          methods: {
            model: { rmse: 0.5, mae: 0.4 },
            linear: { rmse: 0.7, mae: 0.6 },
            gp: { rmse: 0.3, mae: 0.2 },
          },
        },
      ],
    };
    expect(evaluationBars(table, 'gap', 'rmse')).toEqual({
      labels: ['Model', 'Linear', 'Per-channel GP'],
      values: [0.5, 0.7, 0.3],
    });
    expect(evaluationBars(table, 'gap', 'mae')!.values).toEqual([0.4, 0.6, 0.2]);
    expect(evaluationBars(table, 'channel_dropout', 'rmse')).toBeNull();
    expect(bestMethod(table.rows[1]!.methods)).toBe('gp');
    expect(bestMethod({ a: { rmse: NaN } })).toBeNull();
  });

  it('offers the arrays a session has for export, next to the project file', () => {
    expect(exportKinds({ hasUncertainty: false, hasDenoised: false }).map((k) => k.kind)).toEqual([
      'imputed',
      'imputation_mask',
    ]);
    expect(exportKinds({ hasUncertainty: true, hasDenoised: true }).map((k) => k.kind)).toEqual([
      'imputed',
      'imputation_mask',
      'imputation_std',
      'denoised',
    ]);
    expect(suggestedExportPath('/data/study/p.modescope', 3, 7, 'imputed', 'mat')).toBe(
      '/data/study/run3_session7_imputed.mat',
    );
    expect(suggestedExportPath('C:\\s\\p.modescope', 1, 2, 'denoised', 'csv')).toBe(
      'C:\\s\\run1_session2_denoised.csv',
    );
  });
});

describe('stackingSummary', () => {
  it('says the GP’s share at the edge and where it passes one half and nine tenths', () => {
    // σ(−1.7 + 0.37 d): 15 % at d = 0, 0.5 at d = 4.6, 0.9 at d = 10.5.
    expect(
      stackingSummary({
        gap: { intercept: -1.7, slope: 0.37, values: 100 },
        dropout: { intercept: -8.1, slope: 0, values: 10 },
      }),
    ).toBe(
      "Stacked imputer, the GP's share of the fill: all-channel gaps 15 % at the edge, half at 5 samples, 90 % at 11 samples; where other channels are observed 0 % throughout.",
    );
    expect(
      stackingSummary({
        gap: { intercept: 0.5, slope: 0.1, values: 100 },
        dropout: { intercept: 0, slope: 0, values: 0 },
      }),
    ).toBe(
      "Stacked imputer, the GP's share of the fill: all-channel gaps 62 % at the edge, half at the edge, 90 % at 17 samples; where other channels are observed as for gaps (not calibrated).",
    );
  });
});
