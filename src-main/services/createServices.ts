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
import type { PickPathRequest } from '../../src-shared/rpc/channels/app';
import { EventLoopLagMonitor } from './health/eventLoopLag';

export type TransportKind = 'electron' | 'web' | 'in-process';

export interface ServicesOptions {
  transport: TransportKind;
  /** Where user-level state (recent projects) lives; defaults per platform. */
  configDir?: string;
  defaultProjectDir?: string;
  /** How training processes are started (Electron passes its utilityProcess spawner). */
  training?: Partial<Omit<SupervisorOptions, 'events'>>;
  /** A native file/folder dialog (Electron); without one `app.pickPath` answers unsupported. */
  pathDialog?: (request: PickPathRequest) => Promise<string[]>;
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
  const loopLag = new EventLoopLagMonitor().start();

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
        'app.pickPath': async (request) => {
          if (!options.pathDialog) return { supported: false, paths: [] };
          return { supported: true, paths: await options.pathDialog(request) };
        },
        'app.health': () => {
          const memory = process.memoryUsage();
          return {
            uptimeS: process.uptime(),
            eventLoopLag: loopLag.current(),
            rssBytes: memory.rss,
            heapUsedBytes: memory.heapUsed,
          };
        },
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
      loopLag.stop();
      jobs.cancelAll();
      projects.dispose();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
