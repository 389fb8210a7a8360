/** The two IPC channel names the preload bridge uses; everything else travels inside them. */
export const IPC_INVOKE = 'modescope:invoke';
export const IPC_EVENT = 'modescope:event';
