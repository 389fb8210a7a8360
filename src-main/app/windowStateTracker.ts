import { screen, type BrowserWindow } from 'electron';
import { restoreBounds, type WindowLimits, type WindowState } from './windowState';
import { readWindowState, writeWindowState } from './windowStateFile';

/** The saved window state fitted onto the displays attached now, primary display first. */
export function initialWindowState(configDir: string, limits: WindowLimits): WindowState {
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
  return restoreBounds(
    readWindowState(configDir),
    [primary.workArea, ...others.map((d) => d.workArea)],
    limits,
  );
}

const SAVE_DELAY_MS = 500;

/** Saves size, position and maximised state while the window is moved, and once on close. */
export function trackWindowState(win: BrowserWindow, configDir: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed() || win.isMinimized()) return;
    try {
      // Normal bounds: a maximised window restores to the size it had before maximising.
      writeWindowState(configDir, { bounds: win.getNormalBounds(), maximised: win.isMaximized() });
    } catch (err) {
      console.error('[modescope] could not save the window state:', err);
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', save);
}
