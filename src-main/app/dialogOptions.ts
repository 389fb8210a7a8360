import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { PickPathRequest } from '../../src-shared/rpc/channels/app';

export type NativeDialog =
  { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions };

/** Maps a contract request onto Electron's dialog options. */
export function nativeDialogFor(request: PickPathRequest): NativeDialog {
  const common = {
    ...(request.title !== undefined ? { title: request.title } : {}),
    ...(request.defaultPath !== undefined ? { defaultPath: request.defaultPath } : {}),
    ...(request.filters !== undefined
      ? { filters: request.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) }
      : {}),
  };
  switch (request.mode) {
    case 'openFile':
      return { kind: 'open', options: { ...common, properties: ['openFile'] } };
    case 'openFolder':
      // Folders are picked to create projects or import sessions in: let people make one here.
      return { kind: 'open', options: { ...common, properties: ['openDirectory', 'createDirectory'] } };
    case 'saveFile':
      return {
        kind: 'save',
        options: { ...common, properties: ['createDirectory', 'showOverwriteConfirmation'] },
      };
  }
}

/** What the dialogs answer, reduced to the contract's list of chosen paths (empty = cancelled). */
export function chosenPaths(result: {
  canceled: boolean;
  filePaths?: string[];
  filePath?: string | undefined;
}): string[] {
  if (result.canceled) return [];
  if (result.filePaths) return result.filePaths;
  return result.filePath ? [result.filePath] : [];
}
