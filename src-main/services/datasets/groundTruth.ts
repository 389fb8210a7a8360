import type { GroundTruth } from '../../../src-shared/domain/dataset';
import { encodeArray, type EncodedTypedArray } from '../../../src-shared/domain/encodedArray';
import { RpcError } from '../../../src-shared/rpc/errors';
import { arrayInfo, readArray } from '../../store/arrayStore';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import { truthRoles } from './simulateDataset';

/** The stored ground truth of one session of a simulated dataset, as encoded arrays. */
export function readGroundTruth(store: ProjectStore, datasetId: number, sessionId: number): GroundTruth {
  const repo = new DatasetRepository(store);
  const dataset = repo.get(datasetId);
  const session = repo.session(sessionId);
  if (session.datasetId !== datasetId) {
    throw new RpcError('NOT_FOUND', `session ${sessionId} is not part of dataset ${datasetId}`, {
      datasetId,
      sessionId,
    });
  }
  const rows = repo.datasetArrays({ datasetId });
  const specRow = rows.find((r) => r.role === truthRoles.spec && r.sessionId === null);
  if (!specRow) {
    throw new RpcError('NOT_FOUND', `dataset "${dataset.name}" is not simulated: it has no ground truth`, {
      datasetId,
    });
  }
  const find = (role: string, perSession: boolean) =>
    rows.find((r) => r.role === role && r.sessionId === (perSession ? sessionId : null));
  const encoded = (role: string, perSession: boolean) => {
    const row = find(role, perSession);
    if (!row || row.arrayId === null) return null;
    const info = arrayInfo(store, row.arrayId);
    return encodeArray(readArray(store, row.arrayId) as EncodedTypedArray, info.shape);
  };
  const required = (role: string, perSession: boolean) => {
    const value = encoded(role, perSession);
    if (!value)
      throw new RpcError('PROJECT_CORRUPT', `ground truth ${role} of dataset ${datasetId} is missing`);
    return value;
  };
  const numbers = (role: string) => {
    const value = find(role, true)?.value;
    return Array.isArray(value) ? (value as number[]) : null;
  };
  const spec = specRow.value as { kind?: unknown };
  const means = required(truthRoles.means, false);
  return {
    datasetId,
    sessionId,
    kind: String(spec.kind),
    spec: specRow.value,
    nModes: means.shape[0]!,
    nChannels: means.shape[1]!,
    alpha: required(truthRoles.alpha, true),
    states: encoded(truthRoles.states, true),
    means,
    covariances: required(truthRoles.covariances, false),
    transProb: encoded(truthRoles.transProb, false),
    logits: encoded(truthRoles.logits, true),
    lifetimes: numbers(truthRoles.lifetimes),
    phases: numbers(truthRoles.phases),
  };
}
