import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../src-main/services/createServices';
import { readWindowState } from '../../src-main/app/windowStateFile';

// The glue modules talk to Electron; a stand-in records what they ask of it.
type Template = Array<{
  id?: string;
  label?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: Template;
}>;
const installed: Template[] = [];
const electron = vi.hoisted(() => ({
  quit: vi.fn(),
  showMessageBox: vi.fn(() => Promise.resolve({ response: 0 })),
  displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
}));
vi.mock('electron', () => ({
  app: { quit: electron.quit },
  dialog: { showMessageBox: electron.showMessageBox },
  Menu: {
    buildFromTemplate: (template: Template) => template,
    setApplicationMenu: (menu: Template) => installed.push(menu),
  },
  screen: {
    getPrimaryDisplay: () => electron.displays[0],
    getAllDisplays: () => electron.displays,
  },
}));

const { installApplicationMenu } = await import('../../src-main/app/applicationMenu');
const { initialWindowState, trackWindowState } = await import('../../src-main/app/windowStateTracker');

function find(items: Template, id: string): Template[number] | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = find(item.submenu ?? [], id);
    if (inner) return inner;
  }
  return undefined;
}

const configDir = () => mkdtempSync(join(tmpdir(), 'ms-glue-'));

describe('application menu glue', () => {
  beforeEach(() => {
    installed.length = 0;
  });

  it('sends renderer actions as app.menu events and rebuilds when a project opens', async () => {
    const dir = configDir();
    const services = createServices({ transport: 'electron', configDir: dir });
    const seen: unknown[] = [];
    services.events.onAny((event, payload) => {
      if (event === 'app.menu') seen.push(payload);
    });
    const off = installApplicationMenu(services, false);
    expect(installed).toHaveLength(1);
    expect(find(installed[0]!, 'close-project')?.enabled).toBe(false);

    find(installed[0]!, 'new-project')!.click!();
    expect(seen).toEqual([{ action: 'new-project' }]);

    const created = await services.dispatch('projects.create', {
      path: join(dir, 'menu.modescope'),
      name: 'Menu test',
    });
    expect(created.ok).toBe(true);
    const latest = installed[installed.length - 1]!;
    expect(installed.length).toBeGreaterThan(1);
    expect(find(latest, 'close-project')?.enabled).toBe(true);
    expect(find(latest, 'recent-0')?.label).toBe(`Menu test — ${join(dir, 'menu.modescope')}`);
    find(latest, 'recent-0')!.click!();
    expect(seen[1]).toEqual({ action: 'open-recent', path: join(dir, 'menu.modescope') });

    find(latest, 'about')!.click!();
    expect(electron.showMessageBox).toHaveBeenCalledTimes(1);
    find(latest, 'quit')!.click!();
    expect(electron.quit).toHaveBeenCalledTimes(1);
    off();
    services.dispose();
  });
});

class FakeWindow extends EventEmitter {
  bounds = { x: 100, y: 80, width: 1200, height: 800 };
  maximised = false;
  minimised = false;
  isDestroyed = () => false;
  isMinimized = () => this.minimised;
  isMaximized = () => this.maximised;
  getNormalBounds = () => this.bounds;
}

describe('window state glue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('saves after moves settle and on close, and restores onto the attached display', () => {
    const dir = configDir();
    const limits = { defaultWidth: 1400, defaultHeight: 900, minWidth: 960, minHeight: 600 };
    expect(initialWindowState(dir, limits).bounds).toEqual({ x: 260, y: 90, width: 1400, height: 900 });

    const win = new FakeWindow();
    trackWindowState(win as never, dir);
    win.emit('move');
    win.emit('resize');
    expect(readWindowState(dir)).toBeNull();
    vi.advanceTimersByTime(600);
    expect(readWindowState(dir)).toEqual({ bounds: win.bounds, maximised: false });

    // Minimised windows keep the last normal state; maximising is remembered on close.
    win.minimised = true;
    win.bounds = { x: 0, y: 0, width: 10, height: 10 };
    win.emit('resize');
    vi.advanceTimersByTime(600);
    expect(readWindowState(dir)?.bounds.width).toBe(1200);
    win.minimised = false;
    win.maximised = true;
    win.bounds = { x: 2500, y: 50, width: 1000, height: 700 };
    win.emit('close');
    expect(readWindowState(dir)).toEqual({ bounds: win.bounds, maximised: true });

    // Saved on a second monitor that is gone now: centred on the primary display, still maximised.
    expect(initialWindowState(dir, limits)).toEqual({
      bounds: { x: 260, y: 90, width: 1400, height: 900 },
      maximised: true,
    });
  });
});
