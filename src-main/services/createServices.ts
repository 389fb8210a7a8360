import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { createDispatcher } from '../rpc/dispatcher';
import { mergeHandlers } from '../rpc/handlerRegistry';
import { datasetHandlers } from './datasets/datasetHandlers';
import { EventBus } from './eventBus';
import { listDirectory } from './fileBrowser';
import { JobRegistry } from './jobRegistry';
import { ProjectService } from './projectService';
import { RecentProjects } from './recentProjects';
import { runHandlers } from './runs/runHandlers';
import { analysisHandlers } from './analysis/analysisHandlers';
import { exportHandlers } from './exports/exportHandlers';
import { gapHandlers } from './gaps/gapHandlers';
import type { SupervisorOptions } from '../training/trainingSupervisor';
import { APP_VERSION } from './appVersion';

export type TransportKind = 'electron' | 'web' | 'in-process';

export interface ServicesOptions {
  transport: TransportKind;
  /** Where user-level state (recent projects) lives; defaults per platform. */
  configDir?: string;
  defaultProjectDir?: string;
  /** How training processes are started (Electron passes its utilityProcess spawner). */
  training?: Partial<Omit<SupervisorOptions, 'events'>>;
}

/** The per-platform place for user-level settings when Electron's app.getPath is not available. */
export function defaultConfigDir(): string {
  if (process.env.MODESCOPE_CONFIG_DIR) return process.env.MODESCOPE_CONFIG_DIR;
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'ModeScope');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'ModeScope');
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'modescope');
  }
}

/**
 * The application layer every transport shares: Electron IPC, WebSocket and the CLI all call
 * these handlers through the same dispatcher, so validation and errors are identical.
 */
export function createServices(options: ServicesOptions) {
  const events = new EventBus();
  const configDir = options.configDir ?? defaultConfigDir();
  const projects = new ProjectService(new RecentProjects(configDir), events);
  const jobs = new JobRegistry(events);
  const defaultProjectDir = options.defaultProjectDir ?? homedir();

  const handlers = mergeHandlers(
    {
      module: 'app',
      handlers: {
        'app.info': () => ({
          name: 'ModeScope' as const,
          version: APP_VERSION,
          transport: options.transport,
          platform: process.platform,
          nodeVersion: process.versions.node,
          defaultProjectDir,
        }),
      },
    },
    {
      module: 'projects',
      handlers: {
        'projects.create': ({ path, name }) => projects.create(path, name),
        'projects.open': ({ path }) => projects.open(path),
        'projects.close': () => ({ closed: projects.close() }),
        'projects.current': () => projects.currentSummary(),
        'projects.listRecent': () => projects.listRecent(),
        'projects.forgetRecent': ({ path }) => projects.forgetRecent(path),
      },
    },
    {
      module: 'files',
      handlers: { 'files.listDirectory': ({ path, extensions }) => listDirectory(path, extensions) },
    },
    {
      module: 'jobs',
      handlers: {
        'jobs.list': () => jobs.list(),
        'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
      },
    },
    { module: 'datasets', handlers: datasetHandlers({ projects, jobs, events }) },
    { module: 'runs', handlers: runHandlers({ projects, jobs, events, supervisor: options.training }) },
    { module: 'analysis', handlers: analysisHandlers({ projects, jobs, events }) },
    { module: 'exports', handlers: exportHandlers({ projects, jobs, events }) },
    { module: 'gaps', handlers: gapHandlers({ projects, jobs, events }) },
  );

  const dispatch = createDispatcher(handlers, (err) => console.error('[modescope] internal error:', err));

  return {
    handlers,
    dispatch,
    events,
    projects,
    jobs,
    dispose() {
      jobs.cancelAll();
      projects.dispose();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
