import { app, dialog, Menu } from 'electron';
import type { Services } from '../services/createServices';
import { APP_VERSION } from '../services/appVersion';
import { buildMenuSpec, toElectronTemplate, type MenuCommand } from './menuTemplate';

/**
 * Installs the application menu and rebuilds it when the open project or the recent list
 * changes. Renderer actions go out as `app.menu` events, the same path web mode would use.
 */
export function installApplicationMenu(services: Services, development: boolean): () => void {
  const run = (command: MenuCommand): void => {
    switch (command.kind) {
      case 'renderer':
        services.events.emit('app.menu', command.event);
        return;
      case 'about':
        void dialog.showMessageBox({
          type: 'info',
          title: 'About ModeScope',
          message: `ModeScope ${APP_VERSION}`,
          detail: `Dynamical latent-variable models for MEG/EEG.\nElectron ${process.versions.electron}, Node ${process.versions.node}, Chromium ${process.versions.chrome}`,
        });
        return;
      case 'quit':
        app.quit();
        return;
    }
  };

  const rebuild = (): void => {
    const spec = buildMenuSpec({
      appName: 'ModeScope',
      platform: process.platform,
      development,
      hasProject: services.projects.currentSummary() !== null,
      recent: services.projects.listRecent(),
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronTemplate(spec, run)));
  };

  rebuild();
  return services.events.onAny((event) => {
    if (event === 'project.opened' || event === 'project.closed') rebuild();
  });
}
