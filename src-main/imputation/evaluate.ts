/**
 * Imputation evaluation on data with known values: hide stretches (seeded), run every imputer on
 * the same masked sessions, and score the hidden entries only. The table is plain JSON: one row
 * per (kind, length) bucket plus an 'all' row per kind, with RMSE and MAE for every method.
 */
import type { Imputer } from './baselines';
import { hideStretches, type HiddenKind, type HiddenSession, type HideOptions } from './hideGaps';
import { validateMaskedSession, type MaskedSession } from './missingEntries';

export interface MethodScore {
  rmse: number;
  mae: number;
}

export interface EvaluationRow {
  kind: HiddenKind;
  /** null in the row that pools every length of that kind. */
  length_ms: number | null;
  n_stretches: number;
  n_values: number;
  methods: Record<string, MethodScore>;
}

export interface EvaluationTable {
  methods: string[];
  rows: EvaluationRow[];
}

interface Accumulator {
  n: number;
  sq: number;
  abs: number;
}

/**
 * The hidden sessions an evaluation with these options scores (the same seeds as
 * evaluateImputers), so a model can be trained on their observed values beforehand.
 */
export function hiddenSessionsFor(
  sessions: readonly MaskedSession[],
  hide: Omit<HideOptions, 'seed'> & { seed: number },
): HiddenSession[] {
  return sessions.map((s, i) => hideStretches(s, { ...hide, seed: hide.seed + 7919 * i }));
}

export async function evaluateImputers(
  sessions: readonly MaskedSession[],
  imputers: Record<string, Imputer>,
  hide: Omit<HideOptions, 'seed'> & { seed: number },
): Promise<{ table: EvaluationTable; hidden: HiddenSession[]; imputed: Record<string, Float32Array[]> }> {
  sessions.forEach((s, i) => validateMaskedSession(s, `session ${i}`));
  const hidden = hiddenSessionsFor(sessions, hide);
  const methods = Object.keys(imputers);
  const acc = new Map<string, Map<string, Accumulator>>();
  const bucketInfo = new Map<string, { kind: HiddenKind; length_ms: number | null; stretches: number }>();
  const key = (kind: HiddenKind, ms: number | null) => `${kind}:${ms ?? 'all'}`;
  for (const h of hidden)
    for (const st of h.hidden)
      for (const ms of [st.lengthMs, null]) {
        const k = key(st.kind, ms);
        const b = bucketInfo.get(k) ?? { kind: st.kind, length_ms: ms, stretches: 0 };
        b.stretches += 1;
        bucketInfo.set(k, b);
      }
  const imputed: Record<string, Float32Array[]> = {};
  for (const m of methods) {
    const perMethod = new Map<string, Accumulator>();
    acc.set(m, perMethod);
    imputed[m] = [];
    for (let si = 0; si < hidden.length; si++) {
      const h = hidden[si]!;
      const truth = sessions[si]!.data;
      const out = await imputers[m]!(h.session);
      if (out.length !== truth.length)
        throw new Error(`imputer '${m}' returned ${out.length} values for a session of ${truth.length}`);
      imputed[m]!.push(out);
      const C = h.session.nChannels;
      for (const st of h.hidden) {
        for (const k of [key(st.kind, st.lengthMs), key(st.kind, null)]) {
          const a = perMethod.get(k) ?? { n: 0, sq: 0, abs: 0 };
          for (let t = st.start; t < st.end; t++)
            for (let c = 0; c < C; c++) {
              if (st.channel !== null && c !== st.channel) continue;
              const e = out[t * C + c]! - truth[t * C + c]!;
              a.n += 1;
              a.sq += e * e;
              a.abs += Math.abs(e);
            }
          perMethod.set(k, a);
        }
      }
    }
  }
  const rows: EvaluationRow[] = [...bucketInfo.entries()]
    .sort(([, a], [, b]) =>
      a.kind !== b.kind
        ? a.kind.localeCompare(b.kind)
        : (a.length_ms ?? Infinity) - (b.length_ms ?? Infinity),
    )
    .map(([k, b]) => {
      const scores: Record<string, MethodScore> = {};
      let n = 0;
      for (const m of methods) {
        const a = acc.get(m)!.get(k)!;
        n = a.n;
        scores[m] = { rmse: Math.sqrt(a.sq / a.n), mae: a.abs / a.n };
      }
      return { kind: b.kind, length_ms: b.length_ms, n_stretches: b.stretches, n_values: n, methods: scores };
    });
  return { table: { methods, rows }, hidden, imputed };
}
