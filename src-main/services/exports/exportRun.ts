import { RpcError } from '../../../src-shared/rpc/errors';
import type { ExportRunRequest, ExportRunResponse } from '../../../src-shared/rpc/channels/exports';
import { writeRunLayout } from '../../export/oslLayout';
import type { ExportAnalysis } from '../../export/runExportContent';
import type { ProjectStore } from '../../store/projectStore';
import { RunRepository } from '../../store/runRepository';
import type { JobHandle } from '../jobRegistry';
import { exportRpcError } from './exportErrors';
import { checkFolderTarget, writeFolderAtomically } from './exportTarget';
import { loadRunExportContent } from './runExportSource';

export type AnalyseForExport = (
  store: ProjectStore,
  runId: number,
  options: { spectra?: boolean; signal?: AbortSignal; onProgress?: (fraction: number) => void },
) => Promise<ExportAnalysis>;

/** Progress units of a whole export: analysis first, then the files by values written. */
const UNITS = 1000;
const ANALYSIS_SHARE = 0.3;

/** The `modescope export` command that repeats an export. */
export function exportCommandLine(projectPath: string, request: Omit<ExportRunRequest, 'jobId'>): string {
  return [
    `modescope export --project ${JSON.stringify(projectPath)} --run ${request.runId}`,
    `--out ${JSON.stringify(request.folder)} --format ${request.formats.join(',')}`,
    ...(request.report ? [] : ['--no-report']),
    ...(request.spectra === false ? ['--no-spectra'] : []),
    ...(request.overwrite ? ['--overwrite'] : []),
  ].join(' ');
}

/**
 * Summary statistics (and spectra) for the export. A failed analysis does not stop the export: the
 * files it can write are still worth having, and the reason goes into the notes. Cancel does stop it.
 */
async function analysisOrNote(
  store: ProjectStore,
  runId: number,
  spectra: boolean,
  job: JobHandle,
  analyse: AnalyseForExport,
  notes: string[],
): Promise<ExportAnalysis | null> {
  try {
    return await analyse(store, runId, {
      spectra,
      signal: job.signal,
      onProgress: (f) => job.progress('analysing the run', Math.round(f * ANALYSIS_SHARE * UNITS), UNITS),
    });
  } catch (error) {
    if (job.signal.aborted || (error instanceof RpcError && error.code === 'CANCELLED')) throw error;
    notes.push(`no summary statistics or spectra: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/**
 * Exports a run's folder: summary statistics (and spectra) from the analysis service, then the
 * layout written into a temporary folder that replaces `folder` only when complete.
 */
export async function exportRun(
  store: ProjectStore,
  request: Omit<ExportRunRequest, 'jobId'>,
  job: JobHandle,
  analyse: AnalyseForExport,
): Promise<ExportRunResponse> {
  const { runId, folder, formats, report } = request;
  const overwrite = request.overwrite ?? false;
  const wantSpectra = request.spectra ?? true;
  try {
    const run = new RunRepository(store).get(runId);
    await checkFolderTarget(folder, overwrite);
    // Fail before the (slow) analysis when the run has nothing to export.
    const hasModes = loadRunExportContent(store, runId, null).sessions.some((s) => s.alpha !== null);

    const notes: string[] = [];
    job.progress('analysing the run', 0, UNITS);
    const analysis = hasModes ? await analysisOrNote(store, runId, wantSpectra, job, analyse, notes) : null;
    if (!hasModes) {
      notes.push(`no summary statistics or spectra: this ${run.modelKind} run has no mode time courses (α)`);
    } else if (!wantSpectra) {
      notes.push('spectra were not asked for');
    } else if (analysis && analysis.spectra === null) {
      notes.push(`no spectra: the analysis could not compute them for this ${run.modelKind} run`);
    }
    job.throwIfCancelled();

    const content = loadRunExportContent(store, runId, analysis);
    const files = await writeFolderAtomically(folder, overwrite, (temporary) =>
      writeRunLayout(temporary, content, {
        formats,
        report,
        signal: job.signal,
        onProgress: (done, total, stage) =>
          job.progress(
            stage,
            Math.round((ANALYSIS_SHARE + (1 - ANALYSIS_SHARE) * (total > 0 ? done / total : 1)) * UNITS),
            UNITS,
          ),
      }),
    );
    job.progress('done', UNITS, UNITS);
    if (!store.readOnly) {
      store.appendAction({
        kind: 'exports.run',
        payload: { runId, folder, formats, report, spectra: wantSpectra, overwrite },
        cli: exportCommandLine(store.path, request),
      });
    }
    return {
      runId,
      folder,
      files,
      totalBytes: files.reduce((n, f) => n + f.bytes, 0),
      notes,
    };
  } catch (error) {
    throw exportRpcError(error, job.jobId);
  }
}
