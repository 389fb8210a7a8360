import type { ResultSummary } from '../../../src-shared/domain/run';
import type { ExportFormatName } from '../../../src-shared/rpc/channels/exports';
import { baseName, joinPath, parentPath } from '../../paths/filePaths';

/** One stored array of a run that can be exported on its own. */
export interface ArrayChoice {
  /** Stable key for a select: "kind" or "kind@sessionId". */
  key: string;
  kind: string;
  sessionId: number | null;
  label: string;
}

/** The run's array results (JSON values are left out), in a stable order for the picker. */
export function arrayChoices(
  results: readonly ResultSummary[],
  sessionNames: ReadonlyMap<number, string>,
): ArrayChoice[] {
  return results
    .filter((r) => r.shape !== null)
    .map((r) => {
      const session =
        r.sessionId === null ? '' : ` · ${sessionNames.get(r.sessionId) ?? `session ${r.sessionId}`}`;
      return {
        key: r.sessionId === null ? r.kind : `${r.kind}@${r.sessionId}`,
        kind: r.kind,
        sessionId: r.sessionId,
        label: `${r.kind}${session} [${r.shape!.join(' × ')}] ${r.dtype ?? ''}`.trim(),
      };
    })
    .sort((a, b) => a.kind.localeCompare(b.kind) || (a.sessionId ?? 0) - (b.sessionId ?? 0));
}

/** A file name for an array: run, kind, session and the format's extension. */
export function arrayFileName(runId: number, choice: ArrayChoice, format: ExportFormatName): string {
  const session = choice.sessionId === null ? '' : `_session${choice.sessionId}`;
  return `run${runId}_${choice.kind.replace(/[^A-Za-z0-9_-]+/g, '_')}${session}.${format}`;
}

/** The path with its file name replaced, keeping the folder the user chose. */
export function withFileName(path: string, fallbackFolder: string, fileName: string): string {
  const folder = path.trim() === '' ? fallbackFolder : (parentPath(path.trim()) ?? fallbackFolder);
  return joinPath(folder, fileName);
}

/** True when the path's file name is one we suggested, so it may follow the choice. */
export function isSuggestedFileName(path: string): boolean {
  return /^run\d+_[A-Za-z0-9_-]+(_session\d+)?\.(npy|mat|csv)$/.test(baseName(path.trim()));
}
