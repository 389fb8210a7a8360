import { gapModelKinds, type GapModelKind } from '../../../src-shared/domain/run';
import { parseVospConfig } from '../../../src-shared/models/vosp';
import { parseVraeConfig } from '../../../src-shared/models/vrae';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { LatentSequenceModel } from '../../engine/models/dvae/sequenceModel';
import { readArray } from '../../store/arrayStore';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository, type RunRecord } from '../../store/runRepository';
import { unpackWeights, type WeightLayoutEntry } from '../../training/models/dvae';

/**
 * A trained VRAE/VOSP rebuilt in the services process from its stored results (the flat weights
 * and their layout), for imputation and denoising. The engine is loaded on first use only.
 */

export interface LoadedGapModel {
  run: RunRecord;
  kind: GapModelKind;
  model: LatentSequenceModel;
  dispose(): void;
}

let engineReady: Promise<unknown> | null = null;

function startEngine(): Promise<unknown> {
  engineReady ??= import('../../engine/backend').then(({ initEngineBackend }) => {
    const max = process.env.MODESCOPE_MAX_BACKEND;
    return initEngineBackend(
      max === 'tensorflow' || max === 'wasm' || max === 'cpu' ? { maxBackend: max } : {},
    );
  });
  return engineReady;
}

export function requireGapRun(store: ProjectStore, runId: number): RunRecord & { modelKind: GapModelKind } {
  const run = new RunRepository(store).get(runId);
  if (!(gapModelKinds as readonly string[]).includes(run.modelKind))
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} is a ${run.modelKind} run; imputation and denoising need a VRAE or VOSP run`,
      { field: 'runId', modelKind: run.modelKind },
    );
  return run as RunRecord & { modelKind: GapModelKind };
}

/** What rebuilds a trained model anywhere (this process or a worker thread): plain data. */
export interface GapModelSpec {
  kind: GapModelKind;
  config: unknown;
  weights: Float32Array;
  layout: WeightLayoutEntry[];
}

export function readGapModelSpec(store: ProjectStore, runId: number): { run: RunRecord; spec: GapModelSpec } {
  const run = requireGapRun(store, runId);
  const runs = new RunRepository(store);
  const weights = runs.results(runId, { kind: 'weights' }).find((r) => r.arrayId !== null);
  const layout = runs.results(runId, { kind: 'weights_layout' })[0]?.value as WeightLayoutEntry[] | undefined;
  if (!weights || !layout)
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} is ${run.status} and has no trained weights yet; finish (or resume) its training first`,
      { field: 'runId', status: run.status },
    );
  const flat = readArray(store, weights.arrayId!);
  if (!(flat instanceof Float32Array))
    throw new RpcError('INTERNAL', `run ${runId}: the stored weights are not float32`);
  return { run, spec: { kind: run.modelKind, config: run.config, weights: flat, layout } };
}

export async function buildGapModel(spec: GapModelSpec, label: string): Promise<LatentSequenceModel> {
  await startEngine();
  const model =
    spec.kind === 'vrae'
      ? new (await import('../../engine/models/vrae')).VraeModel(parseVraeConfig(spec.config))
      : new (await import('../../engine/models/vosp')).VospModel(parseVospConfig(spec.config));
  try {
    model.params.setWeights(unpackWeights(spec.weights, spec.layout));
  } catch (error) {
    model.params.dispose();
    throw new RpcError(
      'INVALID_INPUT',
      `${label}: the stored weights do not fit its model configuration (${(error as Error).message})`,
      { field: 'runId' },
    );
  }
  return model;
}

export async function loadGapModel(store: ProjectStore, runId: number): Promise<LoadedGapModel> {
  const { run, spec } = readGapModelSpec(store, runId);
  const model = await buildGapModel(spec, `run ${runId}`);
  return { run, kind: spec.kind, model, dispose: () => model.params.dispose() };
}
