import { decodeArray } from '../../../src-shared/domain/encodedArray';
import type {
  GapEvaluation,
  GapEvaluationTable,
  GapSessionResult,
  GapStretch,
  GapWindow,
} from '../../../src-shared/rpc/channels/gaps';
import type { EnvelopeWindow } from '../../charts/envelope';

/**
 * What the Gaps view draws, as plain data: a served gaps window becomes an envelope window of the
 * observed signal (what the windowed chart driver expects) carrying the imputed envelope and the
 * uncertainty band of the same channel; the band becomes polygons, one per stretch of buckets
 * that have a band; the evaluation table becomes bar values.
 */
export interface GapEnvelopeWindow extends EnvelopeWindow {
  /** Imputed values of the channel: bucket min/max, NaN where nothing was imputed. */
  imputed: { min: Float32Array; max: Float32Array };
  /** Band edges, NaN outside gaps; null without uncertainty. */
  band: { lower: Float32Array; upper: Float32Array } | null;
  /** The denoised signal of the channel, when asked for and stored. */
  denoised: { min: Float32Array; max: Float32Array } | null;
}

function channelColumn(data: Float32Array | Float64Array, points: number, stride: number, k: number) {
  const out = new Float32Array(points);
  for (let p = 0; p < points; p++) out[p] = data[p * stride + k]!;
  return out;
}

/** One channel of a served window (k: its index among the window's channels). */
export function gapWindowToEnvelope(w: GapWindow, k: number): GapEnvelopeWindow {
  const stride = w.channels.length;
  const points = w.observedMin.shape[0]!;
  const col = (e: GapWindow['observedMin']) =>
    channelColumn(decodeArray(e) as Float32Array, points, stride, k);
  const channel = w.channels[k]!;
  return {
    startSample: w.startRow,
    endSample: w.endRow,
    step: w.step,
    nChannels: 1,
    min: col(w.observedMin),
    max: col(w.observedMax),
    gaps: w.gaps.filter((g) => g.channel === null || g.channel === channel).map((g) => ({ ...g })),
    imputed: { min: col(w.imputedMin), max: col(w.imputedMax) },
    band: w.lower && w.upper ? { lower: col(w.lower), upper: col(w.upper) } : null,
    denoised: w.denoisedMin && w.denoisedMax ? { min: col(w.denoisedMin), max: col(w.denoisedMax) } : null,
  };
}

/**
 * The band as closed outlines in [seconds, value]: along the upper edge and back along the lower
 * one, for every run of consecutive buckets that have a band. A decimated bucket spans
 * [t, t + step), so the outline steps with the buckets; undecimated samples are joined directly.
 */
export function bandPolygons(w: GapEnvelopeWindow, samplingRate: number): number[][][] {
  if (!w.band) return [];
  const { lower, upper } = w.band;
  const out: number[][][] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const top: number[][] = [];
    const bottom: number[][] = [];
    for (const p of run) {
      const t0 = (w.startSample + p * w.step) / samplingRate;
      if (w.step === 1) {
        // One sample per point: join the samples as the traces do.
        top.push([t0, upper[p]!]);
        bottom.push([t0, lower[p]!]);
        continue;
      }
      const t1 = Math.min(w.endSample, w.startSample + (p + 1) * w.step) / samplingRate;
      top.push([t0, upper[p]!], [t1, upper[p]!]);
      bottom.push([t0, lower[p]!], [t1, lower[p]!]);
    }
    out.push([...top, ...bottom.reverse()]);
    run = [];
  };
  for (let p = 0; p < lower.length; p++) {
    if (Number.isFinite(lower[p]) && Number.isFinite(upper[p])) run.push(p);
    else flush();
  }
  flush();
  return out;
}

/** The window to show for one gap: the gap with as much context on each side as it is long (at least 0.5 s). */
export function gapZoomRange(
  gap: Pick<GapStretch, 'start' | 'end'>,
  nSamples: number,
  samplingRate: number,
): { start: number; end: number } {
  const pad = Math.max(gap.end - gap.start, Math.round(samplingRate / 2));
  return { start: Math.max(0, gap.start - pad), end: Math.min(nSamples, gap.end + pad) };
}

export function formatGap(g: GapStretch, samplingRate: number, channelNames: readonly string[]): string {
  const ms = ((g.end - g.start) / samplingRate) * 1000;
  const where = g.channel === null ? 'all channels' : (channelNames[g.channel] ?? `channel ${g.channel + 1}`);
  return `${(g.start / samplingRate).toFixed(3)} s · ${ms >= 10 ? ms.toFixed(0) : ms.toPrecision(2)} ms · ${where}`;
}

