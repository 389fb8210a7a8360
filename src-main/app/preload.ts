import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ModeScopeBridge } from '../../src-shared/rpc/bridgeTransport';
import { IPC_EVENT, IPC_INVOKE } from './ipcChannels';

/**
 * The whole surface the sandboxed renderer gets: invoke a contract channel, subscribe to an
 * event. No Node API, no raw ipcRenderer. Validation happens on the main side.
 */
const bridge: ModeScopeBridge = {
  invoke(channel: string, payload: unknown) {
    return ipcRenderer.invoke(IPC_INVOKE, channel, payload);
  },
  subscribe(event: string, listener: (payload: unknown) => void) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('modescope', bridge);
