import { describe, expect, it, vi } from 'vitest';
import { chosenPaths, nativeDialogFor } from '../../src-main/app/dialogOptions';
import {
  buildMenuSpec,
  flattenCommands,
  MAX_RECENT_IN_MENU,
  toElectronTemplate,
  type MenuContext,
  type MenuItemSpec,
} from '../../src-main/app/menuTemplate';
import { pickPathRequestSchema } from '../../src-shared/rpc/channels/app';

const base: MenuContext = {
  appName: 'ModeScope',
  platform: 'linux',
  development: false,
  hasProject: true,
  recent: [
    { path: '/data/rest.modescope', name: 'Rest & task', openedAt: '2026-11-23T10:00:00Z', exists: true },
    { path: '/gone/old.modescope', name: 'Old', openedAt: '2026-11-20T10:00:00Z', exists: false },
  ],
};

function find(spec: readonly MenuItemSpec[], id: string): MenuItemSpec | undefined {
  for (const item of spec) {
    if (item.id === id) return item;
    const inner = find(item.submenu ?? [], id);
    if (inner) return inner;
  }
  return undefined;
}

function roles(spec: readonly MenuItemSpec[]): string[] {
  return spec.flatMap((i) => [...(i.role ? [i.role] : []), ...roles(i.submenu ?? [])]);
}

describe('application menu', () => {
  it('has File, Edit, View, Help with the project commands on Linux and Windows', () => {
    const spec = buildMenuSpec(base);
    expect(spec.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    expect(flattenCommands(spec).map((i) => i.id)).toEqual([
      'new-project',
      'open-project',
      'recent-0',
      'recent-1',
      'close-project',
      'export-run',
      'quit',
      'about',
    ]);
    expect(find(spec, 'export-run')?.command).toEqual({
      kind: 'renderer',
      event: { action: 'export-run' },
    });
    expect(find(spec, 'new-project')?.accelerator).toBe('CmdOrCtrl+N');
  });

  it('lists recent projects with escaped ampersands; missing ones are disabled', () => {
    const spec = buildMenuSpec(base);
    expect(find(spec, 'recent-0')).toMatchObject({
      label: 'Rest && task — /data/rest.modescope',
      enabled: true,
      command: { kind: 'renderer', event: { action: 'open-recent', path: '/data/rest.modescope' } },
    });
    expect(find(spec, 'recent-1')?.enabled).toBe(false);
    const many = Array.from({ length: 15 }, (_, i) => ({
      path: `/p/${i}.modescope`,
      name: `P${i}`,
      openedAt: '2026-11-23T10:00:00Z',
      exists: true,
    }));
    expect(find(buildMenuSpec({ ...base, recent: many }), 'open-recent')?.submenu).toHaveLength(
      MAX_RECENT_IN_MENU,
    );
    expect(find(buildMenuSpec({ ...base, recent: [] }), 'recent-none')?.enabled).toBe(false);
  });

  it('disables Close and Export without a project', () => {
    const spec = buildMenuSpec({ ...base, hasProject: false });
    expect(find(spec, 'close-project')?.enabled).toBe(false);
    expect(find(spec, 'export-run')?.enabled).toBe(false);
    expect(find(spec, 'new-project')?.enabled).toBeUndefined();
  });

  it('offers reload and developer tools only in development', () => {
    expect(roles(buildMenuSpec(base))).not.toContain('toggleDevTools');
    expect(roles(buildMenuSpec(base))).not.toContain('reload');
    expect(roles(buildMenuSpec({ ...base, development: true }))).toEqual(
      expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']),
    );
  });

  it('puts About and Quit in the app menu on macOS', () => {
    const spec = buildMenuSpec({ ...base, platform: 'darwin' });
    expect(spec[0]?.label).toBe('ModeScope');
    expect(spec[0]?.submenu?.map((i) => i.id ?? i.role ?? i.type)).toEqual([
      'about',
      'separator',
      'hide',
      'hideOthers',
      'unhide',
      'separator',
      'quit',
    ]);
    expect(find(spec, 'quit')?.label).toBe('Quit ModeScope');
    // File has no Quit of its own on macOS.
    expect(spec[1]?.submenu?.some((i) => i.id === 'quit')).toBe(false);
  });

  it('turns into an Electron template whose clicks run the item command', () => {
    const run = vi.fn();
    const template = toElectronTemplate(buildMenuSpec(base), run);
    const file = template[0]!.submenu as Array<{ id?: string; click?: () => void }>;
    const exportItem = file.find((i) => i.id === 'export-run');
    exportItem!.click!();
    expect(run).toHaveBeenCalledWith({ kind: 'renderer', event: { action: 'export-run' } });
    const edit = template[1]!.submenu as Array<{ role?: string; click?: unknown }>;
    expect(edit[0]).toEqual({ role: 'undo' });
  });
});

describe('native dialog options', () => {
  it('maps each pick mode onto the matching Electron dialog', () => {
    expect(
      nativeDialogFor({
        mode: 'openFile',
        title: 'Open',
        filters: [{ name: 'ModeScope project', extensions: ['modescope'] }],
      }),
    ).toEqual({
      kind: 'open',
      options: {
        title: 'Open',
        filters: [{ name: 'ModeScope project', extensions: ['modescope'] }],
        properties: ['openFile'],
      },
    });
    expect(nativeDialogFor({ mode: 'openFolder', defaultPath: '/data' })).toEqual({
      kind: 'open',
      options: { defaultPath: '/data', properties: ['openDirectory', 'createDirectory'] },
    });
    expect(nativeDialogFor({ mode: 'saveFile' }).kind).toBe('save');
  });

  it('reduces dialog answers to chosen paths; cancel is empty', () => {
    expect(chosenPaths({ canceled: true, filePaths: ['/x'] })).toEqual([]);
    expect(chosenPaths({ canceled: false, filePaths: ['/a', '/b'] })).toEqual(['/a', '/b']);
    expect(chosenPaths({ canceled: false, filePath: '/out/run.npy' })).toEqual(['/out/run.npy']);
    expect(chosenPaths({ canceled: false, filePath: '' })).toEqual([]);
  });

  it('rejects malformed requests at the contract', () => {
    expect(pickPathRequestSchema.safeParse({ mode: 'openDrive' }).success).toBe(false);
    const dotted = pickPathRequestSchema.safeParse({
      mode: 'openFile',
      filters: [{ name: 'npy', extensions: ['.npy'] }],
    });
    expect(dotted.success).toBe(false);
    expect(dotted.error?.issues[0]?.message).toMatch(/without a dot/);
  });
});