export type ScoreName = 'rmse' | 'mae';

/** Bars for one pooled row (all lengths of a kind): one value per method, in the table's order. */
export function evaluationBars(
  table: GapEvaluationTable,
  kind: 'gap' | 'channel_dropout',
  score: ScoreName,
): { labels: string[]; values: number[] } | null {
  const row = table.rows.find((r) => r.kind === kind && r.length_ms === null);
  if (!row) return null;
  return {
    labels: table.methods.map(methodLabel),
    values: table.methods.map((m) => row.methods[m]?.[score] ?? Number.NaN),
  };
}

const METHOD_LABELS: Record<string, string> = {
  model: 'Model',
  linear: 'Linear',
  locf: 'LOCF',
  channel_mean: 'Channel mean',
  gp: 'Per-channel GP',
  autoregressive: 'Multichannel AR',
  stacked: 'Stacked GP + AR',
};

export function methodLabel(method: string): string {
  return METHOD_LABELS[method] ?? method;
}

/** The best (lowest) method of a row, for highlighting. */
export function bestMethod(methods: Record<string, { rmse: number }>): string | null {
  let best: string | null = null;
  for (const [m, s] of Object.entries(methods))
    if (Number.isFinite(s.rmse) && (best === null || s.rmse < methods[best]!.rmse)) best = m;
  return best;
}

/** The y range that holds every series of the window (observed, imputed, band), with a margin. */
export function valueExtent(w: GapEnvelopeWindow): { min: number; max: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  const scan = (a: Float32Array) => {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  for (const a of [w.min, w.max, w.imputed.min, w.imputed.max]) scan(a);
  if (w.band) for (const a of [w.band.lower, w.band.upper]) scan(a);
  if (w.denoised) for (const a of [w.denoised.min, w.denoised.max]) scan(a);
  if (!(hi >= lo)) return null;
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-6, Math.abs(hi) * 0.05);
  return { min: lo - pad, max: hi + pad };
}

/** The session's arrays that can be exported, with labels for people. */
export function exportKinds(
  s: Pick<GapSessionResult, 'hasUncertainty' | 'hasDenoised'>,
): { kind: string; label: string }[] {
  return [
    { kind: 'imputed', label: 'Imputed signal' },
    { kind: 'imputation_mask', label: 'Missing mask (1 = imputed)' },
    ...(s.hasUncertainty ? [{ kind: 'imputation_std', label: 'Uncertainty (posterior std)' }] : []),
    ...(s.hasDenoised ? [{ kind: 'denoised', label: 'Denoised signal' }] : []),
  ];
}

/** Next to the project file: run<id>_session<id>_<kind>.<format>. */
export function suggestedExportPath(
  projectPath: string,
  runId: number,
  sessionId: number,
  kind: string,
  format: string,
): string {
  const cut = Math.max(projectPath.lastIndexOf('/'), projectPath.lastIndexOf('\\'));
  const folder = cut >= 0 ? projectPath.slice(0, cut + 1) : '';
  return `${folder}run${runId}_session${sessionId}_${kind}.${format}`;
}

type StackingCurves = NonNullable<GapEvaluation['stackingCurves']>;

/**
 * The stacked imputer's calibrated curves in words: the GP's share at the gap's edge and where it
 * passes one half and nine tenths (samples from the nearest observed one).
 */
export function stackingSummary(curves: StackingCurves): string {
  const describe = (c: StackingCurves['gap']) => {
    const at = (d: number) => 1 / (1 + Math.exp(-(c.intercept + c.slope * d)));
    const pct = (v: number) => `${Math.round(100 * v)} %`;
    const reach = (share: number) => {
      const logit = Math.log(share / (1 - share));
      if (at(0) >= share) return 'at the edge';
      if (c.slope <= 0) return 'never';
      return `at ${Math.ceil((logit - c.intercept) / c.slope)} samples`;
    };
    if (c.slope <= 0) return `${pct(at(0))} throughout`;
    return `${pct(at(0))} at the edge, half ${reach(0.5)}, 90 % ${reach(0.9)}`;
  };
  const dropout = curves.dropout.values > 0 ? describe(curves.dropout) : 'as for gaps (not calibrated)';
  return `Stacked imputer, the GP's share of the fill: all-channel gaps ${describe(curves.gap)}; where other channels are observed ${dropout}.`;
}
