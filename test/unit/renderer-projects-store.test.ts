import { createPinia, setActivePinia } from 'pinia';
import { FakeServices } from '../helpers/fakeServicesDispatcher';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import type { ProjectSummary, RecentProject } from '../../src-shared/domain/project';
import { createApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { connectionProblem } from '../../src-renderer/api/connectionProblem';
import { setApi } from '../../src-renderer/api/currentApi';
import { useAppStore } from '../../src-renderer/stores/app';
import { useNavigationStore } from '../../src-renderer/stores/navigation';
import { createInputProblem, useProjectsStore } from '../../src-renderer/stores/projects';

/**
 * In-memory stand-in for the project services, behind the real dispatcher so every request the
 * store sends is checked against the contract's schemas, as the real server would.
 */
class FakeProjectServices extends FakeServices {
  current: ProjectSummary | null = null;
  recent: RecentProject[] = [];
  readonly files = new Set<string>();
  readonly locked = new Set<string>();

  override readonly handlers: PartialHandlers = {
    'app.info': () => ({
      name: 'ModeScope',
      version: '0.1.0',
      transport: 'web',
      platform: 'linux',
      nodeVersion: 'v20.20.0',
      defaultProjectDir: '/home/ana/ModeScope',
    }),
    'projects.create': ({ path, name }) => {
      if (this.files.has(path)) throw new RpcError('ALREADY_EXISTS', `${path} already exists`, { path });
      this.files.add(path);
      return this.openPath(path, name);
    },
    'projects.open': ({ path }) => {
      if (this.locked.has(path)) throw new RpcError('PROJECT_LOCKED', `${path} is open in another ModeScope`);
      if (!this.files.has(path)) throw new RpcError('NOT_FOUND', `${path} does not exist`);
      return this.openPath(path, path.replace(/^.*\//, '').replace(/\.modescope$/, ''));
    },
    'projects.close': () => {
      const was = this.current;
      this.current = null;
      if (was) this.emit('project.closed', { path: was.path });
      return { closed: was !== null };
    },
    'projects.current': () => this.current,
    'projects.listRecent': () => this.recent.map((r) => ({ ...r, exists: this.files.has(r.path) })),
    'projects.forgetRecent': ({ path }) => {
      this.recent = this.recent.filter((r) => r.path !== path);
      return this.recent.map((r) => ({ ...r, exists: this.files.has(r.path) }));
    },
    'files.listDirectory': ({ path }) => ({ path, parent: null, entries: [] }),
  };

  private openPath(path: string, name: string): ProjectSummary {
    const summary: ProjectSummary = {
      path,
      name,
      createdAt: '2026-11-23T09:00:00.000Z',
      schemaVersion: 1,
      readOnly: false,
      counts: { datasets: 2, runs: 5 },
    };
    this.current = summary;
    this.recent = [
      { path, name, openedAt: '2026-11-23T10:00:00.000Z', exists: true },
      ...this.recent.filter((r) => r.path !== path),
    ];
    this.emit('project.opened', summary);
    return summary;
  }
}

let services: FakeProjectServices;

beforeEach(() => {
  services = new FakeProjectServices();
  setApi(createApi(services.transport));
  setActivePinia(createPinia());
});

function recentEntry(path: string, exists = true): RecentProject {
  return { path, name: path.replace(/^.*\//, ''), openedAt: '2026-11-20T08:00:00.000Z', exists };
}

describe('create form validation', () => {
  const ok = { name: 'Rest MEG', folder: '/data', fileName: 'rest' };
  it('accepts a complete input', () => {
    expect(createInputProblem(ok)).toBeNull();
  });
  it.each([
    [{ ...ok, name: '   ' }, 'Enter a project name.'],
    [{ ...ok, folder: '' }, 'Choose the folder the project file goes in.'],
    [{ ...ok, fileName: '' }, 'The file name is empty.'],
    [{ ...ok, fileName: 'a/b' }, 'The file name must not contain / or \\ (choose the folder separately).'],
    [{ ...ok, fileName: '.modescope' }, 'The file name has nothing before .modescope.'],
  ])('rejects %o', (input, message) => {
    expect(createInputProblem(input)).toBe(message);
  });
});

describe('projects store', () => {
  it('loads the current project and the recent list on start, and subscribes once', async () => {
    services.files.add('/data/a.modescope');
    services.recent = [recentEntry('/data/a.modescope'), recentEntry('/gone/b.modescope')];
    const store = useProjectsStore();
    expect(store.loaded).toBe(false);
    await store.start();
    await store.start();
    expect(store.loaded).toBe(true);
    expect(store.current).toBeNull();
    expect(store.recent.map((r) => [r.path, r.exists])).toEqual([
      ['/data/a.modescope', true],
      ['/gone/b.modescope', false],
    ]);
    expect(services.listenerCount('project.opened')).toBe(1);
    expect(services.listenerCount('project.closed')).toBe(1);
    store.stop();
    expect(services.listenerCount('project.opened')).toBe(0);
  });

  it('creates a project at folder + file name + .modescope and makes it current', async () => {
    const store = useProjectsStore();
    await store.start();
    const ok = await store.create({ name: '  Rest MEG  ', folder: '/data/', fileName: 'rest-meg' });
    expect(ok).toBe(true);
    expect(services.calls.find((c) => c.channel === 'projects.create')?.payload).toEqual({
      path: '/data/rest-meg.modescope',
      name: 'Rest MEG',
    });
    expect(store.current).toMatchObject({ path: '/data/rest-meg.modescope', name: 'Rest MEG' });
    expect(store.hasProject).toBe(true);
    expect(store.recent[0]?.path).toBe('/data/rest-meg.modescope');
    expect(store.errors.create).toBeNull();
  });

  it('shows ALREADY_EXISTS next to create and keeps other actions clean', async () => {
    services.files.add('/data/rest.modescope');
    const store = useProjectsStore();
    await store.start();
    expect(await store.create({ name: 'Rest', folder: '/data', fileName: 'rest.modescope' })).toBe(false);
    expect(store.errors.create).toEqual({
      code: 'ALREADY_EXISTS',
      message: '/data/rest.modescope already exists',
    });
    expect(store.errors.open).toBeNull();
    expect(store.current).toBeNull();
    store.dismissError('create');
    expect(store.errors.create).toBeNull();
  });

  it('refuses an invalid create locally without calling the services', async () => {
    const store = useProjectsStore();
    expect(await store.create({ name: 'x', folder: '/data', fileName: 'sub/x' })).toBe(false);
    expect(store.errors.create?.code).toBe('INVALID_INPUT');
    expect(services.calls.filter((c) => c.channel === 'projects.create')).toEqual([]);
  });

  it('opens by path, and reports PROJECT_LOCKED and NOT_FOUND from the services', async () => {
    services.files.add('/data/a.modescope');
    services.files.add('/data/locked.modescope');
    services.locked.add('/data/locked.modescope');
    const store = useProjectsStore();
    await store.start();

    expect(await store.open('/data/locked.modescope')).toBe(false);
    expect(store.errors.open).toEqual({
      code: 'PROJECT_LOCKED',
      message: '/data/locked.modescope is open in another ModeScope',
    });
    expect(await store.open('/nowhere.modescope')).toBe(false);
    expect(store.errors.open?.code).toBe('NOT_FOUND');

    expect(await store.open('  /data/a.modescope ')).toBe(true);
    expect(store.errors.open).toBeNull();
    expect(store.current?.path).toBe('/data/a.modescope');
    expect(store.current?.counts).toEqual({ datasets: 2, runs: 5 });
  });

  it('refuses to open an empty path without calling the services', async () => {
    const store = useProjectsStore();
    expect(await store.open('   ')).toBe(false);
    expect(store.errors.open?.code).toBe('INVALID_INPUT');
    expect(services.calls).toEqual([]);
  });

  it('marks the action busy while its request is in flight', async () => {
    services.files.add('/data/a.modescope');
    const store = useProjectsStore();
    let release!: () => void;
    services.requestGate = new Promise((resolve) => (release = resolve));
    const pending = store.open('/data/a.modescope');
    expect(store.busy.open).toBe(true);
    expect(store.changing).toBe(true);
    expect(store.busy.create).toBe(false);
    release();
    await pending;
    expect(store.busy.open).toBe(false);
    expect(store.changing).toBe(false);
  });

  it('closes the project and clears it', async () => {
    services.files.add('/data/a.modescope');
    const store = useProjectsStore();
    await store.start();
    await store.open('/data/a.modescope');
    expect(await store.close()).toBe(true);
    expect(store.current).toBeNull();
    expect(store.hasProject).toBe(false);
  });

  it('follows project.opened and project.closed events from elsewhere', async () => {
    services.files.add('/data/a.modescope');
    const store = useProjectsStore();
    await store.start();
    // Another window (or the CLI through the same server) opens a project.
    services.handlers['projects.open']!({ path: '/data/a.modescope' });
    expect(store.current?.path).toBe('/data/a.modescope');
    await expect.poll(() => store.recent.map((r) => r.path)).toEqual(['/data/a.modescope']);

    services.emit('project.closed', { path: '/other.modescope' });
    expect(store.current?.path).toBe('/data/a.modescope');
    services.emit('project.closed', { path: '/data/a.modescope' });
    expect(store.current).toBeNull();
  });

  it('opens a recent project, and refuses a missing one without calling the services', async () => {
    services.files.add('/data/a.modescope');
    services.recent = [recentEntry('/data/a.modescope'), recentEntry('/gone/b.modescope')];
    const store = useProjectsStore();
    await store.start();
    const [present, missing] = store.recent;

    expect(await store.openRecent(missing!)).toBe(false);
    expect(store.errors.recent).toEqual({
      code: 'INVALID_INPUT',
      message: '/gone/b.modescope no longer exists.',
    });
    expect(services.calls.filter((c) => c.channel === 'projects.open')).toEqual([]);

    expect(await store.openRecent(present!)).toBe(true);
    expect(store.current?.path).toBe('/data/a.modescope');
    expect(store.busyRecentPath).toBeNull();
  });

  it('forgets a recent project and shows the list the services return', async () => {
    services.recent = [recentEntry('/a.modescope'), recentEntry('/b.modescope')];
    const store = useProjectsStore();
    await store.start();
    expect(await store.forget('/a.modescope')).toBe(true);
    expect(store.recent.map((r) => r.path)).toEqual(['/b.modescope']);
    expect(services.calls.at(-1)).toEqual({
      channel: 'projects.forgetRecent',
      payload: { path: '/a.modescope' },
    });
  });

  it('keeps the newest recent list when an older listing answers late', async () => {
    services.recent = [recentEntry('/a.modescope'), recentEntry('/b.modescope')];
    const store = useProjectsStore();
    await store.start();
    let release!: () => void;
    services.requestGate = new Promise((resolve) => (release = resolve));
    services.gatedChannel = 'projects.listRecent';
    const staleRefresh = store.refreshRecent();
    expect(await store.forget('/a.modescope')).toBe(true);
    expect(store.recent.map((r) => r.path)).toEqual(['/b.modescope']);
    // The listing was taken before the forget in the request order but answers after it.
    services.recent = [recentEntry('/a.modescope'), recentEntry('/b.modescope')];
    release();
    await staleRefresh;
    expect(store.recent.map((r) => r.path)).toEqual(['/b.modescope']);
  });

  it('reports a failed start as a load error', async () => {
    setApi(
      createApi({
        invoke: async () => {
          throw new RpcError('UNAUTHORIZED', 'connection closed (code 1006)');
        },
        subscribe: () => () => undefined,
      }),
    );
    const store = useProjectsStore();
    await store.start();
    expect(store.errors.load).toEqual({ code: 'UNAUTHORIZED', message: 'connection closed (code 1006)' });
    expect(store.loaded).toBe(true);
  });
});

describe('app store', () => {
  it('loads app.info', async () => {
    const app = useAppStore();
    await app.loadInfo();
    expect(app.info?.defaultProjectDir).toBe('/home/ana/ModeScope');
    expect(app.info?.transport).toBe('web');
    expect(app.infoError).toBeNull();
  });

  it('records app.info failures and a lost connection for the shell to show', async () => {
    setApi(
      createApi({
        invoke: async () => {
          throw new RpcError('INTERNAL', 'boom');
        },
        subscribe: () => () => undefined,
      }),
    );
    const app = useAppStore();
    await app.loadInfo();
    expect(app.info).toBeNull();
    expect(app.infoError).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(app.connectionLost).toBeNull();
    app.reportConnectionLost(connectionProblem('lost', 'close code 1001'));
    expect(app.connectionLost).toMatchObject({ kind: 'lost', detail: 'close code 1001' });
  });
});

describe('navigation store', () => {
  it('refuses views that need a project until one is open, and leaves them when it closes', async () => {
    services.files.add('/data/a.modescope');
    const projects = useProjectsStore();
    const navigation = useNavigationStore();
    await projects.start();

    expect(navigation.canShow('runs')).toBe(false);
    expect(navigation.navigate('runs')).toBe('projects');
    expect(navigation.current).toBe('projects');

    await projects.open('/data/a.modescope');
    expect(navigation.canShow('runs')).toBe(true);
    expect(navigation.navigate('runs')).toBe('runs');

    await projects.close();
    expect(navigation.current).toBe('projects');
  });
});
