import type { PartialHandlers } from '../../rpc/handlerRegistry';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';

export interface AnalysisServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** Handlers for the `analysis.*` channels. */
export function analysisHandlers(deps: AnalysisServiceDeps): PartialHandlers {
  void deps;
  return {};
}
