import type { PickPathRequest } from '../../src-shared/rpc/channels/app';
import type { ModeScopeApi } from '../../src-shared/rpc/client';
import type { PickerMode } from './directoryListing';
import { PROJECT_EXTENSION } from './projectFileName';

export type NativePickOutcome =
  | { kind: 'chosen'; path: string }
  | { kind: 'cancelled' }
  /** No native dialog here (web mode, or a server without the channel): use the in-app picker. */
  | { kind: 'unsupported' };

export function nativePickRequest(mode: PickerMode, title: string, startPath: string): PickPathRequest {
  const defaultPath = startPath.trim();
  return {
    mode: mode === 'folder' ? 'openFolder' : 'openFile',
    title,
    ...(defaultPath !== '' ? { defaultPath } : {}),
    ...(mode === 'file'
      ? { filters: [{ name: 'ModeScope project', extensions: [PROJECT_EXTENSION.slice(1)] }] }
      : {}),
  };
}

/** Asks the shell for its native dialog first; any failure falls back to the in-app picker. */
export async function askNativePicker(
  api: Pick<ModeScopeApi, 'app'>,
  request: PickPathRequest,
): Promise<NativePickOutcome> {
  try {
    const answer = await api.app.pickPath(request);
    if (!answer.supported) return { kind: 'unsupported' };
    const [path] = answer.paths;
    return path === undefined ? { kind: 'cancelled' } : { kind: 'chosen', path };
  } catch {
    return { kind: 'unsupported' };
  }
}
