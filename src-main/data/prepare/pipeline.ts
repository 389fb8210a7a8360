/**
 * Runs a declared preparation pipeline over a dataset's sessions, step by step, as osl-dynamics'
 * `Data.prepare(methods)` does: every step sees the output of the previous one, or the original
 * data when its `use_raw` is true. Progress is reported per step and session; the AbortSignal is
 * checked between sessions (the loop yields to the event loop there, so an abort can arrive).
 *
 * Edges: tde, tde_pca and moving_average trim (n − 1)/2 samples at both ends of every session (as
 * osl-dynamics) and mark windows that touch a gap as missing; `info.sessionStartTimes` says where
 * each prepared session now starts, in seconds after the original start.
 */
import {
  checkPipelineAgainstData,
  parsePipeline,
  PipelineValidationError,
  type PreparationPipeline,
  type PreparationPipelineInput,
  type PreparationStep,
  type TimeSeriesSession,
} from '../../../src-shared/domain/preparation';
import { amplitudeEnvelopeSession } from './amplitudeEnvelope';
import { downsampleSession } from './downsample';
import { PreparationCancelledError, PreparationError } from './errors';
import { filterSession } from './filter';
import { movingAverageSession } from './movingAverage';
import {
  componentsToRows,
  groupCovariance,
  modelFromComponents,
  type PcaModel,
  pcaFromCovariance,
  projectSession,
} from './pca';
import { resolveChannels, selectChannels } from './select';
import { standardizeSession } from './standardize';
import { tdeChannelNames, tdeSession } from './tde';
import { tdePcaSessions } from './tdePca';

export interface PipelineProgress {
  stepIndex: number;
  stepName: PreparationStep['name'];
  nSteps: number;
  /** Overall completion in [0, 1]. */
  fraction: number;
  message: string;
}

export interface RunPipelineOptions {
  channelNames?: string[];
  onProgress?: (progress: PipelineProgress) => void;
  signal?: AbortSignal;
}

export interface PipelineInfo {
  /** Names of the prepared channels when they can be named (tde gives "C3[+7]" … "C3[-7]", PCA "PC1" …). */
  channelNames?: string[];
  samplingRate: number;
  /** Seconds between the original start of each session and its first prepared sample. */
  sessionStartTimes: number[];
  /** Indices (into the input) of the sessions that were kept. */
  sessionIndices: number[];
  /** From the last pca/tde_pca step. */
  explainedVariance?: number;
  /** nInputs rows × nComponents columns (osl-dynamics `pca_components`), from the last pca/tde_pca step. */
  pcaComponents?: number[][];
  nEmbeddings?: number;
}

