import { resolve } from 'node:path';
import type { ProjectSummary, RecentProject } from '../../src-shared/domain/project';
import { RpcError } from '../../src-shared/rpc/errors';
import { ProjectStore } from '../store/projectStore';
import type { EventBus } from './eventBus';
import type { RecentProjects } from './recentProjects';

export const PROJECT_EXTENSION = '.modescope';

export function withProjectExtension(path: string): string {
  return path.toLowerCase().endsWith(PROJECT_EXTENSION) ? path : `${path}${PROJECT_EXTENSION}`;
}

/**
 * Owns the one open project of this services instance. Opening another project closes the
 * current one first, so at most one write lock is held per process.
 */
export class ProjectService {
  private store: ProjectStore | null = null;

  constructor(
    private readonly recent: RecentProjects,
    private readonly events: EventBus,
  ) {}

  get current(): ProjectStore | null {
    return this.store;
  }

  /** The open project, or a typed error for channels that need one. */
  require(): ProjectStore {
    if (!this.store) throw new RpcError('NO_PROJECT_OPEN', 'no project is open: create or open one first');
    return this.store;
  }

  create(path: string, name: string): ProjectSummary {
    const target = withProjectExtension(resolve(path));
    // Create before closing the current project: a failed create leaves the user where they were.
    const store = ProjectStore.create(target, { name });
    store.appendAction({ kind: 'projects.create', payload: { path: target, name } });
    return this.adopt(store);
  }

  open(path: string): ProjectSummary {
    const target = resolve(path);
    if (this.store && this.store.path === target) return this.summary(this.store);
    const store = ProjectStore.open(target);
    return this.adopt(store);
  }

  close(): boolean {
    if (!this.store) return false;
    const path = this.store.path;
    this.store.close();
    this.store = null;
    this.events.emit('project.closed', { path });
    return true;
  }

  currentSummary(): ProjectSummary | null {
    return this.store ? this.summary(this.store) : null;
  }

  listRecent(): RecentProject[] {
    return this.recent.list();
  }

  forgetRecent(path: string): RecentProject[] {
    return this.recent.forget(resolve(path));
  }

  dispose(): void {
    this.close();
  }

  private adopt(store: ProjectStore): ProjectSummary {
    this.close();
    this.store = store;
    const summary = this.summary(store);
    this.recent.touch(store.path, summary.name);
    this.events.emit('project.opened', summary);
    return summary;
  }

  private summary(store: ProjectStore): ProjectSummary {
    const meta = store.meta();
    return {
      path: store.path,
      name: meta.name,
      createdAt: meta.createdAt,
      schemaVersion: store.schemaVersion,
      readOnly: store.readOnly,
      counts: store.counts(),
    };
  }
}
