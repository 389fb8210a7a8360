import type { GapImputerKind, GapStretch } from '../../../src-shared/rpc/channels/gaps';
import { readRowBlocks, arrayInfo } from '../../store/arrayStore';
import type { StackingCurves } from '../../imputation/stackedImputation';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type ResultRecord } from '../../store/runRepository';

/**
 * Per-session gap results of a run: `imputed` (observed values where observed), `imputation_mask`
 * (1 where the value was missing), `imputation_std` (posterior spread at missing values) and
 * `denoised`, each a float32 [samples, channels] array. A new result set replaces the old one for
 * the same sessions in one transaction, so readers see either the old set or the new one.
 */
export const IMPUTATION_KINDS = [
  'imputed',
  'imputation_mask',
  'imputation_std',
  'imputation_source',
] as const;
/** Per-session JSON written with an imputation: where the data came from and its rate. */
export const SOURCE_KIND = 'imputation_source';

export interface ImputationSource {
  datasetId: number;
  preparationId: number | null;
  samplingRate: number;
  /** Absent in sets stored before the choice existed: those are the model's. */
  imputer?: GapImputerKind;
  autoregressiveOrder?: number;
  /** The 'stacked' imputer's calibrated curves. */
  stackingCurves?: StackingCurves;
}
export const DENOISED_KIND = 'denoised';
export const EVALUATION_KIND = 'gap_evaluation';

export interface SessionArrays {
  sessionId: number;
  shape: [number, number];
  arrays: Record<string, Float32Array>;
  /** Small JSON results of the same set (stored under their kind). */
  values?: Record<string, unknown>;
}

export function replaceSessionResults(
  store: ProjectStore,
  runId: number,
  kinds: readonly string[],
  sessions: readonly SessionArrays[],
): void {
  const runs = new RunRepository(store);
  store.transaction(() => {
    const sessionIds = new Set(sessions.map((s) => s.sessionId));
    const remove = store.db.prepare('DELETE FROM results WHERE id = ?');
    for (const kind of kinds)
      for (const r of runs.results(runId, { kind }))
        if (r.sessionId !== null && sessionIds.has(r.sessionId)) remove.run(r.id);
    for (const s of sessions)
      for (const kind of kinds) {
        const data = s.arrays[kind];
        const value = s.values?.[kind];
        if (data)
          runs.saveResult(runId, {
            kind,
            sessionId: s.sessionId,
            array: { dtype: 'float32', shape: s.shape, data },
          });
        else if (value !== undefined) runs.saveResult(runId, { kind, sessionId: s.sessionId, value });
      }
  });
}

/** The stored JSON result of one kind for a session, or undefined. */
export function sessionValue(store: ProjectStore, runId: number, kind: string, sessionId: number): unknown {
  return new RunRepository(store).results(runId, { kind }).find((r) => r.sessionId === sessionId)?.value;
}

/** The session's array result of one kind, or undefined. */
export function sessionResult(
  store: ProjectStore,
  runId: number,
  kind: string,
  sessionId: number,
): ResultRecord | undefined {
  return new RunRepository(store)
    .results(runId, { kind })
    .find((r) => r.sessionId === sessionId && r.arrayId !== null);
}

/**
 * Missing stretches of a stored [T × C] mask: runs where every channel is missing (channel null),
 * then per-channel runs outside those, in time order, at most `limit`.
 */
export function maskStretches(
  store: ProjectStore,
  maskArrayId: number,
  start = 0,
  end?: number,
  limit = 1000,
): { stretches: GapStretch[]; truncated: boolean; missingValues: number } {
  const info = arrayInfo(store, maskArrayId);
  const C = info.rowLength;
  const stop = Math.min(end ?? info.nRows, info.nRows);
  const out: GapStretch[] = [];
  let truncated = false;
  let missingValues = 0;
  let allStart = -1;
  const channelStart = new Int32Array(C).fill(-1);
  const push = (s: GapStretch) => {
    if (out.length < limit) out.push(s);
    else truncated = true;
  };
  const step = (t: number, row: ArrayLike<number> | null, offset: number) => {
    let all = row !== null;
    for (let c = 0; c < C && all; c++) all = row![offset + c] !== 0;
    if (all && allStart < 0) allStart = t;
    if (!all && allStart >= 0) {
      push({ start: allStart, end: t, channel: null });
      allStart = -1;
    }
    for (let c = 0; c < C; c++) {
      const m = row !== null && !all && row[offset + c] !== 0;
      if (m && channelStart[c]! < 0) channelStart[c] = t;
      if (!m && channelStart[c]! >= 0) {
        push({ start: channelStart[c]!, end: t, channel: c });
        channelStart[c] = -1;
      }
    }
  };
  if (stop > start)
    for (const block of readRowBlocks(store, maskArrayId, start, stop)) {
      const n = block.rows.length / C;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < C; c++) missingValues += block.rows[r * C + c] !== 0 ? 1 : 0;
        step(block.startRow + r, block.rows, r * C);
      }
    }
  step(stop, null, 0);
  out.sort((a, b) => a.start - b.start || (a.channel ?? -1) - (b.channel ?? -1));
  return { stretches: out, truncated, missingValues };
}
