import { RpcError } from '../../../src-shared/rpc/errors';
import type { PartialHandlers } from '../../rpc/handlerRegistry';
import { countMissing, type MaskedSession } from '../../imputation/missingEntries';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type RunRecord } from '../../store/runRepository';
import type { EventBus } from '../eventBus';
import type { JobHandle, JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';
import {
  loadMaskedSessions,
  requireModelChannels,
  selectSessions,
  type GapSelection,
  type SelectedSessions,
} from './gapData';
import { evaluationPlan, runGapEvaluation } from './gapEvaluation';
import { loadGapModel, requireGapRun, type LoadedGapModel } from './gapModel';
import { createGapImputer } from './gapCompute';
import type { GapImputerChoice } from './gapWorkerProtocol';
import { fitStackingCurves, mergeStackingStatistics } from '../../imputation/stackingCalibration';
import type { StackingCurves } from '../../imputation/stackedImputation';
import {
  STACKING_CALIBRATION_ROUNDS,
  stackingCalibrationLengths,
  stackingCalibrationMargin,
} from './stackedGapImputation';
import { gapResults } from './gapListing';
import {
  DENOISED_KIND,
  EVALUATION_KIND,
  IMPUTATION_KINDS,
  replaceSessionResults,
  SOURCE_KIND,
  type ImputationSource,
  type SessionArrays,
} from './gapResults';
import { gapWindow } from './gapWindow';

export interface GapServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** Errors from the imputation modules carry a specific message for people: pass it on as bad input. */
function asRpcError(error: unknown): unknown {
  if (
    error instanceof Error &&
    ['ImputationInputError', 'StackingCalibrationError', 'DvaeTrainingError'].includes(error.name)
  )
    return new RpcError('INVALID_INPUT', error.message);
  return error;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

function withModel<T>(
  store: ProjectStore,
  runId: number,
  work: (m: LoadedGapModel) => Promise<T>,
): Promise<T> {
  return loadGapModel(store, runId).then(async (loaded) => {
    try {
      return await work(loaded);
    } catch (error) {
      throw asRpcError(error);
    } finally {
      loaded.dispose();
    }
  });
}

/** Per-session work with progress and cancellation between sessions; nothing is written here. */
async function perSession<T>(
  job: JobHandle,
  verb: string,
  sessions: readonly MaskedSession[],
  work: (s: MaskedSession, index: number) => T,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < sessions.length; i++) {
    job.throwIfCancelled();
    job.progress(`${verb} session ${i + 1} of ${sessions.length}`, i, sessions.length);
    await yieldToEvents();
    job.throwIfCancelled();
    out.push(work(sessions[i]!, i));
  }
  job.progress(`${verb} done`, sessions.length, sessions.length);
  return out;
}

/** Handlers for the `gaps.*` channels. */
export function gapHandlers(deps: GapServiceDeps): PartialHandlers {
  const { projects, jobs } = deps;

  const writableStore = (operation: string) => {
    const store = projects.require();
    store.assertWritable(operation);
    return store;
  };

  /** `usesModel` false: the sessions need not have the model's channels (the autoregressive and stacked imputers). */
  const prepare = (store: ProjectStore, runId: number, selection: GapSelection, usesModel = true) => {
    const run = requireGapRun(store, runId);
    const selected = selectSessions(store, run, selection);
    if (usesModel) requireModelChannels((run.config as { n_channels: number }).n_channels, selected, runId);
    return selected;
  };

  return {
    'gaps.impute': async (request) => {
      const store = writableStore('impute gaps');
      const selected = prepare(store, request.runId, request, request.imputer === 'model');
      const choice: GapImputerChoice =
        request.imputer === 'autoregressive'
          ? { kind: 'autoregressive', order: request.autoregressiveOrder }
          : request.imputer === 'stacked'
            ? {
                kind: 'stacked',
                order: request.autoregressiveOrder,
                contextSamples: Math.max(8, Math.round(selected.samplingRate)),
                calibrationLengths: stackingCalibrationLengths(selected.samplingRate),
                calibrationRounds: STACKING_CALIBRATION_ROUNDS,
                calibrationMarginSamples: stackingCalibrationMargin(selected.samplingRate),
              }
            : { kind: 'model' };
      return jobs.run('analyse', request.jobId, async (job) => {
        job.progress(choice.kind === 'model' ? 'loading the model and the data' : 'loading the data', 0, 0);
        const sessions = loadMaskedSessions(store, selected.refs);
        const withGaps = sessions.map((s) => countMissing(s) > 0);
        if (!withGaps.some(Boolean))
          throw new RpcError(
            'INVALID_INPUT',
            `the selected sessions of dataset ${selected.datasetId} have no gaps or missing values: there is nothing to impute`,
            { field: 'sessionIds' },
          );
        const imputer = await createGapImputer(store, request.runId, job.signal, choice);
        const method =
          choice.kind === 'model'
            ? ''
            : choice.kind === 'stacked'
              ? ` with the stacked GP + autoregressive imputer (order ${choice.order})`
              : ` with an autoregressive model of order ${choice.order}`;
        job.progress(
          `imputing${method} in ${imputer.where === 'worker' ? 'a worker thread' : 'this process'}`,
          0,
          0,
        );
        try {
          const chosen = sessions.filter((_, i) => withGaps[i]);
          const refs = selected.refs.filter((_, i) => withGaps[i]);
          let stackingCurves: StackingCurves | undefined;
          if (choice.kind === 'stacked') {
            // One pair of curves from every selected session's observed values.
            const statistics = [];
            for (let i = 0; i < sessions.length; i++) {
              job.throwIfCancelled();
              job.progress(`calibrating on session ${i + 1} of ${sessions.length}`, i, sessions.length);
              statistics.push(
                await imputer.calibrate(
                  sessions[i]!,
                  request.seed + 7919 * i,
                  `session ${selected.refs[i]!.sessionId}`,
                ),
              );
            }
            stackingCurves = fitStackingCurves(mergeStackingStatistics(statistics));
          }
          const options = {
            iterations: request.iterations,
            samples: request.samples,
            seed: request.seed,
            ...(stackingCurves ? { stackingCurves } : {}),
          };
          const results = [];
          for (let i = 0; i < chosen.length; i++) {
            job.throwIfCancelled();
            const report = (done: number, total: number) =>
              job.progress(
                `imputing session ${i + 1} of ${chosen.length}${total > 1 ? `, part ${done + 1} of ${total}` : ''}`,
                i * 1000 + Math.floor((1000 * done) / total),
                chosen.length * 1000,
              );
            report(0, 1);
            results.push(await imputer.impute(chosen[i]!, options, `session ${refs[i]!.sessionId}`, report));
          }
          job.progress('storing the imputations', chosen.length * 1000, chosen.length * 1000);
          const sets: SessionArrays[] = results.map((r, i) => ({
            sessionId: refs[i]!.sessionId,
            shape: [chosen[i]!.nSamples, chosen[i]!.nChannels],
            arrays: {
              imputed: r.imputed,
              imputation_mask: Float32Array.from(r.missing),
              ...(r.std ? { imputation_std: r.std } : {}),
            },
            values: {
              [SOURCE_KIND]: {
                datasetId: selected.datasetId,
                preparationId: selected.preparationId,
                samplingRate: selected.samplingRate,
                imputer: choice.kind,
                ...(choice.kind !== 'model' ? { autoregressiveOrder: choice.order } : {}),
                ...(stackingCurves ? { stackingCurves } : {}),
              } satisfies ImputationSource,
            },
          }));
          job.throwIfCancelled();
          replaceSessionResults(store, request.runId, IMPUTATION_KINDS, sets);
          store.appendAction({
            kind: 'gaps.impute',
            payload: { ...request, jobId: undefined },
            cli: `modescope gaps impute --project ${JSON.stringify(store.path)} --run ${request.runId}${selection(request)}${choice.kind !== 'model' ? ` --imputer ${choice.kind} --order ${choice.order}` : ` --iterations ${request.iterations}`} --samples ${request.samples} --seed ${request.seed}`,
          });
          return {
            runId: request.runId,
            sessions: sets.map((s, i) => ({
              sessionId: s.sessionId,
              nSamples: s.shape[0],
              nChannels: s.shape[1],
              missingValues: countMissing(chosen[i]!),
            })),
            skippedSessionIds: selected.refs.filter((_, i) => !withGaps[i]).map((r) => r.sessionId),
          };
        } catch (error) {
          throw asRpcError(error);
        } finally {
          imputer.dispose();
        }
      });
    },

    'gaps.denoise': async (request) => {
      const store = writableStore('denoise');
      const selected = prepare(store, request.runId, request);
      return jobs.run('analyse', request.jobId, async (job) => {
        job.progress('loading the model and the data', 0, 0);
        const sessions = loadMaskedSessions(store, selected.refs);
        return withModel(store, request.runId, async ({ model, kind }) => {
          const { denoiseSession } = await import('../../imputation/modelImputation');
          const outputs = await perSession(job, 'denoising', sessions, (s, i) =>
            denoiseSession(model, s, `session ${selected.refs[i]!.sessionId}`),
          );
          const sets: SessionArrays[] = outputs.map((denoised, i) => ({
            sessionId: selected.refs[i]!.sessionId,
            shape: [sessions[i]!.nSamples, sessions[i]!.nChannels],
            arrays: { [DENOISED_KIND]: denoised },
          }));
          job.throwIfCancelled();
          replaceSessionResults(store, request.runId, [DENOISED_KIND], sets);
          store.appendAction({
            kind: 'gaps.denoise',
            payload: { ...request, jobId: undefined },
            cli: `modescope gaps denoise --project ${JSON.stringify(store.path)} --run ${request.runId}${selection(request)}`,
          });
          return {
            runId: request.runId,
            mode: kind === 'vosp' ? ('online' as const) : ('offline' as const),
            sessions: sets.map((s, i) => ({
              sessionId: s.sessionId,
              nSamples: s.shape[0],
              nChannels: s.shape[1],
              missingValues: countMissing(sessions[i]!),
            })),
          };
        });
      });
    },

    'gaps.evaluate': async (request) => {
      const store = writableStore('evaluate imputation');
      const { jobId, ...settings } = request;
      const run = requireGapRun(store, settings.runId);
      const selected = prepare(store, settings.runId, settings);
      const sequenceLength = (run.config as { sequence_length: number }).sequence_length;
      const plan = evaluationPlan(settings, selected.samplingRate, sequenceLength);
      const calibrationRefs = trainingCalibrationRefs(store, run, selected);
      return jobs.run('evaluate', jobId, async (job) => {
        job.progress('loading the model and the data', 0, 0);
        const sessions = loadMaskedSessions(store, selected.refs);
        const calibrationSessions = loadMaskedSessions(store, calibrationRefs);
        const imputer = await createGapImputer(store, settings.runId, job.signal);
        const stacked = await createGapImputer(store, settings.runId, job.signal, {
          kind: 'stacked',
          order: settings.autoregressiveOrder,
          contextSamples: plan.contextSamples,
          calibrationLengths: plan.lengthsMs.map((ms) =>
            Math.max(1, Math.round((ms / 1000) * selected.samplingRate)),
          ),
          calibrationRounds: STACKING_CALIBRATION_ROUNDS,
          calibrationMarginSamples: plan.marginSamples,
        });
        try {
          const modelOptions = { iterations: settings.iterations, samples: 0, seed: settings.seed };
          const { table, stackingCurves } = await runGapEvaluation(
            async (s) => (await imputer.impute(s, modelOptions, 'held-out session', () => undefined)).imputed,
            stacked,
            calibrationSessions,
            sessions,
            settings,
            selected.samplingRate,
            plan,
            (stage, done, total) => job.progress(stage, done, total),
            () => job.throwIfCancelled(),
          );
          job.throwIfCancelled();
          const value = {
            settings,
            lengthsMs: plan.lengthsMs,
            perLength: plan.perLength,
            table,
            ...(stackingCurves ? { stackingCurves } : {}),
          };
          const saved = new RunRepository(store).saveResult(settings.runId, { kind: EVALUATION_KIND, value });
          store.appendAction({
            kind: 'gaps.evaluate',
            payload: settings,
            cli: `modescope gaps evaluate --project ${JSON.stringify(store.path)} --run ${settings.runId} --dataset ${settings.datasetId}${settings.preparationId ? ` --preparation ${settings.preparationId}` : ''} --sessions ${settings.sessionIds.join(',')} --gap-ms ${settings.gapLengthsMs.join('-')} --n-gaps ${settings.nGaps} --dropouts ${settings.singleChannelDropouts} --seed ${settings.seed}`,
          });
          return { ...value, id: saved.id, createdAt: saved.createdAt };
        } catch (error) {
          throw asRpcError(error);
        } finally {
          imputer.dispose();
          stacked.dispose();
        }
      });
    },

    'gaps.results': ({ runId }) => gapResults(projects.require(), runId),

    'gaps.window': (request) => {
      const store = projects.require();
      requireGapRun(store, request.runId);
      return gapWindow(store, request);
    },
  };
}

/** The run's own sessions the stacked imputer also calibrates on in an evaluation (at most this many). */
const MAX_TRAINING_CALIBRATION_SESSIONS = 8;

/**
 * Sessions of the run's own data that are not evaluated (typically those it was trained on), with
 * the evaluated sessions' channels and rate: the stacked imputer's curves are calibrated on their
 * observed values too, as the model learned from them. Empty when the run's data differs.
 */
function trainingCalibrationRefs(store: ProjectStore, run: RunRecord, evaluated: SelectedSessions) {
  const own = selectSessions(store, run, {});
  if (own.samplingRate !== evaluated.samplingRate) return [];
  const nChannels = evaluated.refs[0]?.nChannels;
  const skip = new Set(evaluated.refs.map((r) => r.sessionId));
  return own.refs
    .filter((r) => !skip.has(r.sessionId) && r.nChannels === nChannels)
    .slice(0, MAX_TRAINING_CALIBRATION_SESSIONS);
}

function selection(r: GapSelection): string {
  return `${r.datasetId !== undefined ? ` --dataset ${r.datasetId}` : ''}${r.preparationId !== undefined ? ` --preparation ${r.preparationId}` : ''}${r.sessionIds ? ` --sessions ${r.sessionIds.join(',')}` : ''}`;
}
