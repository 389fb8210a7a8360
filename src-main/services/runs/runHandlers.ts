import type { RunSummary } from '../../../src-shared/domain/run';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { PartialHandlers } from '../../rpc/handlerRegistry';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import { decodeCheckpoint } from '../../training/checkpointCodec';
import { trainingModel } from '../../training/models';
import { ModelConfigError, type TrainingModel } from '../../training/models/trainingModel';
import { longestGapFreeStretch, resolveTrainingData, type TrainingData } from '../../training/trainingData';
import { TrainingSupervisor, type SupervisorOptions } from '../../training/trainingSupervisor';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';
import { resultArrayWindow } from './resultArrays';
import { epochHistory, resultSummaries, runDetail, runSummary } from './runSummaries';

export interface RunServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
  /** Supervisor settings; unset fields come from the environment (see `supervisorOptionsFromEnv`). */
  supervisor?: Partial<SupervisorOptions>;
}

/**
 * Knobs for where the training process comes from and what it may use: MODESCOPE_TRAINER_ENTRY
 * (a bundled trainingProcess, for tests and development) and MODESCOPE_MAX_BACKEND (e.g. 'cpu').
 */
export function supervisorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SupervisorOptions> {
  const backend = env.MODESCOPE_MAX_BACKEND;
  return {
    ...(env.MODESCOPE_TRAINER_ENTRY ? { entryPath: env.MODESCOPE_TRAINER_ENTRY } : {}),
    ...(backend === 'tensorflow' || backend === 'wasm' || backend === 'cpu' ? { maxBackend: backend } : {}),
  };
}

function configError(error: unknown): unknown {
  if (!(error instanceof ModelConfigError)) return error;
  return new RpcError('INVALID_INPUT', `invalid model config: ${error.message}`, {
    field: error.issues[0]?.path ? `config.${error.issues[0].path}` : 'config',
    issues: error.issues,
  });
}

/** Parses the config (defaults filled, n_channels taken from the data when left out) and checks it against the data. */
function validatedConfig(
  store: ProjectStore,
  model: TrainingModel,
  config: Record<string, unknown>,
  data: TrainingData,
): { config: Record<string, unknown>; seed: number } {
  try {
    const parsed = model.parseConfig({ n_channels: data.sessions[0]!.nChannels, ...config });
    model.checkData(parsed.config, {
      nChannels: data.sessions[0]!.nChannels,
      longestSegment: longestGapFreeStretch(store, data.sessions),
    });
    return parsed;
  } catch (error) {
    throw configError(error);
  }
}

