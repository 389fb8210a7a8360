import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { z } from 'zod';
import App from './App.vue';
import { connectApi } from './api/connectApi';
import type { RendererEnvironment } from './api/connectionPlan';
import { setApi } from './api/currentApi';
import ConnectionProblemPage from './components/ConnectionProblemPage.vue';
import { useAppStore } from './stores/app';
import './styles/app.css';

// The CSP forbids eval; without this zod probes `new Function` on first parse, and the browser
// reports that probe as a CSP violation even though zod catches it.
z.config({ jitless: true });

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Access throws when storage is disabled for the page.
    return null;
  }
}

function browserEnvironment(): RendererEnvironment {
  return {
    bridge: window.modescope,
    location: window.location,
    storage: sessionStorageOrNull(),
    history: window.history,
  };
}

async function bootstrap(): Promise<void> {
  const pinia = createPinia();
  const outcome = await connectApi(browserEnvironment(), (url) => new WebSocket(url), {
    onLost: (problem) => useAppStore(pinia).reportConnectionLost(problem),
  });
  if (!outcome.ok) {
    createApp(ConnectionProblemPage, { problem: outcome.problem }).mount('#app');
    return;
  }
  setApi(outcome.api);
  createApp(App).use(pinia).mount('#app');
}

void bootstrap();
