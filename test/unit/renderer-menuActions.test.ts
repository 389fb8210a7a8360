import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import type { ProjectSummary } from '../../src-shared/domain/project';
import type { PickPathRequest } from '../../src-shared/rpc/channels/app';
import { createApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { setApi } from '../../src-renderer/api/currentApi';
import { askNativePicker, nativePickRequest } from '../../src-renderer/paths/nativePicker';
import { useMenuActionsStore } from '../../src-renderer/stores/menuActions';
import { useNavigationStore } from '../../src-renderer/stores/navigation';
import { useProjectsStore } from '../../src-renderer/stores/projects';
import { FakeServices } from '../helpers/fakeServicesDispatcher';

/** A shell with or without a native dialog, behind the real dispatcher and its schemas. */
class FakeShell extends FakeServices {
  native: string[] | null = null;
  current: ProjectSummary | null = null;
  readonly picks: PickPathRequest[] = [];
  readonly opened: string[] = [];

  override readonly handlers: PartialHandlers = {
    'app.pickPath': (request) => {
      this.picks.push(request);
      return this.native === null ? { supported: false, paths: [] } : { supported: true, paths: this.native };
    },
    'projects.open': ({ path }) => {
      if (!path.endsWith('.modescope')) throw new RpcError('NOT_A_PROJECT', `${path} is not a project`);
      this.opened.push(path);
      this.current = {
        path,
        name: 'P',
        createdAt: '2026-11-23T09:00:00.000Z',
        schemaVersion: 1,
        readOnly: false,
        counts: { datasets: 0, runs: 0 },
      };
      return this.current;
    },
    'projects.close': () => {
      const was = this.current !== null;
      this.current = null;
      return { closed: was };
    },
    'projects.listRecent': () => [],
  };
}

let shell: FakeShell;

beforeEach(() => {
  shell = new FakeShell();
  setApi(createApi(shell.transport));
  setActivePinia(createPinia());
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe('native picker first, in-app picker as fallback', () => {
  it('builds the request: project filter for files, none for folders, no empty default path', () => {
    expect(nativePickRequest('file', 'Open', ' /data ')).toEqual({
      mode: 'openFile',
      title: 'Open',
      defaultPath: '/data',
      filters: [{ name: 'ModeScope project', extensions: ['modescope'] }],
    });
    expect(nativePickRequest('folder', 'Folder', '')).toEqual({ mode: 'openFolder', title: 'Folder' });
  });

  it('reports unsupported in web mode, cancelled for no path, chosen for a path', async () => {
    const api = createApi(shell.transport);
    const request = nativePickRequest('file', 'Open', '/data');
    expect(await askNativePicker(api, request)).toEqual({ kind: 'unsupported' });
    shell.native = [];
    expect(await askNativePicker(api, request)).toEqual({ kind: 'cancelled' });
    shell.native = ['/data/a.modescope'];
    expect(await askNativePicker(api, request)).toEqual({ kind: 'chosen', path: '/data/a.modescope' });
    expect(shell.picks).toHaveLength(3);
  });

  it('falls back when the server does not know the channel', async () => {
    const api = createApi({
      invoke: () => Promise.reject(new RpcError('UNKNOWN_CHANNEL', 'app.pickPath is not a channel')),
      subscribe: () => () => undefined,
    });
    expect(await askNativePicker(api, { mode: 'openFolder' })).toEqual({ kind: 'unsupported' });
  });
});

describe('menu actions store', () => {
  it('subscribes once to app.menu and unsubscribes on stop', () => {
    const menu = useMenuActionsStore();
    menu.start();
    menu.start();
    expect(shell.listenerCount('app.menu')).toBe(1);
    menu.stop();
    expect(shell.listenerCount('app.menu')).toBe(0);
  });

  it('Export Run shows the Export view once a project is open, and not before', async () => {
    const menu = useMenuActionsStore();
    const navigation = useNavigationStore();
    menu.start();
    shell.emit('app.menu', { action: 'export-run' });
    await settle();
    expect(navigation.current).toBe('projects');
    await useProjectsStore().open('/data/a.modescope');
    shell.emit('app.menu', { action: 'export-run' });
    await settle();
    expect(navigation.current).toBe('export');
  });

  it('Open Recent opens the project from the Projects view; Close closes it', async () => {
    const menu = useMenuActionsStore();
    const projects = useProjectsStore();
    await menu.handle({ action: 'open-recent', path: '/data/b.modescope' });
    expect(shell.opened).toEqual(['/data/b.modescope']);
    expect(projects.current?.path).toBe('/data/b.modescope');
    expect(useNavigationStore().current).toBe('projects');
    await menu.handle({ action: 'close-project' });
    expect(projects.current).toBeNull();
  });

  it('Open Project uses the native dialog where there is one; a bad pick shows the open error', async () => {
    const menu = useMenuActionsStore();
    const projects = useProjectsStore();
    await menu.handle({ action: 'open-project' });
    expect(shell.opened).toEqual([]);
    expect(shell.picks[0]?.mode).toBe('openFile');
    shell.native = ['/data/c.modescope'];
    await menu.handle({ action: 'open-project' });
    expect(shell.opened).toEqual(['/data/c.modescope']);
    shell.native = ['/data/notes.txt'];
    await menu.handle({ action: 'open-project' });
    expect(projects.errors.open?.message).toMatch(/not a project/);
  });
});
