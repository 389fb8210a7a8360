import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { DirEntry } from '../../src-shared/domain/project';
import { RpcError } from '../../src-shared/rpc/errors';

const MAX_ENTRIES = 5000;

/**
 * Directory listing for the path picker. The renderer cannot touch the file system itself (web
 * mode has no native dialog; Electron's renderer is sandboxed), so the services list folders on
 * its behalf. Hidden entries are left out; directories come first.
 */
export async function listDirectory(
  path: string,
  extensions?: string[],
): Promise<{ path: string; parent: string | null; entries: DirEntry[] }> {
  const dir = resolve(path);
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new RpcError('NOT_FOUND', `folder not found: ${dir}`, { path: dir });
  }
  if (!info.isDirectory()) throw new RpcError('NOT_FOUND', `not a folder: ${dir}`, { path: dir });

  const wanted = extensions?.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new RpcError('NOT_WRITABLE', `cannot read folder ${dir}: ${(err as Error).message}`, { path: dir });
  }
  const entries: DirEntry[] = [];
  for (const d of names) {
    if (d.name.startsWith('.')) continue;
    const full = join(dir, d.name);
    const kind = d.isDirectory() ? 'directory' : d.isFile() ? 'file' : 'other';
    if (kind === 'file' && wanted && !wanted.includes(extname(d.name).toLowerCase())) continue;
    let size = 0;
    if (kind === 'file') {
      try {
        size = (await stat(full)).size;
      } catch {
        continue;
      }
    }
    entries.push({ name: d.name, path: full, kind, size });
    if (entries.length >= MAX_ENTRIES) break;
  }
  entries.sort((a, b) =>
    a.kind === b.kind
      ? a.name.localeCompare(b.name)
      : a.kind === 'directory'
        ? -1
        : b.kind === 'directory'
          ? 1
          : 0,
  );
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, entries };
}
