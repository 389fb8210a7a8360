import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import { createServices, type Services } from '../services/createServices';
import { CONTENT_SECURITY_POLICY } from '../server/staticFiles';
import { IPC_EVENT, IPC_INVOKE } from './ipcChannels';
import { secureWebPreferences } from './securePreferences';
import { utilityProcessSpawner } from '../training/trainingChannel';
import type { PickPathRequest } from '../../src-shared/rpc/channels/app';
import { installApplicationMenu } from './applicationMenu';
import { chosenPaths, nativeDialogFor } from './dialogOptions';
import { initialWindowState, trackWindowState } from './windowStateTracker';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url));

let services: Services | null = null;

const windowLimits = { defaultWidth: 1400, defaultHeight: 900, minWidth: 960, minHeight: 600 };
const development = !app.isPackaged || process.env.ELECTRON_RENDERER_URL !== undefined;

function isOwnPage(url: string | undefined): boolean {
  if (!url) return false;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl && url.startsWith(devUrl)) return true;
  return (
    url.startsWith('file://') && decodeURIComponent(new URL(url).pathname).endsWith('/renderer/index.html')
  );
}

function createWindow(configDir: string): BrowserWindow {
  const state = initialWindowState(configDir, windowLimits);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: windowLimits.minWidth,
    minHeight: windowLimits.minHeight,
    title: 'ModeScope',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => {
    if (state.maximised) win.maximize();
    win.show();
  });
  trackWindowState(win, configDir);
  // The app never navigates away from its own page; links open in the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

/** The native dialog, modal to the focused window so it cannot hide behind it. */
async function showPathDialog(request: PickPathRequest): Promise<string[]> {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const native = nativeDialogFor(request);
  if (native.kind === 'save') {
    return chosenPaths(
      parent
        ? await dialog.showSaveDialog(parent, native.options)
        : await dialog.showSaveDialog(native.options),
    );
  }
  return chosenPaths(
    parent
      ? await dialog.showOpenDialog(parent, native.options)
      : await dialog.showOpenDialog(native.options),
  );
}

// Only one instance writes a given project; a second app instance would fight over locks.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
      });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

    // MODESCOPE_CONFIG_DIR isolates tests (and portable installs) from the user's own settings.
    const configDir = process.env.MODESCOPE_CONFIG_DIR ?? app.getPath('userData');
    const s = createServices({
      transport: 'electron',
      configDir,
      pathDialog: showPathDialog,
      defaultProjectDir: app.getPath('documents'),
      // Training runs in Electron's utilityProcess: a crash or a long kernel never freezes the UI.
      training: { spawn: utilityProcessSpawner(utilityProcess) },
    });
    services = s;
    ipcMain.handle(IPC_INVOKE, (event, channel: unknown, payload: unknown) => {
      // Only our own page may call the services, never a frame that navigated elsewhere.
      if (!isOwnPage(event.senderFrame?.url)) {
        return { ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC from a foreign page refused' } };
      }
      return s.dispatch(channel, payload);
    });
    s.events.onAny((event, payload) => {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_EVENT, event, payload);
    });

    installApplicationMenu(s, development);
    createWindow(configDir);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow(configDir);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    services?.dispose();
  });
}
