import { stat } from 'node:fs/promises';
import type {
  ExportResultArrayRequest,
  ExportResultArrayResponse,
} from '../../../src-shared/rpc/channels/exports';
import { RpcError } from '../../../src-shared/rpc/errors';
import { defaultColumnNames, writeCsv } from '../../export/csvWriter';
import { writeMat } from '../../export/matWriter';
import { toMatVariableName } from '../../export/matVariableName';
import { writeNpy } from '../../export/npyWriter';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import { exportRpcError } from './exportErrors';
import { writeFileAtomically } from './exportTarget';
import { storedExportArray } from './storedExportArray';

/** Per-time-point results get named columns; anything else is named by index. */
const PER_MODE_KINDS = new Set(['alpha', 'theta_mean', 'theta_std', 'alpha_reweighted', 'alpha_binarised']);

/** Writes one stored array result of a run (α of a session, means, covariances, …) to a file. */
export async function exportResultArray(
  store: ProjectStore,
  request: ExportResultArrayRequest,
): Promise<ExportResultArrayResponse> {
  const runs = new RunRepository(store);
  runs.get(request.runId);
  const arrays = runs.results(request.runId).filter((r) => r.arrayId !== null);
  const ofKind = arrays.filter((r) => r.kind === request.kind);
  if (ofKind.length === 0) {
    const kinds = [...new Set(arrays.map((r) => r.kind))].sort();
    throw new RpcError(
      'NOT_FOUND',
      `run ${request.runId} has no array result "${request.kind}"${kinds.length ? ` (it has: ${kinds.join(', ')})` : ''}`,
      { field: 'kind', kind: request.kind },
    );
  }
  const matches =
    request.sessionId === undefined ? ofKind : ofKind.filter((r) => r.sessionId === request.sessionId);
  if (matches.length === 0) {
    throw new RpcError(
      'NOT_FOUND',
      `run ${request.runId} has no "${request.kind}" for session ${request.sessionId}`,
      { field: 'sessionId' },
    );
  }
  if (matches.length > 1) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${request.runId} has "${request.kind}" for ${matches.length} sessions: name one with sessionId`,
      { field: 'sessionId', sessionIds: matches.map((r) => r.sessionId) },
    );
  }
  const array = storedExportArray(store, matches[0]!.arrayId!);
  try {
    await writeFileAtomically(request.path, request.overwrite ?? false, async (temporary) => {
      switch (request.format) {
        case 'npy':
          return writeNpy(temporary, array);
        case 'mat':
          return writeMat(temporary, [{ name: toMatVariableName(request.kind), array }]);
        case 'csv': {
          const perMode = PER_MODE_KINDS.has(request.kind) && array.shape.length === 2;
          const names = perMode
            ? Array.from({ length: array.shape[1]! }, (_, k) => `mode_${k + 1}`)
            : defaultColumnNames(array.shape, `${request.kind}_`);
          return writeCsv(temporary, array, { names });
        }
      }
    });
  } catch (error) {
    throw exportRpcError(error);
  }
  return {
    path: request.path,
    format: request.format,
    dtype: array.dtype,
    shape: [...array.shape],
    bytes: (await stat(request.path)).size,
  };
}
