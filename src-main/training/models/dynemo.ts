import {
  checkDynemoConfigAgainstData,
  DynemoConfigError,
  parseDynemoConfig,
  type DynemoConfig,
} from '../../../src-shared/models/dynemo';
import type { DynemoTrainerState, EpochRecord } from '../../engine/models/dynemo';
import {
  CheckpointDoesNotFitError,
  DivergedError,
  ModelConfigError,
  type ModelOutputs,
  type ModelTrainer,
  type TrainingModel,
} from './trainingModel';

/** DyNeMo for the training process: the engine's DynemoTrainer behind the generic interface. */

function asConfigError(error: unknown): unknown {
  return error instanceof DynemoConfigError ? new ModelConfigError(error.issues) : error;
}

/** Engine errors the process reports by kind; matched by name so this file loads no engine code eagerly. */
function asTrainerError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'TrainingDivergedError') return new DivergedError(error.message);
  if (error.name === 'CheckpointMismatchError') return new CheckpointDoesNotFitError(error.message);
  return asConfigError(error);
}

function plannedEpochs(c: DynemoConfig): number {
  const init = c.init_method === 'random_subset' && c.n_init > 0 ? c.n_init * c.n_init_epochs : 0;
  return c.best_of * (init + c.n_epochs);
}

function label(c: DynemoConfig, r: EpochRecord): string {
  const run = c.best_of > 1 ? `run ${r.run + 1}/${c.best_of} ` : '';
  return r.phase === 'init'
    ? `${run}init ${(r.init ?? 0) + 1}/${c.n_init} epoch ${r.epoch + 1}/${c.n_init_epochs}`
    : `${run}epoch ${r.epoch + 1}/${c.n_epochs}`;
}

export const dynemoTrainingModel: TrainingModel = {
  kind: 'dynemo',

  parseConfig(config) {
    try {
      const parsed = parseDynemoConfig(config);
      return { config: parsed as unknown as Record<string, unknown>, seed: parsed.seed };
    } catch (error) {
      throw asConfigError(error);
    }
  },

  checkData(config, data) {
    try {
      checkDynemoConfigAgainstData(parseDynemoConfig(config), data);
    } catch (error) {
      throw asConfigError(error);
    }
  },

  async createTrainer(config, sessions, hooks): Promise<ModelTrainer> {
    const engine = await import('../../engine/models/dynemo');
    const c = parseDynemoConfig(config);
    let trainer: InstanceType<typeof engine.DynemoTrainer>;
    try {
      trainer = new engine.DynemoTrainer(c, sessions, {
        signal: hooks.signal,
        maxNanRetries: hooks.maxNanRetries,
        onBatch: (b) =>
          hooks.onBatch({
            epoch: trainer.getState().history.length,
            batch: b.batch,
            nBatches: b.n_batches,
            loss: b.loss,
            nll: b.nll,
            kl: b.kl,
            klFactor: b.kl_factor,
            lr: b.lr,
          }),
        onEpoch: (r, state) =>
          hooks.onEpoch(
            {
              index: state.history.length - 1,
              label: label(c, r),
              phase: r.phase,
              loss: r.loss,
              nll: r.nll,
              kl: r.kl,
              klFactor: r.kl_factor,
              lr: r.lr,
            },
            state,
          ),
        onNan: (r) =>
          hooks.onNan(
            r.action === 'retry'
              ? `${r.reason}: restored the last checkpoint and lowered the learning rate to ${r.new_lr}`
              : `${r.reason}: dropped initialisation ${(r.init ?? 0) + 1}`,
            r.new_lr,
          ),
        onInitEnd: (r) =>
          hooks.onLog(
            'info',
            `initialisation ${r.init + 1}/${c.n_init}: loss ${r.loss ?? 'not finite'}${r.chosen ? ' (best so far)' : ''}`,
          ),
        onRunEnd: (r) =>
          hooks.onLog('info', `run ${r.run + 1}/${c.best_of}: free energy ${r.free_energy.free_energy}`),
      });
    } catch (error) {
      throw asTrainerError(error);
    }
    return {
      plannedEpochs: plannedEpochs(c),
      restore(state) {
        try {
          trainer.setState(state as DynemoTrainerState);
        } catch (error) {
          throw asTrainerError(error);
        }
      },
      async train() {
        try {
          return (await trainer.train()).status;
        } catch (error) {
          throw asTrainerError(error);
        }
      },
      outputs(): ModelOutputs {
        const out = trainer.outputs();
        const K = c.n_modes;
        const C = c.n_channels;
        const perSession = (kind: string, arrays: Float32Array[]) =>
          arrays.map((data, session) => ({ kind, session, shape: [data.length / K, K], data }));
        return {
          arrays: [
            ...perSession('alpha', out.alpha),
            ...perSession('theta_mean', out.theta_mean),
            ...perSession('theta_std', out.theta_std),
            { kind: 'means', session: null, shape: [K, C], data: out.means },
            { kind: 'covariances', session: null, shape: [K, C, C], data: out.covariances },
          ],
          values: [
            { kind: 'free_energy', value: out.free_energy },
            { kind: 'alpha_temperature', value: out.alpha_temperature },
            { kind: 'history', value: out.history },
          ],
          freeEnergy: out.free_energy.free_energy,
        };
      },
      dispose() {
        trainer.dispose();
      },
    };
  },
};