export interface PipelineResult {
  sessions: TimeSeriesSession[];
  info: PipelineInfo;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkInput(sessions: TimeSeriesSession[]): void {
  if (sessions.length === 0) throw new PreparationError('no sessions to prepare');
  const first = sessions[0]!;
  sessions.forEach((s, i) => {
    if (s.nChannels < 1 || s.nSamples < 1)
      throw new PreparationError(`session ${i} has no channels or no samples`);
    if (s.data.length !== s.nSamples * s.nChannels) {
      throw new PreparationError(
        `session ${i}: data has ${s.data.length} values, expected ${s.nSamples} × ${s.nChannels}`,
      );
    }
    if (s.gapMask && s.gapMask.length !== s.nSamples) {
      throw new PreparationError(
        `session ${i}: gap mask has ${s.gapMask.length} entries, expected ${s.nSamples}`,
      );
    }
    if (s.nChannels !== first.nChannels) {
      throw new PreparationError(
        `session ${i} has ${s.nChannels} channels but session 0 has ${first.nChannels}`,
      );
    }
    if (s.samplingRate !== first.samplingRate) {
      throw new PreparationError(
        `session ${i} is sampled at ${s.samplingRate} Hz but session 0 at ${first.samplingRate} Hz`,
      );
    }
    for (let t = 0; t < s.nSamples; t++) {
      if (s.gapMask?.[t]) continue;
      for (let c = 0; c < s.nChannels; c++) {
        if (!Number.isFinite(s.data[t * s.nChannels + c]!)) {
          throw new PreparationError(
            `session ${i} has a non-finite value at sample ${t}, channel ${c}; mark such samples as gaps before preparing`,
          );
        }
      }
    }
  });
}

interface State {
  sessions: TimeSeriesSession[];
  names: string[] | undefined;
  startTimes: number[];
  sessionIndices: number[];
}

export async function runPipeline(
  inputSessions: TimeSeriesSession[],
  pipelineInput: PreparationPipeline | PreparationPipelineInput,
  options: RunPipelineOptions = {},
): Promise<PipelineResult> {
  const pipeline = parsePipeline(pipelineInput);
  checkInput(inputSessions);
  const { signal, onProgress } = options;
  const first = inputSessions[0]!;
  const issues = checkPipelineAgainstData(pipeline, {
    nChannels: first.nChannels,
    samplingRate: first.samplingRate,
    nSessions: inputSessions.length,
    ...(options.channelNames ? { channelNames: options.channelNames } : {}),
  });
  if (issues.length > 0) throw new PipelineValidationError(issues);

  const raw: State = {
    sessions: inputSessions,
    names: options.channelNames,
    startTimes: inputSessions.map(() => 0),
    sessionIndices: inputSessions.map((_, i) => i),
  };
  let state = raw;
  const info: Omit<PipelineInfo, 'channelNames' | 'samplingRate' | 'sessionStartTimes' | 'sessionIndices'> =
    {};
  const nSteps = pipeline.steps.length;

  for (let stepIndex = 0; stepIndex < nSteps; stepIndex++) {
    const step = pipeline.steps[stepIndex]!;
    const input = step.params.use_raw ? raw : state;
    const report = (done: number, message: string) =>
      onProgress?.({
        stepIndex,
        stepName: step.name,
        nSteps,
        fraction: (stepIndex + done) / nSteps,
        message,
      });
    const checkpoint = async () => {
      await yieldToEventLoop();
      if (signal?.aborted) throw new PreparationCancelledError();
    };
    await checkpoint();
    report(0, `${step.name}: starting`);
    const perSession = async (
      fn: (s: TimeSeriesSession) => TimeSeriesSession,
    ): Promise<TimeSeriesSession[]> => {
      const out: TimeSeriesSession[] = [];
      for (let i = 0; i < input.sessions.length; i++) {
        out.push(fn(input.sessions[i]!));
        report((i + 1) / input.sessions.length, `${step.name}: session ${i + 1} of ${input.sessions.length}`);
        await checkpoint();
      }
      return out;
    };
    const rate = input.sessions[0]!.samplingRate;
    let next: State = { ...input };
    try {
      next = await applyStep(step, input, rate, perSession, report, checkpoint, info);
    } catch (e) {
      if (e instanceof PreparationError || e instanceof PreparationCancelledError) throw e;
      if (e instanceof Error && /^(FilterDesignError|EigenConvergenceError|RangeError)$/.test(e.name)) {
        throw new PreparationError(`${step.name}: ${e.message}`);
      }
      throw e;
    }
    state = next;
    report(1, `${step.name}: done`);
  }

  return {
    sessions: state.sessions,
    info: {
      ...info,
      ...(state.names ? { channelNames: state.names } : {}),
      samplingRate: state.sessions[0]!.samplingRate,
      sessionStartTimes: state.startTimes,
      sessionIndices: state.sessionIndices,
    },
  };
}

async function applyStep(
  step: PreparationStep,
  input: State,
  rate: number,
  perSession: (fn: (s: TimeSeriesSession) => TimeSeriesSession) => Promise<TimeSeriesSession[]>,
  report: (done: number, message: string) => void,
  checkpoint: () => Promise<void>,
  info: Partial<PipelineInfo>,
): Promise<State> {
  const trimmed = (half: number) => input.startTimes.map((t) => t + half / rate);
  switch (step.name) {
    case 'standardize':
      return { ...input, sessions: await perSession(standardizeSession) };
    case 'filter':
      return { ...input, sessions: await perSession((s) => filterSession(s, step.params)) };
    case 'downsample':
      return { ...input, sessions: await perSession((s) => downsampleSession(s, step.params.freq)) };
    case 'amplitude_envelope':
      return { ...input, sessions: await perSession(amplitudeEnvelopeSession) };
    case 'moving_average': {
      const n = step.params.n_window;
      return {
        ...input,
        sessions: await perSession((s) => movingAverageSession(s, n)),
        startTimes: trimmed((n - 1) / 2),
      };
    }
    case 'tde': {
      const e = step.params.n_embeddings;
      info.nEmbeddings = e;
      return {
        ...input,
        sessions: await perSession((s) => tdeSession(s, e)),
        names: tdeChannelNames(input.names ?? defaultNames(input.sessions[0]!.nChannels), e),
        startTimes: trimmed((e - 1) / 2),
      };
    }
    case 'pca': {
      const standardised = await perSession(standardizeSession);
      let model: PcaModel;
      if (step.params.pca_components) {
        model = modelFromComponents(step.params.pca_components);
      } else {
        const { covariance, nValid } = groupCovariance(standardised);
        model = pcaFromCovariance(
          covariance,
          standardised[0]!.nChannels,
          nValid,
          step.params.n_pca_components!,
          step.params.whiten,
        );
      }
      await checkpoint();
      recordModel(info, model);
      const sessions: TimeSeriesSession[] = [];
      for (const s of standardised) {
        sessions.push(projectSession(s, model));
        await checkpoint();
      }
      return { ...input, sessions, names: componentNames(model.nComponents) };
    }
    case 'tde_pca': {
      const e = step.params.n_embeddings;
      const n = input.sessions.length;
      const { sessions, model } = await tdePcaSessions(input.sessions, {
        nEmbeddings: e,
        ...(step.params.n_pca_components !== undefined
          ? { nPcaComponents: step.params.n_pca_components }
          : {}),
        ...(step.params.pca_components ? { model: modelFromComponents(step.params.pca_components) } : {}),
        whiten: step.params.whiten,
        onSession: async (pass, i) => {
          const passes = step.params.pca_components ? 1 : 2;
          const done = step.params.pca_components ? (i + 1) / n : (pass * n + i + 1) / (2 * n);
          report(
            done,
            `tde_pca: ${pass === 0 && passes === 2 ? 'covariance' : 'projection'} of session ${i + 1} of ${n}`,
          );
          await checkpoint();
        },
      });
      info.nEmbeddings = e;
      recordModel(info, model);
      return {
        ...input,
        sessions,
        names: componentNames(model.nComponents),
        startTimes: trimmed((e - 1) / 2),
      };
    }
    case 'select': {
      let { sessions, startTimes, sessionIndices } = input;
      if (step.params.sessions) {
        const keep = step.params.sessions;
        keep.forEach((k) => {
          if (k >= sessions.length)
            throw new PreparationError(
              `select: session index ${k} is out of range (${sessions.length} sessions)`,
            );
        });
        sessions = keep.map((k) => sessions[k]!);
        startTimes = keep.map((k) => startTimes[k]!);
        sessionIndices = keep.map((k) => sessionIndices[k]!);
      }
      let names = input.names;
      if (step.params.channels) {
        const indices = resolveChannels(step.params.channels, sessions[0]!.nChannels, names);
        sessions = sessions.map((s) => selectChannels(s, indices));
        names = names ? indices.map((i) => names![i]!) : undefined;
      }
      report(1, 'select: done');
      return { sessions, names, startTimes, sessionIndices };
    }
  }
}

function recordModel(info: Partial<PipelineInfo>, model: PcaModel): void {
  info.pcaComponents = componentsToRows(model);
  if (model.explainedVariance !== undefined) info.explainedVariance = model.explainedVariance;
  else delete info.explainedVariance;
}

function defaultNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `ch${i}`);
}

function componentNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `PC${i + 1}`);
}
