import { encodeArray, type EncodedArray } from '../../../src-shared/domain/encodedArray';
import type { ResultArrayRequest } from '../../../src-shared/domain/run';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readRowBlocks, readRows } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';

/**
 * A window of a stored result array for the renderer. With `maxPoints`, axis 0 is cut into
 * buckets and each bucket becomes two rows, its minimum then its maximum per column (NaN, as in
 * gaps, is skipped; an all-NaN bucket stays NaN), so a zoomed-out α time course keeps its peaks.
 */

export interface ResultWindow {
  array: EncodedArray;
  startRow: number;
  endRow: number;
  decimation: 'none' | 'minmax';
}

export function resultArrayWindow(store: ProjectStore, request: ResultArrayRequest): ResultWindow {
  const runs = new RunRepository(store);
  runs.get(request.runId);
  const matches = runs
    .results(request.runId, { kind: request.kind })
    .filter(
      (r) => r.arrayId !== null && (request.sessionId === undefined || r.sessionId === request.sessionId),
    );
  if (matches.length === 0) {
    throw new RpcError(
      'NOT_FOUND',
      `run ${request.runId} has no array result "${request.kind}"${request.sessionId !== undefined ? ` for session ${request.sessionId}` : ''}`,
      { runId: request.runId, kind: request.kind, sessionId: request.sessionId ?? null },
    );
  }
  if (matches.length > 1) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${request.runId} has "${request.kind}" for several sessions: name one`,
      {
        field: 'sessionId',
      },
    );
  }
  const info = arrayInfo(store, matches[0]!.arrayId!);
  const start = request.startRow ?? 0;
  const end = Math.min(request.endRow ?? info.nRows, info.nRows);
  if (start >= end && info.nRows > 0) {
    throw new RpcError('INVALID_INPUT', `startRow ${start} is past the array's ${info.nRows} rows`, {
      field: 'startRow',
    });
  }
  const rows = end - start;
  const width = info.rowLength;
  if (request.maxPoints === undefined || rows <= request.maxPoints) {
    const data = readRows(store, info.id, start, end);
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new RpcError('INTERNAL', `result ${request.kind} is ${info.dtype}, not a float array`);
    }
    return {
      array: encodeArray(data, [rows, ...info.rowShape]),
      startRow: start,
      endRow: end,
      decimation: 'none',
    };
  }
  const buckets = Math.max(1, Math.floor(request.maxPoints / 2));
  const out = new Float64Array(buckets * 2 * width).fill(NaN);
  for (const block of readRowBlocks(store, info.id, start, end)) {
    const n = block.rows.length / width;
    for (let r = 0; r < n; r++) {
      const bucket = Math.min(buckets - 1, Math.floor(((block.startRow + r - start) * buckets) / rows));
      const lo = bucket * 2 * width;
      const hi = lo + width;
      for (let c = 0; c < width; c++) {
        const v = block.rows[r * width + c]!;
        if (Number.isNaN(v)) continue;
        if (!(out[lo + c]! <= v)) out[lo + c] = v;
        if (!(out[hi + c]! >= v)) out[hi + c] = v;
      }
    }
  }
  const data = info.dtype === 'float64' ? out : Float32Array.from(out);
  return {
    array: encodeArray(data, [buckets * 2, ...info.rowShape]),
    startRow: start,
    endRow: end,
    decimation: 'minmax',
  };
}
