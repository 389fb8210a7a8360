import { joinPath } from './filePaths';

export const PROJECT_EXTENSION = '.modescope';

export function hasProjectExtension(name: string): boolean {
  return name.toLowerCase().endsWith(PROJECT_EXTENSION);
}

/** Appends `.modescope` unless the name already ends with it (in any letter case). */
export function withProjectExtension(fileName: string): string {
  const trimmed = fileName.trim();
  return hasProjectExtension(trimmed) ? trimmed : `${trimmed}${PROJECT_EXTENSION}`;
}

/**
 * A file name derived from a project name: letters, digits, dot, dash and underscore kept,
 * everything else collapsed to dashes, so the name is safe on every file system.
 */
export function suggestFileName(projectName: string): string {
  const slug = projectName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return slug === '' ? 'project' : slug;
}

/** Why a file name cannot be used, or null when it can. */
export function fileNameProblem(fileName: string): string | null {
  const trimmed = fileName.trim();
  if (trimmed === '') return 'file name is empty';
  if (/[\\/]/.test(trimmed)) return 'file name must not contain / or \\ (choose the folder separately)';
  if (trimmed.includes('\0')) return 'file name contains a NUL byte';
  if (trimmed === '.' || trimmed === '..') return `"${trimmed}" is not a file name`;
  if (withProjectExtension(trimmed).toLowerCase() === PROJECT_EXTENSION)
    return 'file name has nothing before .modescope';
  return null;
}

/** The full path of the project file to create. */
export function projectFilePath(folder: string, fileName: string): string {
  return joinPath(folder, withProjectExtension(fileName));
}
