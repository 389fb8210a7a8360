import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ResponseOf } from '../../src-shared/rpc/contract';
import type { ConnectionProblem } from '../api/connectionProblem';
import { useApi } from '../api/currentApi';
import { toDisplayError, type DisplayError } from '../api/displayError';

export type AppInfo = ResponseOf<'app.info'>;

/** Facts about the running app and the health of its connection. */
export const useAppStore = defineStore('app', () => {
  const info = shallowRef<AppInfo | null>(null);
  const infoError = ref<DisplayError | null>(null);
  /** Set when an established connection drops; the shell then shows a full-page message. */
  const connectionLost = shallowRef<ConnectionProblem | null>(null);

  async function loadInfo(): Promise<void> {
    try {
      info.value = await useApi().app.info({});
      infoError.value = null;
    } catch (err) {
      infoError.value = toDisplayError(err);
    }
  }

  function reportConnectionLost(problem: ConnectionProblem): void {
    connectionLost.value = problem;
  }

  return { info, infoError, connectionLost, loadInfo, reportConnectionLost };
});
