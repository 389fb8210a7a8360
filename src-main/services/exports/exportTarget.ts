import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../src-shared/rpc/errors';

/**
 * Exports never leave half-written output: everything is written into a hidden temporary sibling
 * of the target (same folder, so the final rename is atomic on one file system) and moved into
 * place only when complete. A failure or a cancel removes the temporary; an existing target is
 * replaced only with `overwrite`, and only after the new output is complete.
 */

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function notWritable(target: string, error: unknown): RpcError {
  return new RpcError('NOT_WRITABLE', `cannot write to ${target} (${errnoCode(error) ?? String(error)})`, {
    path: target,
  });
}

async function statOrNull(target: string) {
  try {
    return await stat(target);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw notWritable(target, error);
  }
}

function checkAbsolute(target: string, field: string): void {
  if (!path.isAbsolute(target)) {
    throw new RpcError('INVALID_INPUT', `${field} must be an absolute path, got ${target}`, { field });
  }
}

/** Creates the parent folders of `target` and checks that we may create entries in it. */
async function writableParent(target: string): Promise<string> {
  const parent = path.dirname(target);
  try {
    await mkdir(parent, { recursive: true });
    await access(parent, constants.W_OK);
  } catch (error) {
    throw notWritable(parent, error);
  }
  return parent;
}

const tempName = (target: string, what: string) =>
  path.join(path.dirname(target), `.${path.basename(target)}.${what}-${randomBytes(4).toString('hex')}`);

/** Checks a target folder before any work is done: absent, empty, or `overwrite`. */
export async function checkFolderTarget(folder: string, overwrite: boolean): Promise<void> {
  checkAbsolute(folder, 'folder');
  const existing = await statOrNull(folder);
  if (existing && !existing.isDirectory()) {
    throw new RpcError('INVALID_INPUT', `${folder} exists and is not a folder`, { field: 'folder' });
  }
  if (existing && !overwrite && (await readdir(folder)).length > 0) {
    throw new RpcError(
      'ALREADY_EXISTS',
      `${folder} exists and is not empty; choose another folder or allow overwriting`,
      { field: 'folder', path: folder },
    );
  }
  await writableParent(folder);
}

/** Checks a target file before any work is done: absent, or `overwrite` of a file. */
export async function checkFileTarget(file: string, overwrite: boolean): Promise<void> {
  checkAbsolute(file, 'path');
  const existing = await statOrNull(file);
  if (existing?.isDirectory()) {
    throw new RpcError('INVALID_INPUT', `${file} is a folder; give a file path`, { field: 'path' });
  }
  if (existing && !overwrite) {
    throw new RpcError('ALREADY_EXISTS', `${file} exists; choose another name or allow overwriting`, {
      field: 'path',
      path: file,
    });
  }
  await writableParent(file);
}

/** Moves a finished temporary into place, replacing what is there (after the new one is complete). */
async function replaceWith(temporary: string, target: string): Promise<void> {
  const existing = await statOrNull(target);
  if (!existing) {
    await rename(temporary, target);
    return;
  }
  const old = tempName(target, 'old');
  await rename(target, old);
  try {
    await rename(temporary, target);
  } catch (error) {
    await rename(old, target);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

/** Runs `write` on a temporary folder and moves it to `folder` when it succeeds. */
export async function writeFolderAtomically<T>(
  folder: string,
  overwrite: boolean,
  write: (temporary: string) => Promise<T>,
): Promise<T> {
  await checkFolderTarget(folder, overwrite);
  const temporary = tempName(folder, 'partial');
  try {
    await mkdir(temporary);
  } catch (error) {
    throw notWritable(path.dirname(folder), error);
  }
  try {
    const result = await write(temporary);
    await replaceWith(temporary, folder);
    return result;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Runs `write` on a temporary file beside `file` and renames it to `file` when it succeeds. */
export async function writeFileAtomically<T>(
  file: string,
  overwrite: boolean,
  write: (temporary: string) => Promise<T>,
): Promise<T> {
  await checkFileTarget(file, overwrite);
  const temporary = tempName(file, 'partial');
  try {
    const result = await write(temporary);
    await replaceWith(temporary, file);
    return result;
  } finally {
    await rm(temporary, { force: true });
  }
}
