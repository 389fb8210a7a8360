/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** The ModeScopeBridge set by the Electron preload; absent in web mode. Checked before use (api/connectionPlan). */
  modescope?: unknown;
}
