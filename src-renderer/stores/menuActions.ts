import { defineStore } from 'pinia';
import { nextTick } from 'vue';
import type { MenuEvent } from '../../src-shared/rpc/channels/app';
import { useApi } from '../api/currentApi';
import { askNativePicker, nativePickRequest } from '../paths/nativePicker';
import { useAppStore } from './app';
import { useNavigationStore } from './navigation';
import { useProjectsStore } from './projects';

/** The sliver of the DOM this store needs, typed here because stores also compile for Node tests. */
interface FocusableDocument {
  querySelector(selector: string): { focus(): void } | null;
}

/** Moves keyboard focus to a field of the view just shown, once it has rendered. */
async function focusField(testid: string): Promise<void> {
  await nextTick();
  const doc = (globalThis as { document?: FocusableDocument }).document;
  doc?.querySelector(`[data-testid="${testid}"]`)?.focus();
}

/**
 * Carries out the application menu's actions (`app.menu` events). The shell only says what was
 * chosen; this store decides what the views do, so Electron and web mode share the behaviour.
 */
export const useMenuActionsStore = defineStore('menuActions', () => {
  const navigation = useNavigationStore();
  const projects = useProjectsStore();
  const app = useAppStore();
  let unsubscribe: (() => void) | null = null;

  async function handle(event: MenuEvent): Promise<void> {
    switch (event.action) {
      case 'new-project':
        navigation.navigate('projects');
        await focusField('create-name');
        return;
      case 'open-project': {
        navigation.navigate('projects');
        const outcome = await askNativePicker(
          useApi(),
          nativePickRequest('file', 'Open a ModeScope project', app.info?.defaultProjectDir ?? ''),
        );
        if (outcome.kind === 'chosen') await projects.open(outcome.path);
        else if (outcome.kind === 'unsupported') await focusField('open-path');
        return;
      }
      case 'open-recent':
        // Shown on Projects so that a failure (moved file, locked project) is seen where it is explained.
        navigation.navigate('projects');
        await projects.open(event.path);
        return;
      case 'close-project':
        await projects.close();
        return;
      case 'export-run':
        navigation.navigate('export');
        return;
    }
  }

  function start(): void {
    if (unsubscribe) return;
    unsubscribe = useApi().on('app.menu', (event) => void handle(event));
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return { handle, start, stop };
});
