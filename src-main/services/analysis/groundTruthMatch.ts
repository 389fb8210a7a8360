import { decodeArray } from '../../../src-shared/domain/encodedArray';
import type { GroundTruthMatch } from '../../../src-shared/rpc/channels/analysis';
import { isRpcError, RpcError } from '../../../src-shared/rpc/errors';
import { alphaCorrelation, argmaxBinarise, dice, reorderModes } from '../../analysis';
import { readArray } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import { readGroundTruth } from '../datasets/groundTruth';
import { countRows, finiteRowRanges, packRows, unpackRows } from './finiteRows';
import { loadRunContext } from './runContext';

/**
 * How well a run on a simulated dataset recovered the simulation: estimated modes are paired with
 * ground-truth modes by maximum total correlation of raw α over all sessions (osl-dynamics'
 * `match_modes`), the paired correlations are reported, and Dice compares the argmax states of
 * the estimate and of the truth (osl-dynamics' simulation tutorials compare argmax time courses).
 * The ground truth, aligned to α's rows (a tde preparation trims samples at the start) and with its
 * modes reordered to the estimate's, is kept as the run result `ground_truth_alpha` per session so
 * the Modes view can draw it beside the estimate.
 */

export const GROUND_TRUTH_VERSION = 1;
export const groundTruthKinds = { alpha: 'ground_truth_alpha', match: 'ground_truth_match' } as const;

type StoredMatch = GroundTruthMatch & { version: number };

export function hasGroundTruth(store: ProjectStore, datasetId: number): boolean {
  return new DatasetRepository(store)
    .datasetArrays({ datasetId })
    .some((r) => r.role === 'simulation.spec' && r.sessionId === null);
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function matchGroundTruth(store: ProjectStore, runId: number): GroundTruthMatch {
  const context = loadRunContext(store, runId);
  const runs = new RunRepository(store);
  const cached = runs.results(runId, { kind: groundTruthKinds.match }).pop()?.value as
    StoredMatch | undefined;
  const storedSessions = new Set(
    runs.results(runId, { kind: groundTruthKinds.alpha }).map((r) => r.sessionId),
  );
  if (
    cached?.version === GROUND_TRUTH_VERSION &&
    context.sessions.every((s) => storedSessions.has(s.sessionId))
  ) {
    const { version: _version, ...match } = cached;
    return match;
  }
  const datasetId = context.run.datasetId;
  const dataset = new DatasetRepository(store).get(datasetId);
  if (!hasGroundTruth(store, datasetId)) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} was trained on dataset "${dataset.name}", which is not a simulation: there is no ground truth to match`,
      { field: 'runId', datasetId },
    );
  }
  const K = context.nModes;
  const sessions = context.sessions.map((session) => {
    if (session.sourceOffset === null) {
      throw new RpcError(
        'INVALID_INPUT',
        `run ${runId}'s α is at ${context.samplingRate} Hz but the simulation at ${context.sourceSamplingRate} Hz: the ground truth cannot be aligned`,
        { field: 'runId' },
      );
    }
    let truth;
    try {
      truth = readGroundTruth(store, datasetId, session.sessionId);
    } catch (error) {
      if (isRpcError(error) && error.code === 'NOT_FOUND') {
        throw new RpcError('INVALID_INPUT', `no ground truth for run ${runId}: ${error.message}`, {
          field: 'runId',
        });
      }
      throw error;
    }
    const truthModes = truth.alpha.shape[1] ?? 0;
    if (truthModes !== K) {
      throw new RpcError(
        'INVALID_INPUT',
        `run ${runId} has ${K} modes but the simulation has ${truthModes}: modes can only be matched one to one`,
        { field: 'runId', nModes: K, truthModes },
      );
    }
    const truthAlpha = decodeArray(truth.alpha);
    const offset = session.sourceOffset;
    if ((offset + session.nSamples) * K > truthAlpha.length) {
      throw new RpcError(
        'INVALID_INPUT',
        `the ground truth of session "${session.sessionName}" is shorter than α`,
        {
          field: 'runId',
        },
      );
    }
    const aligned = truthAlpha.subarray(offset * K, (offset + session.nSamples) * K);
    const alpha = readArray(store, session.alphaArrayId) as Float32Array;
    const ranges = finiteRowRanges([alpha, aligned], [K, K]);
    const truthKind = String((truth.spec as { kind?: unknown } | null)?.kind ?? 'simulation');
    return { session, alpha, aligned, ranges, truthKind };
  });
  const nCompared = sessions.reduce((n, s) => n + countRows(s.ranges), 0);
  if (nCompared < 2) {
    throw new RpcError('INVALID_INPUT', `run ${runId} has too few finite α samples to compare`, {
      field: 'runId',
    });
  }
  const estimate = new Float64Array(nCompared * K);
  const truth = new Float64Array(nCompared * K);
  let offset = 0;
  for (const s of sessions) {
    const e = packRows(s.alpha, K, s.ranges);
    estimate.set(e, offset);
    truth.set(packRows(s.aligned, K, s.ranges), offset);
    offset += e.length;
  }
  const correlation = alphaCorrelation(estimate, truth, K);
  const order = Array.from(correlation.order);
  const truthModeOf = new Array<number>(K);
  order.forEach((j, k) => (truthModeOf[j] = k));
  const scores = dice(argmaxBinarise(reorderModes(estimate, K, order), K), argmaxBinarise(truth, K), K);
  const match: GroundTruthMatch = {
    runId,
    nModes: K,
    truthKind: sessions[0]!.truthKind,
    order,
    truthModeOf,
    correlation: truthModeOf.map((k) => finiteOrNull(correlation.perMode[k]!)),
    meanCorrelation: finiteOrNull(correlation.mean),
    dice: truthModeOf.map((k) => scores.perMode[k]!),
    diceOverall: scores.overall,
    nSamples: estimate.length / K,
  };
  if (!store.readOnly) {
    store.transaction(() => {
      for (const s of sessions) {
        const packed = packRows(s.aligned, K, s.ranges);
        const reordered = packed.length > 0 ? reorderModes(packed, K, truthModeOf) : packed;
        runs.saveResult(runId, {
          kind: groundTruthKinds.alpha,
          sessionId: s.session.sessionId,
          array: {
            dtype: 'float32',
            shape: [s.session.nSamples, K],
            data: unpackRows(reordered, K, s.ranges, s.session.nSamples),
          },
        });
      }
      runs.saveResult(runId, {
        kind: groundTruthKinds.match,
        value: { ...match, version: GROUND_TRUTH_VERSION },
      });
    });
  }
  return match;
}
