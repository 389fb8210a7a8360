import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import { ExportCancelledError } from '../../src-main/export/exportArray';
import { ExportError } from '../../src-main/export/exportError';
import { exportRpcError } from '../../src-main/services/exports/exportErrors';
import {
  checkFileTarget,
  checkFolderTarget,
  writeFileAtomically,
  writeFolderAtomically,
} from '../../src-main/services/exports/exportTarget';

const dir = mkdtempSync(path.join(tmpdir(), 'modescope-export-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'resolved';
}

const hidden = () => readdirSync(dir).filter((n) => n.startsWith('.'));

describe('export targets', () => {
  it('accepts an absent or empty folder, refuses a file or a non-empty folder without overwrite', async () => {
    await expect(checkFolderTarget(path.join(dir, 'absent', 'deeper'), false)).resolves.toBeUndefined();
    mkdirSync(path.join(dir, 'empty'));
    await expect(checkFolderTarget(path.join(dir, 'empty'), false)).resolves.toBeUndefined();
    writeFileSync(path.join(dir, 'plain'), 'x');
    expect(await codeOf(checkFolderTarget(path.join(dir, 'plain'), true))).toBe(
      `INVALID_INPUT: ${path.join(dir, 'plain')} exists and is not a folder`,
    );
    expect(await codeOf(checkFileTarget(path.join(dir, 'empty'), true))).toMatch(
      /^INVALID_INPUT: .* is a folder/,
    );
    expect(await codeOf(checkFileTarget(path.join(dir, 'plain'), false))).toMatch(/^ALREADY_EXISTS/);
    expect(await codeOf(checkFileTarget('x.npy', false))).toBe(
      'INVALID_INPUT: path must be an absolute path, got x.npy',
    );
  });

  it('keeps the old folder and removes the temporary when writing fails', async () => {
    const folder = path.join(dir, 'kept');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'old.txt'), 'old');
    const failing = writeFolderAtomically(folder, true, async (temporary) => {
      writeFileSync(path.join(temporary, 'half.npy'), 'half');
      throw new ExportCancelledError('half.npy');
    });
    await expect(failing).rejects.toBeInstanceOf(ExportCancelledError);
    expect(readdirSync(folder)).toEqual(['old.txt']);
    expect(hidden()).toEqual([]);

    await writeFolderAtomically(folder, true, async (temporary) => {
      writeFileSync(path.join(temporary, 'new.txt'), 'new');
    });
    expect(readdirSync(folder)).toEqual(['new.txt']);
    expect(hidden()).toEqual([]);
  });

  it('writes a file through a temporary beside it', async () => {
    const file = path.join(dir, 'one.csv');
    await writeFileAtomically(file, false, async (temporary) => {
      expect(path.dirname(temporary)).toBe(dir);
      writeFileSync(temporary, 'a\n1\n');
    });
    expect(readFileSync(file, 'utf8')).toBe('a\n1\n');
    await expect(
      writeFileAtomically(file, true, async () => {
        throw new ExportError('bad shape');
      }),
    ).rejects.toThrow('bad shape');
    expect(readFileSync(file, 'utf8')).toBe('a\n1\n');
    expect(hidden()).toEqual([]);
  });

  it('maps writer and file-system errors to typed RPC errors', () => {
    const cancelled = exportRpcError(new ExportCancelledError('x'), 'job-1') as RpcError;
    expect([cancelled.code, cancelled.details]).toEqual(['CANCELLED', { jobId: 'job-1' }]);
    expect((exportRpcError(new ExportError('bad name')) as RpcError).code).toBe('INVALID_INPUT');
    const full = Object.assign(new Error('no space'), { code: 'ENOSPC', path: '/x/y.npy' });
    const mapped = exportRpcError(full) as RpcError;
    expect([mapped.code, mapped.message]).toEqual(['NOT_WRITABLE', 'cannot write /x/y.npy (ENOSPC)']);
    const other = new TypeError('bug');
    expect(exportRpcError(other)).toBe(other);
  });
});
