import type { DirEntry } from '../../src-shared/domain/project';
import { hasProjectExtension } from './projectFileName';

export type PickerMode = 'folder' | 'file';

export interface ListedEntry extends DirEntry {
  kind: 'file' | 'directory';
  /** Folders are always entered; project files are picked only when picking a file. */
  selectable: boolean;
}

/**
 * What the path picker lists: folders first, then project files, each by name. Other files are
 * left out even if the server sent them; project files stay visible when picking a folder so
 * people see which names are taken.
 */
export function listedEntries(
  entries: readonly DirEntry[],
  options: { mode: PickerMode; showHidden: boolean },
): ListedEntry[] {
  const byName = (a: DirEntry, b: DirEntry) =>
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
  const visible = entries.filter((e) => options.showHidden || !e.name.startsWith('.'));
  const folders = visible
    .filter((e) => e.kind === 'directory')
    .sort(byName)
    .map((e) => ({ ...e, kind: 'directory' as const, selectable: true }));
  const projects = visible
    .filter((e) => e.kind === 'file' && hasProjectExtension(e.name))
    .sort(byName)
    .map((e) => ({ ...e, kind: 'file' as const, selectable: options.mode === 'file' }));
  return [...folders, ...projects];
}
