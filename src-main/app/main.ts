import { app, BrowserWindow, ipcMain, session, shell, utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import { createServices, type Services } from '../services/createServices';
import { CONTENT_SECURITY_POLICY } from '../server/staticFiles';
import { IPC_EVENT, IPC_INVOKE } from './ipcChannels';
import { secureWebPreferences } from './securePreferences';
import { utilityProcessSpawner } from '../training/trainingChannel';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url));

let services: Services | null = null;

function isOwnPage(url: string | undefined): boolean {
  if (!url) return false;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl && url.startsWith(devUrl)) return true;
  return (
    url.startsWith('file://') && decodeURIComponent(new URL(url).pathname).endsWith('/renderer/index.html')
  );
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'ModeScope',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win.show());
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

    const s = createServices({
      transport: 'electron',
      configDir: app.getPath('userData'),
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

    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    services?.dispose();
  });
}
