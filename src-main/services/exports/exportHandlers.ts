import type { PartialHandlers } from '../../rpc/handlerRegistry';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';

export interface ExportServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** Handlers for the `exports.*` channels. */
export function exportHandlers(deps: ExportServiceDeps): PartialHandlers {
  void deps;
  return {};
}
