import { RpcError } from '../../../src-shared/rpc/errors';
import {
  AnalysisInputError,
  regressionSpectra,
  type RegressionSpectra,
  type RegressionSpectraOptions,
} from '../../analysis';
import { readRows } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { finiteRowRanges, packRows } from './finiteRows';
import type { RunContext } from './runContext';

/**
 * Mode power spectra (and coherences) by regressing windowed spectra on windowed α, per session,
 * as osl-dynamics' `regression_spectra`.
 *
 * Which data: a model trained on time-delay-embedded (tde, tde_pca) or amplitude-envelope data
 * has no spectrum of its own to regress, so, as osl-dynamics does with its un-embedded source
 * data, the dataset's unprepared channels are used, aligned to α by the samples the preparation
 * trimmed at the start. That needs α at the source rate: a preparation that resampled cannot be
 * aligned and gives no spectra. A model trained on data without those steps (raw, or only
 * standardised/filtered) is regressed on the data it was trained on.
 *
 * Settings (fixed, recorded with the result): windows of 2 s (at least 32 samples; shortened to a quarter of the
 * shortest session's finite samples when needed), a step of 0.08 s (osl-dynamics' tutorials use
 * 20 samples at 250 Hz) lengthened in long sessions so that a session has at most 4,000 windows
 * (the cost grows with windows × channels; the 2 s windows overlap heavily even then, so little
 * is lost), 0.5–45 Hz (capped at Nyquist), channels standardised, windows wholly inside the data. Coherences only for at most 16 channels (their size grows as C²).
 * Samples where α or the data are not finite (gaps) are dropped and the rest joined, so a window
 * across a joined gap mixes the two sides; gaps are rare and short in practice.
 */

export const MAX_COHERENCE_CHANNELS = 16;
export const MAX_WINDOWS_PER_SESSION = 4000;

const EMBEDDING_STEPS = new Set(['tde', 'tde_pca', 'amplitude_envelope']);

export interface SpectraSettings {
  windowLength: number;
  /** The step of the longest session (shorter sessions may use a shorter one, never below 0.08 s). */
  stepSize: number;
  frequencyRange: [number, number] | null;
}

export interface ModeSpectra {
  frequencies: Float64Array;
  channelNames: string[];
  /** [S, K, C, F] */
  psd: { shape: number[]; data: Float64Array };
  /** [S, K, C, C, F] */
  coh: { shape: number[]; data: Float64Array } | null;
  /** Which data was regressed, in words. */
  source: string;
  settings: SpectraSettings;
}

export type ModeSpectraOutcome = { spectra: ModeSpectra } | { spectra: null; reason: string };

interface SessionData {
  data: Float32Array;
  nChannels: number;
}

type DataPlan =
  | { kind: 'source'; describe: string }
  | { kind: 'training'; describe: string }
  | { kind: 'none'; reason: string };

function dataPlan(context: RunContext): DataPlan {
  const embedding = context.preparationSteps.filter((s) => EMBEDDING_STEPS.has(s));
  if (embedding.length === 0) {
    return context.run.preparationId === null
      ? { kind: 'source', describe: 'the unprepared data the model was trained on' }
      : { kind: 'training', describe: `the prepared data (${context.preparationSteps.join(', ')})` };
  }
  if (context.sessions.some((s) => s.sourceOffset === null)) {
    return {
      kind: 'none',
      reason: `the model was trained on ${embedding.join('/')} data resampled from ${context.sourceSamplingRate} Hz to ${context.samplingRate} Hz, so α cannot be aligned with the unprepared channels`,
    };
  }
  return {
    kind: 'source',
    describe: `the dataset's unprepared channels (the model saw them after ${context.preparationSteps.join(', ')})`,
  };
}

function sessionData(store: ProjectStore, context: RunContext, plan: DataPlan, index: number): SessionData {
  const session = context.sessions[index]!;
  if (plan.kind === 'training') {
    const output = new DatasetRepository(store)
      .preparationOutputs(context.run.preparationId!)
      .find((o) => o.sessionId === session.sessionId);
    if (!output)
      throw new AnalysisInputError('data', `session "${session.sessionName}" has no prepared array`);
    const data = Float32Array.from(readRows(store, output.arrayId, 0, session.nSamples));
    return { data, nChannels: data.length / session.nSamples };
  }
  const source = session.source;
  if (source.dataArrayId === null) {
    throw new AnalysisInputError('data', `session "${session.sessionName}" holds no data`);
  }
  const offset = session.sourceOffset ?? 0;
  const end = offset + session.nSamples;
  if (end > source.nSamples) {
    throw new AnalysisInputError(
      'data',
      `α of session "${session.sessionName}" (${session.nSamples} samples from ${offset}) runs past its ${source.nSamples} source samples`,
    );
  }
  const data = Float32Array.from(readRows(store, source.dataArrayId, offset, end));
  const nChannels = data.length / session.nSamples;
  if (source.gapMaskArrayId !== null) {
    const mask = readRows(store, source.gapMaskArrayId, offset, end);
    for (let t = 0; t < session.nSamples; t++) {
      if (mask[t]) data.fill(NaN, t * nChannels, (t + 1) * nChannels);
    }
  }
  return { data, nChannels };
}

