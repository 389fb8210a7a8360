import type { MenuItemConstructorOptions } from 'electron';
import type { MenuEvent } from '../../src-shared/rpc/channels/app';
import type { RecentProject } from '../../src-shared/domain/project';

/** What a menu item does: tell the renderer, or something the shell does itself. */
export type MenuCommand = { kind: 'renderer'; event: MenuEvent } | { kind: 'about' } | { kind: 'quit' };

type Role = NonNullable<MenuItemConstructorOptions['role']>;

export interface MenuItemSpec {
  id?: string;
  label?: string;
  role?: Role;
  accelerator?: string;
  enabled?: boolean;
  type?: 'separator';
  command?: MenuCommand;
  submenu?: MenuItemSpec[];
}

export interface MenuContext {
  appName: string;
  platform: NodeJS.Platform;
  /** Reload and developer tools are offered only while developing. */
  development: boolean;
  hasProject: boolean;
  recent: readonly RecentProject[];
}

export const MAX_RECENT_IN_MENU = 10;

const separator: MenuItemSpec = { type: 'separator' };

function renderer(event: MenuEvent): MenuCommand {
  return { kind: 'renderer', event };
}

/** `&` marks an access key in menu labels on Windows and Linux; a project name may contain one. */
function escapeLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

function recentItems(recent: readonly RecentProject[]): MenuItemSpec[] {
  if (recent.length === 0) return [{ id: 'recent-none', label: 'No recent projects', enabled: false }];
  return recent.slice(0, MAX_RECENT_IN_MENU).map((p, i) => ({
    id: `recent-${i}`,
    label: escapeLabel(`${p.name} — ${p.path}`),
    // A moved or deleted project stays listed (the Projects view can forget it) but cannot open.
    enabled: p.exists,
    command: renderer({ action: 'open-recent', path: p.path }),
  }));
}

/** The application menu as data, so it can be tested without Electron. */
export function buildMenuSpec(ctx: MenuContext): MenuItemSpec[] {
  const mac = ctx.platform === 'darwin';
  const about: MenuItemSpec = { id: 'about', label: `About ${ctx.appName}`, command: { kind: 'about' } };
  const quit: MenuItemSpec = {
    id: 'quit',
    label: mac ? `Quit ${ctx.appName}` : 'Quit',
    accelerator: 'CmdOrCtrl+Q',
    command: { kind: 'quit' },
  };

  const file: MenuItemSpec = {
    label: '&File',
    submenu: [
      {
        id: 'new-project',
        label: 'New Project…',
        accelerator: 'CmdOrCtrl+N',
        command: renderer({ action: 'new-project' }),
      },
      {
        id: 'open-project',
        label: 'Open Project…',
        accelerator: 'CmdOrCtrl+O',
        command: renderer({ action: 'open-project' }),
      },
      { id: 'open-recent', label: 'Open Recent', submenu: recentItems(ctx.recent) },
      {
        id: 'close-project',
        label: 'Close Project',
        enabled: ctx.hasProject,
        command: renderer({ action: 'close-project' }),
      },
      separator,
      {
        id: 'export-run',
        label: 'Export Run…',
        accelerator: 'CmdOrCtrl+E',
        enabled: ctx.hasProject,
        command: renderer({ action: 'export-run' }),
      },
      ...(mac ? [] : [separator, quit]),
    ],
  };

  // Text fields need the standard edit roles (and their shortcuts) on macOS in particular.
  const edit: MenuItemSpec = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemSpec = {
    label: '&View',
    submenu: [
      ...(ctx.development
        ? [
            { role: 'reload' as const },
            { role: 'forceReload' as const },
            { role: 'toggleDevTools' as const },
            separator,
          ]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemSpec = { label: '&Help', role: 'help', submenu: mac ? [] : [about] };
  const menus = [file, edit, view, help];
  if (mac) {
    menus.unshift({
      label: ctx.appName,
      submenu: [
        about,
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        quit,
      ],
    });
    help.submenu = [{ ...about, id: 'help-about' }];
  }
  return menus;
}

/** Every item with a command, depth first; the tests use it and so can a keyboard palette. */
export function flattenCommands(spec: readonly MenuItemSpec[]): MenuItemSpec[] {
  return spec.flatMap((item) => [...(item.command ? [item] : []), ...flattenCommands(item.submenu ?? [])]);
}

/** Electron's template from the spec; clicks are handed to `run`. */
export function toElectronTemplate(
  spec: readonly MenuItemSpec[],
  run: (command: MenuCommand) => void,
): MenuItemConstructorOptions[] {
  return spec.map((item) => {
    const out: MenuItemConstructorOptions = {};
    if (item.id !== undefined) out.id = item.id;
    if (item.label !== undefined) out.label = item.label;
    if (item.role !== undefined) out.role = item.role;
    if (item.accelerator !== undefined) out.accelerator = item.accelerator;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.type !== undefined) out.type = item.type;
    const command = item.command;
    if (command) out.click = () => run(command);
    if (item.submenu) out.submenu = toElectronTemplate(item.submenu, run);
    return out;
  });
}
