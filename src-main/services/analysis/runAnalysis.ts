import { RpcError } from '../../../src-shared/rpc/errors';
import { AnalysisInputError } from '../../analysis';
import { arrayInfo, readArray } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type ResultRecord } from '../../store/runRepository';
import { createAnalysisCompute, type AnalysisCompute } from './analysisCompute';
import { computeModeSpectra, type SpectraSettings } from './modeSpectra';
import { loadRunContext, type RunContext } from './runContext';
import { NoValidSamplesError, type SessionSummary } from './sessionStates';

/**
 * Post-hoc analysis of a trained run, computed once and kept as results of the run (so deleting
 * the run deletes them, and a second call only reads):
 * - `alpha_reweighted` [T × K] per session: α · tr(D_k), renormalised (runs with covariances);
 * - `alpha_binarised` [T × K] per session: 0/1 states from a two-component Gaussian mixture on
 *   logit α per mode (osl-dynamics' `gmm_time_courses`), fitted to the reweighted α when there
 *   is one, else to raw α; NaN in gaps;
 * - `summary_stats` per session: fractional occupancy, mean lifetime (s), mean interval (s) and
 *   switching rate (Hz) of those states, with the thresholds;
 * - `spectra` (metadata, or why there are none), `spectra_psd` [S, K, C, F] and `spectra_coh`
 *   [S, K, C, C, F]: see modeSpectra.ts for which data is regressed.
 */

export const ANALYSIS_VERSION = 1;

export const analysisResultKinds = {
  reweighted: 'alpha_reweighted',
  binarised: 'alpha_binarised',
  summary: 'summary_stats',
  spectra: 'spectra',
  spectraPsd: 'spectra_psd',
  spectraCoh: 'spectra_coh',
} as const;

export interface RunAnalysis {
  runId: number;
  nModes: number;
  sessions: Array<{
    sessionId: number;
    sessionName: string;
    fractionalOccupancy: number[];
    meanLifetimeS: number[];
    meanIntervalS: number[];
    switchingRateHz: number[];
  }>;
  spectra: {
    frequencies: Float64Array;
    channelNames: string[];
    psd: { shape: number[]; data: Float64Array };
    coh: { shape: number[]; data: Float64Array } | null;
  } | null;
}

