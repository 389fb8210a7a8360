import type { PartialHandlers } from '../../rpc/handlerRegistry';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';

export interface GapServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** Handlers for the `gaps.*` channels. */
export function gapHandlers(deps: GapServiceDeps): PartialHandlers {
  void deps;
  return {};
}
