/**
 * Path text as the services' machine writes it. The renderer may run on another machine than the
 * services (web mode), so it cannot use node:path and must infer the separator from the path.
 */
export type PathSeparator = '/' | '\\';

const windowsDrive = /^[A-Za-z]:[\\/]?$/;

export function separatorOf(path: string): PathSeparator {
  if (path.includes('\\') && !path.includes('/')) return '\\';
  if (/^[A-Za-z]:/.test(path) && path.includes('\\')) return '\\';
  return '/';
}

function isRoot(path: string): boolean {
  return path === '/' || path === '\\' || windowsDrive.test(path);
}

function trimTrailingSeparators(path: string): string {
  if (isRoot(path)) return path;
  return path.replace(/[\\/]+$/, '') || path.slice(0, 1);
}

/** Joins a folder and a name with the folder's own separator. */
export function joinPath(folder: string, name: string): string {
  const base = trimTrailingSeparators(folder.trim());
  if (base === '') return name;
  if (/[\\/]$/.test(base)) return base + name;
  return `${base}${separatorOf(base)}${name}`;
}

/** The last component of a path ('' for a root). */
export function baseName(path: string): string {
  const trimmed = trimTrailingSeparators(path);
  if (isRoot(trimmed)) return '';
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** The folder that holds a path, or null for a root or a bare name. */
export function parentPath(path: string): string | null {
  const trimmed = trimTrailingSeparators(path);
  if (isRoot(trimmed)) return null;
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return null;
  if (cut === 0) return trimmed.slice(0, 1);
  const head = trimmed.slice(0, cut);
  // "C:" alone means "current directory on C", not the drive root.
  return /^[A-Za-z]:$/.test(head) ? `${head}${trimmed.charAt(cut)}` : head;
}