export interface AnalyseRunOptions {
  spectra?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** How the analysis was made, beside the numbers. */
export interface RunAnalysisNotes {
  samplingRate: number;
  binarisation: 'gmm';
  binarisedFrom: 'reweighted' | 'raw';
  hasReweighted: boolean;
  /** Per session, per mode: the smallest (reweighted or raw) α counted as on; null if never on. */
  thresholds: (number | null)[][];
  nValidSamples: number[];
  /** Which data the spectra regress, in words; null without spectra. */
  spectraSource: string | null;
  spectraSettings: SpectraSettings | null;
  /** Why there are no spectra, when they were asked for and could not be computed. */
  spectraUnavailable: string | null;
}

export interface DetailedRunAnalysis {
  analysis: RunAnalysis;
  notes: RunAnalysisNotes;
  context: RunContext;
}

interface StoredSummary extends SessionSummary {
  version: number;
  binarisedFrom: 'reweighted' | 'raw';
  thresholds: (number | null)[];
  nValidSamples: number;
}

interface StoredSpectraMeta {
  version: number;
  available: boolean;
  reason?: string;
  frequencies?: number[];
  channelNames?: string[];
  source?: string;
  settings?: SpectraSettings;
  coherence?: boolean;
}

function latest(records: ResultRecord[], sessionId: number | null): ResultRecord | undefined {
  const matching = records.filter((r) => r.sessionId === sessionId);
  return matching[matching.length - 1];
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RpcError('CANCELLED', 'analysis cancelled');
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One analysis per run at a time, so two callers never write the same results twice. */
const inFlight = new Map<string, Promise<unknown>>();

async function exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(work);
  inFlight.set(key, mine);
  try {
    return await mine;
  } finally {
    if (inFlight.get(key) === mine) inFlight.delete(key);
  }
}

function mapAnalysisError(error: unknown): unknown {
  if (error instanceof AnalysisInputError || error instanceof NoValidSamplesError) {
    return new RpcError('INVALID_INPUT', `cannot analyse this run: ${error.message}`, { field: 'runId' });
  }
  return error;
}

function readStoredSummaries(runs: RunRepository, context: RunContext): StoredSummary[] | null {
  const records = runs.results(context.run.id, { kind: analysisResultKinds.summary });
  const binarised = runs.results(context.run.id, { kind: analysisResultKinds.binarised });
  const out: StoredSummary[] = [];
  for (const s of context.sessions) {
    const value = latest(records, s.sessionId)?.value as StoredSummary | undefined;
    if (!value || value.version !== ANALYSIS_VERSION || !latest(binarised, s.sessionId)) return null;
    out.push(value);
  }
  return out;
}

async function computeSummaries(
  store: ProjectStore,
  context: RunContext,
  options: AnalyseRunOptions,
  progressShare: number,
  compute: AnalysisCompute,
): Promise<StoredSummary[]> {
  const runs = new RunRepository(store);
  const computed: { summary: StoredSummary; reweighted: Float32Array | null; binarised: Float32Array }[] = [];
  const K = context.nModes;
  for (const [i, session] of context.sessions.entries()) {
    await yieldToEventLoop();
    throwIfAborted(options.signal);
    const alpha = readArray(store, session.alphaArrayId) as Float32Array;
    const nSessions = context.sessions.length;
    const states = await compute.sessionStates(
      {
        alpha,
        nModes: K,
        covariances: context.covariances,
        samplingRate: context.samplingRate,
        sessionName: session.sessionName,
      },
      (done) => options.onProgress?.((progressShare * (i + done / K)) / nSessions),
    );
    computed.push({
      summary: {
        version: ANALYSIS_VERSION,
        ...states.summary,
        binarisedFrom: states.binarisedFrom,
        thresholds: states.thresholds,
        nValidSamples: states.nValidSamples,
      },
      reweighted: states.reweighted,
      binarised: states.binarised,
    });
    options.onProgress?.((progressShare * (i + 1)) / context.sessions.length);
  }
  throwIfAborted(options.signal);
  if (!store.readOnly) {
    store.transaction(() => {
      context.sessions.forEach((session, i) => {
        const c = computed[i]!;
        const n = session.nSamples;
        if (c.reweighted) {
          runs.saveResult(context.run.id, {
            kind: analysisResultKinds.reweighted,
            sessionId: session.sessionId,
            array: { dtype: 'float32', shape: [n, K], data: c.reweighted },
          });
        }
        runs.saveResult(context.run.id, {
          kind: analysisResultKinds.binarised,
          sessionId: session.sessionId,
          array: { dtype: 'float32', shape: [n, K], data: c.binarised },
        });
        runs.saveResult(context.run.id, {
          kind: analysisResultKinds.summary,
          sessionId: session.sessionId,
          value: c.summary,
        });
      });
    });
  }
  return computed.map((c) => c.summary);
}

type SpectraPart = { spectra: RunAnalysis['spectra']; meta: StoredSpectraMeta };

function readStoredSpectra(store: ProjectStore, runs: RunRepository, runId: number): SpectraPart | null {
  const meta = latest(runs.results(runId, { kind: analysisResultKinds.spectra }), null)?.value as
    StoredSpectraMeta | undefined;
  if (!meta || meta.version !== ANALYSIS_VERSION) return null;
  if (!meta.available) return { spectra: null, meta };
  const psdRecord = latest(runs.results(runId, { kind: analysisResultKinds.spectraPsd }), null);
  if (!psdRecord?.arrayId) return null;
  const cohRecord = meta.coherence
    ? latest(runs.results(runId, { kind: analysisResultKinds.spectraCoh }), null)
    : undefined;
  if (meta.coherence && !cohRecord?.arrayId) return null;
  const read = (arrayId: number) => {
    const data = readArray(store, arrayId);
    return Float64Array.from(data);
  };
  const shape = (arrayId: number) => arrayInfo(store, arrayId).shape;
  return {
    spectra: {
      frequencies: Float64Array.from(meta.frequencies ?? []),
      channelNames: meta.channelNames ?? [],
      psd: { shape: shape(psdRecord.arrayId), data: read(psdRecord.arrayId) },
      coh: cohRecord?.arrayId ? { shape: shape(cohRecord.arrayId), data: read(cohRecord.arrayId) } : null,
    },
    meta,
  };
}

async function computeSpectraPart(
  store: ProjectStore,
  context: RunContext,
  options: AnalyseRunOptions,
  progressFrom: number,
  compute: AnalysisCompute,
): Promise<SpectraPart> {
  const runs = new RunRepository(store);
  const outcome = await computeModeSpectra(store, context, {
    regress: (data, nChannels, alpha, nModes, settings) =>
      compute.spectra(data, nChannels, alpha, nModes, settings),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (f) => options.onProgress?.(progressFrom + (1 - progressFrom) * f),
    readAlpha: (i) => readArray(store, context.sessions[i]!.alphaArrayId) as Float32Array,
  });
  throwIfAborted(options.signal);
  const meta: StoredSpectraMeta = outcome.spectra
    ? {
        version: ANALYSIS_VERSION,
        available: true,
        frequencies: [...outcome.spectra.frequencies],
        channelNames: outcome.spectra.channelNames,
        source: outcome.spectra.source,
        settings: outcome.spectra.settings,
        coherence: outcome.spectra.coh !== null,
      }
    : { version: ANALYSIS_VERSION, available: false, reason: outcome.reason };
  if (!store.readOnly) {
    store.transaction(() => {
      const s = outcome.spectra;
      if (s) {
        runs.saveResult(context.run.id, {
          kind: analysisResultKinds.spectraPsd,
          array: { dtype: 'float64', shape: s.psd.shape, data: s.psd.data },
        });
        if (s.coh) {
          runs.saveResult(context.run.id, {
            kind: analysisResultKinds.spectraCoh,
            array: { dtype: 'float64', shape: s.coh.shape, data: s.coh.data },
          });
        }
      }
      runs.saveResult(context.run.id, { kind: analysisResultKinds.spectra, value: meta });
    });
  }
  const s = outcome.spectra;
  return {
    spectra: s ? { frequencies: s.frequencies, channelNames: s.channelNames, psd: s.psd, coh: s.coh } : null,
    meta,
  };
}

/** The analysis with how it was made; what the RPC handlers use. */
export async function analyseRunDetailed(
  store: ProjectStore,
  runId: number,
  options: AnalyseRunOptions = {},
): Promise<DetailedRunAnalysis> {
  return exclusively(`${store.path}#${runId}`, async () => {
    try {
      const context = loadRunContext(store, runId);
      const runs = new RunRepository(store);
      const wantSpectra = options.spectra ?? false;
      const storedSpectra = wantSpectra ? readStoredSpectra(store, runs, runId) : null;
      const statesShare = wantSpectra && !storedSpectra ? 0.4 : 1;
      const stored = readStoredSummaries(runs, context);
      const compute =
        !stored || (wantSpectra && !storedSpectra) ? createAnalysisCompute(options.signal) : null;
      let summaries: StoredSummary[];
      let spectraPart: SpectraPart | null;
      try {
        summaries = stored ?? (await computeSummaries(store, context, options, statesShare, compute!));
        options.onProgress?.(statesShare);
        spectraPart = wantSpectra
          ? (storedSpectra ?? (await computeSpectraPart(store, context, options, statesShare, compute!)))
          : null;
      } finally {
        compute?.dispose();
      }
      options.onProgress?.(1);
      const analysis: RunAnalysis = {
        runId,
        nModes: context.nModes,
        sessions: context.sessions.map((s, i) => ({
          sessionId: s.sessionId,
          sessionName: s.sessionName,
          fractionalOccupancy: summaries[i]!.fractionalOccupancy,
          meanLifetimeS: summaries[i]!.meanLifetimeS,
          meanIntervalS: summaries[i]!.meanIntervalS,
          switchingRateHz: summaries[i]!.switchingRateHz,
        })),
        spectra: spectraPart?.spectra ?? null,
      };
      const meta = spectraPart?.meta;
      const notes: RunAnalysisNotes = {
        samplingRate: context.samplingRate,
        binarisation: 'gmm',
        binarisedFrom: summaries[0]!.binarisedFrom,
        hasReweighted: context.covariances !== null,
        thresholds: summaries.map((s) => s.thresholds),
        nValidSamples: summaries.map((s) => s.nValidSamples),
        spectraSource: meta?.available ? (meta.source ?? null) : null,
        spectraSettings: meta?.available ? (meta.settings ?? null) : null,
        spectraUnavailable: meta && !meta.available ? (meta.reason ?? 'unavailable') : null,
      };
      return { analysis, notes, context };
    } catch (error) {
      throw mapAnalysisError(error);
    }
  });
}

/**
 * Summary statistics per session (on GMM-binarised α, see above) and, with `spectra: true`, mode
 * spectra; null spectra when not asked for or when they cannot be computed (the reason is in
 * `analyseRunDetailed`'s notes and in the stored `spectra` result).
 */
export async function analyseRun(
  store: ProjectStore,
  runId: number,
  options?: { spectra?: boolean; signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<RunAnalysis> {
  return (await analyseRunDetailed(store, runId, options)).analysis;
}