/** The step for a session of `nValid` samples: 0.08 s, or longer to keep within the window cap. */
export function sessionStepSize(samplingRate: number, nValid: number): number {
  return Math.max(1, Math.round(0.08 * samplingRate), Math.ceil(nValid / MAX_WINDOWS_PER_SESSION));
}

export function spectraSettings(
  samplingRate: number,
  shortestValid: number,
  longestValid: number = shortestValid,
): SpectraSettings | null {
  // At low rates (envelopes) 2 s holds too few samples for a spectrum: at least 32 then.
  const windowLength = Math.min(Math.max(Math.round(2 * samplingRate), 32), Math.floor(shortestValid / 4));
  if (windowLength < 16) return null;
  const stepSize = sessionStepSize(samplingRate, longestValid);
  const nyquist = samplingRate / 2;
  const frequencyRange: [number, number] | null = nyquist > 1 ? [0.5, Math.min(45, nyquist)] : null;
  return { windowLength, stepSize, frequencyRange };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function computeModeSpectra(
  store: ProjectStore,
  context: RunContext,
  options: {
    signal?: AbortSignal;
    onProgress?: (fraction: number) => void;
    readAlpha: (index: number) => Float32Array;
    /** Where the regression runs (e.g. a worker thread, which takes over the arrays); default here. */
    regress?: (
      data: Float64Array,
      nChannels: number,
      alpha: Float64Array,
      nModes: number,
      options: RegressionSpectraOptions,
    ) => Promise<RegressionSpectra>;
  },
): Promise<ModeSpectraOutcome> {
  const regress = options.regress ?? ((d, c, a, k, o) => Promise.resolve(regressionSpectra(d, c, a, k, o)));
  const plan = dataPlan(context);
  if (plan.kind === 'none') return { spectra: null, reason: plan.reason };
  const K = context.nModes;
  const S = context.sessions.length;
  const packed: { alpha: Float64Array; data: Float64Array; nChannels: number }[] = [];
  for (let i = 0; i < S; i++) {
    // Reading and packing a long session is tens of milliseconds: one session per turn of the loop.
    if (i > 0) await yieldToEventLoop();
    if (options.signal?.aborted) throw new RpcError('CANCELLED', 'spectra cancelled');
    const alpha = options.readAlpha(i);
    let data: SessionData;
    try {
      data = sessionData(store, context, plan, i);
    } catch (error) {
      if (error instanceof AnalysisInputError) return { spectra: null, reason: error.message };
      throw error;
    }
    const ranges = finiteRowRanges([alpha, data.data], [K, data.nChannels]);
    packed.push({
      alpha: packRows(alpha, K, ranges),
      data: packRows(data.data, data.nChannels, ranges),
      nChannels: data.nChannels,
    });
  }
  const C = packed[0]!.nChannels;
  const lengths = packed.map((p) => p.alpha.length / K);
  const shortest = Math.min(...lengths);
  const settings = spectraSettings(context.samplingRate, shortest, Math.max(...lengths));
  if (!settings) {
    return {
      spectra: null,
      reason: `the shortest session has ${shortest} usable samples: too few for spectral windows at ${context.samplingRate} Hz`,
    };
  }
  const withCoherence = C <= MAX_COHERENCE_CHANNELS;
  let frequencies: Float64Array | null = null;
  let psd: Float64Array | null = null;
  let coh: Float64Array | null = null;
  for (let i = 0; i < S; i++) {
    await yieldToEventLoop();
    if (options.signal?.aborted) throw new RpcError('CANCELLED', 'spectra cancelled');
    const { alpha, data } = packed[i]!;
    const nValid = alpha.length / K;
    let result;
    try {
      result = await regress(data, C, alpha, K, {
        samplingRate: context.samplingRate,
        windowLength: settings.windowLength,
        stepSize: sessionStepSize(context.samplingRate, nValid),
        ...(settings.frequencyRange ? { frequencyRange: settings.frequencyRange } : {}),
        coherence: withCoherence,
      });
    } catch (error) {
      if (error instanceof AnalysisInputError) {
        return { spectra: null, reason: `session "${context.sessions[i]!.sessionName}": ${error.message}` };
      }
      throw error;
    }
    const F = result.frequencies.length;
    frequencies ??= result.frequencies;
    psd ??= new Float64Array(S * K * C * F);
    psd.set(result.psd, i * K * C * F);
    if (withCoherence && result.coherence) {
      coh ??= new Float64Array(S * K * C * C * F);
      coh.set(result.coherence, i * K * C * C * F);
    }
    options.onProgress?.((i + 1) / S);
  }
  const F = frequencies!.length;
  const channelNames = plan.kind === 'source' ? context.sourceChannelNames : context.channelNames;
  return {
    spectra: {
      frequencies: frequencies!,
      channelNames:
        channelNames.length === C ? channelNames : Array.from({ length: C }, (_, c) => `channel ${c + 1}`),
      psd: { shape: [S, K, C, F], data: psd! },
      coh: coh ? { shape: [S, K, C, C, F], data: coh } : null,
      source: plan.describe,
      settings,
    },
  };
}
