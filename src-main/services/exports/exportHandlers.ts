import type { PartialHandlers } from '../../rpc/handlerRegistry';
import { analyseRun } from '../analysis/runAnalysis';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';
import { exportResultArray } from './exportResultArray';
import { exportRun, type AnalyseForExport } from './exportRun';

export interface ExportServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
  /** Summary statistics and spectra of a run; the analysis service unless a test stands in. */
  analyse?: AnalyseForExport;
}

/** Handlers for the `exports.*` channels. */
export function exportHandlers(deps: ExportServiceDeps): PartialHandlers {
  const analyse = deps.analyse ?? analyseRun;
  return {
    'exports.run': ({ jobId, ...request }) => {
      const store = deps.projects.require();
      return deps.jobs.run('export', jobId, (job) => exportRun(store, request, job, analyse));
    },
    'exports.resultArray': (request) => exportResultArray(deps.projects.require(), request),
  };
}