export function runHandlers(deps: RunServiceDeps): PartialHandlers {
  const { projects, jobs, events } = deps;
  const supervisor = new TrainingSupervisor({ events, ...supervisorOptionsFromEnv(), ...deps.supervisor });
  /** Job id of each run training in this process. */
  const runJobs = new Map<number, string>();

  const writableStore = (operation: string) => {
    const store = projects.require();
    store.assertWritable(operation);
    return store;
  };

  events.onAny((event) => {
    const store = projects.current;
    if (event === 'project.opened' && store && !store.readOnly) {
      // Nothing trains for this project yet, so a 'running' run belongs to a process that is gone.
      for (const runId of new RunRepository(store).markOrphansInterrupted()) {
        events.emit('run.status', {
          runId,
          status: 'interrupted',
          message: 'the app stopped while this run was training; it can resume from its last checkpoint',
        });
      }
    }
    if (event === 'project.closed') supervisor.dispose();
  });

  /** Starts the process as a job; resolves with the summary once the engine runs. */
  const launch = async (
    store: ProjectStore,
    runId: number,
    data: TrainingData,
    checkpoint: unknown,
    jobId: string | undefined,
  ): Promise<RunSummary> => {
    const run = new RunRepository(store).get(runId);
    await new Promise<void>((resolveReady, rejectReady) => {
      jobs
        .run('train', jobId, async (job) => {
          const handle = supervisor.start({
            store,
            runId,
            modelKind: run.modelKind,
            config: run.config as Record<string, unknown>,
            sessions: data.sessions,
            dataSignature: data.signature,
            checkpoint,
            signal: job.signal,
            onProgress: (stage, done, total) => job.progress(stage, done, total),
          });
          runJobs.set(runId, job.jobId);
          job.progress('starting the training process', 0, 0);
          handle.ready.then(resolveReady, rejectReady);
          try {
            const outcome = await handle.finished;
            if (outcome.status === 'cancelled')
              throw new RpcError('CANCELLED', `run ${runId} cancelled`, { runId });
            if (outcome.status !== 'completed')
              throw new RpcError('INTERNAL', outcome.message ?? `run ${runId} ${outcome.status}`, { runId });
            return outcome;
          } finally {
            runJobs.delete(runId);
          }
        })
        .catch((error: unknown) => rejectReady(error instanceof Error ? error : new Error(String(error))));
    });
    return runSummary(store, new RunRepository(store).get(runId));
  };

  const handlers: PartialHandlers = {
    'runs.start': async ({ jobId, datasetId, preparationId, modelKind, config, name }) => {
      const store = writableStore('start training');
      const model = trainingModel(modelKind);
      const data = resolveTrainingData(store, datasetId, preparationId ?? null);
      const parsed = validatedConfig(store, model, config, data);
      const run = new RunRepository(store).create({
        datasetId,
        preparationId: preparationId ?? null,
        label: name ?? null,
        modelKind,
        config: parsed.config,
        seed: parsed.seed,
      });
      store.appendAction({
        kind: 'runs.start',
        payload: {
          runId: run.id,
          datasetId,
          preparationId: preparationId ?? null,
          modelKind,
          config: parsed.config,
        },
        cli: `modescope train --project ${JSON.stringify(store.path)} --dataset ${datasetId}${preparationId ? ` --preparation ${preparationId}` : ''} --config <config of run ${run.id}>`,
      });
      events.emit('run.status', { runId: run.id, status: 'queued' });
      return launch(store, run.id, data, null, jobId);
    },

    'runs.resume': async ({ runId, jobId }) => {
      const store = writableStore('resume training');
      const runs = new RunRepository(store);
      const run = runs.get(runId);
      if (supervisor.isActive(runId))
        throw new RpcError('ALREADY_EXISTS', `run ${runId} is already training`, { runId });
      if (!['cancelled', 'interrupted', 'failed'].includes(run.status)) {
        throw new RpcError(
          'INVALID_INPUT',
          `run ${runId} is ${run.status}; only a cancelled, interrupted or failed run can resume`,
          {
            field: 'runId',
            status: run.status,
          },
        );
      }
      const data = resolveTrainingData(store, run.datasetId, run.preparationId);
      const latest = runs.latestCheckpoint(runId);
      let state: unknown = null;
      if (latest) {
        const decoded = decodeCheckpoint(latest);
        if (decoded.extra.dataSignature !== data.signature) {
          throw new RpcError(
            'INVALID_INPUT',
            `the ${run.preparationId !== null ? `preparation ${run.preparationId}` : `dataset ${run.datasetId}`} changed after run ${runId}'s checkpoint of epoch ${latest.epoch} was saved; resuming would mix data. Start a new run instead.`,
            { field: 'runId', reason: 'DATA_CHANGED' },
          );
        }
        state = decoded.state;
      }
      store.appendAction({
        kind: 'runs.resume',
        payload: { runId },
        cli: `modescope train --project ${JSON.stringify(store.path)} --resume ${runId}`,
      });
      return launch(store, runId, data, state, jobId);
    },

    'runs.cancel': ({ runId }) => {
      new RunRepository(projects.require()).get(runId);
      const jobId = runJobs.get(runId);
      return { cancelled: jobId !== undefined && jobs.cancel(jobId) };
    },

    'runs.list': () => {
      const store = projects.require();
      return new RunRepository(store).list().map((r) => runSummary(store, r));
    },

    'runs.get': ({ runId }) => {
      const store = projects.require();
      return runDetail(store, new RunRepository(store).get(runId));
    },

    'runs.metrics': ({ runId, sinceEpoch }) => {
      const store = projects.require();
      new RunRepository(store).get(runId);
      return { epochs: epochHistory(store, runId, sinceEpoch), batches: supervisor.recentBatches(runId) };
    },

    'runs.delete': ({ runId }) => {
      const store = writableStore('delete a run');
      if (supervisor.isActive(runId))
        throw new RpcError('INVALID_INPUT', `run ${runId} is training: cancel it first`, { field: 'runId' });
      new RunRepository(store).delete(runId);
      store.appendAction({ kind: 'runs.delete', payload: { runId } });
      return { deleted: true };
    },

    'runs.results': ({ runId }) => {
      const store = projects.require();
      new RunRepository(store).get(runId);
      return resultSummaries(store, runId);
    },

    'runs.resultArray': (request) => resultArrayWindow(projects.require(), request),
  };
  return handlers;
}
