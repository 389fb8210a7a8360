import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseWindowState, serialiseWindowState, type WindowState } from './windowState';

/** Kept beside recent-projects.json in the user's config directory. */
export function windowStatePath(configDir: string): string {
  return join(configDir, 'window-state.json');
}

export function readWindowState(configDir: string): WindowState | null {
  const file = windowStatePath(configDir);
  if (!existsSync(file)) return null;
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

export function writeWindowState(configDir: string, state: WindowState): void {
  const file = windowStatePath(configDir);
  mkdirSync(dirname(file), { recursive: true });
  // Written whole then renamed, so a crash mid-write leaves the previous state readable.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(serialiseWindowState(state), null, 2));
  renameSync(tmp, file);
}
