import { encodeArray } from '../../../src-shared/domain/encodedArray';
import type { GapWindow, GapWindowRequest } from '../../../src-shared/rpc/channels/gaps';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readRows } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { maskStretches, sessionResult } from './gapResults';

/**
 * A window of one session's imputation for the Gaps view: observed values (NaN in gaps), imputed
 * values (NaN where observed) and the uncertainty band, for the chosen channels. With `maxPoints`
 * the window is cut into buckets of `step` rows (the charts' envelope convention) holding each
 * series' min and max, so narrow gaps and peaks survive zooming out. Rows are
 * read in slices so a whole long session never sits in memory at once.
 */
const SLICE_ROWS = 8192;

type Series =
  | 'observedMin'
  | 'observedMax'
  | 'imputedMin'
  | 'imputedMax'
  | 'lower'
  | 'upper'
  | 'denoisedMin'
  | 'denoisedMax';

export function gapWindow(store: ProjectStore, request: GapWindowRequest & { bandSd: number }): GapWindow {
  const imputed = sessionResult(store, request.runId, 'imputed', request.sessionId);
  const mask = sessionResult(store, request.runId, 'imputation_mask', request.sessionId);
  if (!imputed || !mask)
    throw new RpcError(
      'NOT_FOUND',
      `run ${request.runId} has no imputation for session ${request.sessionId}; run gaps.impute first`,
      { runId: request.runId, sessionId: request.sessionId },
    );
  const std = sessionResult(store, request.runId, 'imputation_std', request.sessionId);
  const denoised = request.denoised
    ? sessionResult(store, request.runId, 'denoised', request.sessionId)
    : undefined;
  const info = arrayInfo(store, imputed.arrayId!);
  const C = info.rowLength;
  const channels = request.channels ?? Array.from({ length: Math.min(C, 64) }, (_, c) => c);
  const bad = channels.find((c) => c >= C);
  if (bad !== undefined)
    throw new RpcError('INVALID_INPUT', `channel ${bad} does not exist: the session has ${C} channels`, {
      field: 'channels',
    });
  const start = request.startRow ?? 0;
  const end = Math.min(request.endRow ?? info.nRows, info.nRows);
  if (start >= end)
    throw new RpcError('INVALID_INPUT', `startRow ${start} is past the session's ${info.nRows} samples`, {
      field: 'startRow',
    });
  const rows = end - start;
  const K = channels.length;
  const step = request.maxPoints === undefined ? 1 : Math.max(1, Math.ceil(rows / request.maxPoints));
  const points = Math.ceil(rows / step);
  const series = (): Float32Array => new Float32Array(points * K).fill(NaN);
  const out: Record<Series, Float32Array> = {
    observedMin: series(),
    observedMax: series(),
    imputedMin: series(),
    imputedMax: series(),
    lower: series(),
    upper: series(),
    denoisedMin: series(),
    denoisedMax: series(),
  };
  const low = (name: Series, at: number, v: number) => {
    if (!(out[name][at]! <= v)) out[name][at] = v;
  };
  const high = (name: Series, at: number, v: number) => {
    if (!(out[name][at]! >= v)) out[name][at] = v;
  };
  for (let s0 = start; s0 < end; s0 += SLICE_ROWS) {
    const s1 = Math.min(end, s0 + SLICE_ROWS);
    const x = readRows(store, imputed.arrayId!, s0, s1);
    const m = readRows(store, mask.arrayId!, s0, s1);
    const sd = std ? readRows(store, std.arrayId!, s0, s1) : null;
    const dn = denoised ? readRows(store, denoised.arrayId!, s0, s1) : null;
    for (let t = s0; t < s1; t++) {
      const row = (t - s0) * C;
      const bucket = Math.floor((t - start) / step) * K;
      channels.forEach((c, k) => {
        const v = x[row + c]!;
        const at = bucket + k;
        if (dn) {
          low('denoisedMin', at, dn[row + c]!);
          high('denoisedMax', at, dn[row + c]!);
        }
        if (m[row + c] === 0) {
          low('observedMin', at, v);
          high('observedMax', at, v);
          return;
        }
        low('imputedMin', at, v);
        high('imputedMax', at, v);
        if (sd) {
          const w = request.bandSd * sd[row + c]!;
          low('lower', at, v - w);
          high('upper', at, v + w);
        }
      });
    }
  }
  const gaps = maskStretches(store, mask.arrayId!, start, end, 2000).stretches.map((g) => ({
    ...g,
    start: Math.max(g.start, start),
  }));
  const shape = [points, K];
  return {
    startRow: start,
    endRow: end,
    step,
    channels,
    observedMin: encodeArray(out.observedMin, shape),
    observedMax: encodeArray(out.observedMax, shape),
    imputedMin: encodeArray(out.imputedMin, shape),
    imputedMax: encodeArray(out.imputedMax, shape),
    lower: std ? encodeArray(out.lower, shape) : null,
    upper: std ? encodeArray(out.upper, shape) : null,
    denoisedMin: denoised ? encodeArray(out.denoisedMin, shape) : null,
    denoisedMax: denoised ? encodeArray(out.denoisedMax, shape) : null,
    gaps: gaps.filter((g) => channels.includes(g.channel ?? channels[0]!)),
  };
}
