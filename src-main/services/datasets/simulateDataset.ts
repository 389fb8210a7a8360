import type { SimulationSpec } from '../../../src-shared/domain/simulation';
import { simulate } from '../../data/simulate/simulate';
import { writeArray } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import type { JobHandle } from '../jobRegistry';
import { datasetError } from './errors';
import { assertNameFree } from './importRecordings';
import { SIMULATION_FORMAT } from './summaries';

/** Roles of the ground-truth rows in dataset_arrays. */
export const truthRoles = {
  spec: 'simulation.spec',
  means: 'truth.means',
  covariances: 'truth.covariances',
  transProb: 'truth.trans_prob',
  alpha: 'truth.alpha',
  states: 'truth.states',
  logits: 'truth.logits',
  lifetimes: 'truth.lifetimes',
  phases: 'truth.phases',
} as const;

/**
 * Simulates a dataset and stores it like an import (one session per simulated session, format
 * 'simulation', an all-zero gap mask) together with its ground truth, all in one transaction.
 */
export async function simulateDataset(
  store: ProjectStore,
  request: { name: string; spec: SimulationSpec },
  job: JobHandle,
): Promise<number> {
  const repo = new DatasetRepository(store);
  try {
    assertNameFree(repo, request.name);
    job.progress(`simulating ${request.spec.kind}`, 0, 3);
    // Let a cancel or a progress event through before the (synchronous) simulation starts.
    await new Promise<void>((r) => setImmediate(r));
    job.throwIfCancelled();
    const { spec, sessions, truth } = simulate(request.spec);
    job.progress('storing', 2, 3);
    await new Promise<void>((r) => setImmediate(r));
    job.throwIfCancelled();
    const nModes = truth.nModes;
    const nChannels = truth.nChannels;
    const datasetId = store.transaction(() => {
      const dataset = repo.create({
        name: request.name,
        format: SIMULATION_FORMAT,
        samplingRateHz: spec.sampling_frequency,
        channels: Array.from({ length: nChannels }, (_, i) => ({
          name: `ch${i + 1}`,
          type: 'misc',
          unit: '',
        })),
        notes: `${spec.kind} simulation, seed ${spec.seed}`,
      });
      const id = dataset.id;
      const put = (
        role: string,
        data: Float32Array | Float64Array | Int32Array,
        shape: number[],
        sessionId?: number,
      ) => {
        const arrayId = writeArray(store, { name: role, dtype: dtypeOf(data), shape, data });
        repo.addDatasetArray({ datasetId: id, sessionId: sessionId ?? null, role, arrayId });
      };
      repo.addDatasetArray({ datasetId: id, role: truthRoles.spec, value: spec });
      put(truthRoles.means, truth.means, [nModes, nChannels]);
      put(truthRoles.covariances, truth.covariances, [nModes, nChannels, nChannels]);
      if (truth.transProb) put(truthRoles.transProb, truth.transProb, [nModes, nModes]);
      sessions.forEach((s, k) => {
        const dataArrayId = writeArray(store, {
          name: `simulation:${k}`,
          dtype: 'float32',
          shape: [s.nSamples, s.nChannels],
          data: s.data,
        });
        const gapMaskArrayId = writeArray(store, {
          name: `simulation:${k}:gaps`,
          dtype: 'uint8',
          shape: [s.nSamples],
          data: new Uint8Array(s.nSamples),
        });
        const session = repo.addSession(id, {
          label: `session ${k + 1}`,
          sourcePath: `simulation:${spec.kind}`,
          nSamples: s.nSamples,
          dataArrayId,
          gapMaskArrayId,
          nGapSamples: 0,
        });
        put(truthRoles.alpha, truth.alpha[k]!, [s.nSamples, nModes], session.id);
        if (truth.states) put(truthRoles.states, truth.states[k]!, [s.nSamples], session.id);
        if (truth.logits) put(truthRoles.logits, truth.logits[k]!, [s.nSamples, nModes], session.id);
        if (truth.lifetimes)
          repo.addDatasetArray({
            datasetId: id,
            sessionId: session.id,
            role: truthRoles.lifetimes,
            value: truth.lifetimes[k],
          });
        if (truth.phases)
          repo.addDatasetArray({
            datasetId: id,
            sessionId: session.id,
            role: truthRoles.phases,
            value: truth.phases[k],
          });
      });
      store.appendAction({
        kind: 'datasets.simulate',
        payload: { name: request.name, spec, datasetId: id },
        cli: `modescope simulate --project <project> --name '${request.name.replace(/'/g, "'\\''")}' --spec <spec.json>`,
      });
      return id;
    });
    job.progress('done', 3, 3);
    return datasetId;
  } catch (error) {
    throw datasetError(error);
  }
}

function dtypeOf(data: Float32Array | Float64Array | Int32Array): 'float32' | 'float64' | 'int32' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}
