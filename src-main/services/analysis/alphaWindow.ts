import { encodeArray } from '../../../src-shared/domain/encodedArray';
import type { SampleRange } from '../../../src-shared/domain/recording';
import type { AlphaVariant, AlphaWindow } from '../../../src-shared/rpc/channels/analysis';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readRowBlocks } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';

/**
 * A window of a stored per-session [T × K] run result, reduced to one bucket per pixel with the
 * min, max and mean of each mode (the stacked-area chart draws means, the line view min/max).
 * Buckets follow the datasets preview's convention (integer step), so the renderer draws served
 * α windows exactly as it draws recordings. Rows of NaN (gaps) are skipped and reported as gaps.
 */

export const variantResultKinds: Record<AlphaVariant, string> = {
  raw: 'alpha',
  reweighted: 'alpha_reweighted',
  binarised: 'alpha_binarised',
  ground_truth: 'ground_truth_alpha',
};

export function storedAlphaArrayId(
  store: ProjectStore,
  runId: number,
  sessionId: number,
  variant: AlphaVariant,
): number | null {
  const kind = variantResultKinds[variant];
  const matches = new RunRepository(store)
    .results(runId, { kind })
    .filter((r) => r.sessionId === sessionId && r.arrayId !== null);
  return matches[matches.length - 1]?.arrayId ?? null;
}

export function alphaWindow(
  store: ProjectStore,
  arrayId: number,
  samplingRate: number,
  request: { startSample?: number | undefined; endSample?: number | undefined; maxPoints: number },
): AlphaWindow {
  const info = arrayInfo(store, arrayId);
  const nSamples = info.nRows;
  const K = info.rowLength;
  const start = request.startSample ?? 0;
  const end = request.endSample ?? nSamples;
  if (end > nSamples || start >= end) {
    throw new RpcError(
      'INVALID_INPUT',
      `sample range [${start}, ${end}) is empty or outside the session's ${nSamples} samples`,
      { field: request.endSample !== undefined && end > nSamples ? 'endSample' : 'startSample', nSamples },
    );
  }
  const n = end - start;
  const step = Math.max(1, Math.ceil(n / request.maxPoints));
  const points = Math.ceil(n / step);
  const min = new Float32Array(points * K).fill(NaN);
  const max = new Float32Array(points * K).fill(NaN);
  const sum = new Float64Array(points * K);
  const count = new Float64Array(points);
  const gaps: SampleRange[] = [];
  for (const block of readRowBlocks(store, arrayId, start, end)) {
    const rows = block.rows;
    const nRows = rows.length / K;
    for (let t = 0; t < nRows; t++) {
      const sample = block.startRow + t;
      if (!Number.isFinite(rows[t * K]!)) {
        const last = gaps[gaps.length - 1];
        if (last && last.end === sample) last.end = sample + 1;
        else gaps.push({ start: sample, end: sample + 1 });
        continue;
      }
      const p = Math.floor((sample - start) / step);
      count[p] = count[p]! + 1;
      for (let k = 0; k < K; k++) {
        const v = rows[t * K + k]!;
        const o = p * K + k;
        if (!(min[o]! <= v)) min[o] = v;
        if (!(max[o]! >= v)) max[o] = v;
        sum[o] = sum[o]! + v;
      }
    }
  }
  const mean = new Float32Array(points * K);
  for (let p = 0; p < points; p++) {
    for (let k = 0; k < K; k++) mean[p * K + k] = count[p]! > 0 ? sum[p * K + k]! / count[p]! : NaN;
  }
  return {
    samplingRate,
    nSamples,
    nModes: K,
    startSample: start,
    endSample: end,
    step,
    min: encodeArray(min, [points, K]),
    max: encodeArray(max, [points, K]),
    mean: encodeArray(mean, [points, K]),
    gaps,
  };
}
