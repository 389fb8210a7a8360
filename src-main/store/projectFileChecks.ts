import type Database from 'better-sqlite3';
import { RpcError, isRpcError } from '../../src-shared/rpc/errors';

/** `PRAGMA application_id` of every ModeScope project: "MSCP" in ASCII. */
export const PROJECT_APPLICATION_ID = 0x4d534350;

/**
 * Refuses files that are not ours or are newer than this build. Called on the raw file header
 * before SQLite is opened (so a refused file is not touched at all) and again on the values SQLite
 * reports, which include pages still in the write-ahead log.
 */
export function assertProjectIdentity(
  filePath: string,
  applicationId: number,
  userVersion: number,
  supportedVersion: number,
): void {
  if (applicationId !== PROJECT_APPLICATION_ID) {
    throw new RpcError(
      'NOT_A_PROJECT',
      `${filePath} is an SQLite database but not a ModeScope project (application_id ${applicationId})`,
      { path: filePath, applicationId },
    );
  }
  if (userVersion > supportedVersion) {
    throw new RpcError(
      'PROJECT_TOO_NEW',
      `${filePath} has schema version ${userVersion}, but this ModeScope supports versions up to ${supportedVersion}; open it with a newer ModeScope`,
      { path: filePath, fileVersion: userVersion, supportedVersion },
    );
  }
  if (userVersion < 1) {
    throw new RpcError(
      'NOT_A_PROJECT',
      `${filePath} is marked as a ModeScope project but has no schema (its creation never completed)`,
      { path: filePath, fileVersion: userVersion },
    );
  }
}

/** `PRAGMA quick_check`: the b-tree structure of every page, without the slower index cross-checks. */
export function assertNotCorrupt(db: Database.Database, filePath: string): void {
  const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((message) => message !== 'ok');
  if (problems.length > 0) {
    throw new RpcError('PROJECT_CORRUPT', `${filePath} is damaged: ${problems[0]}`, {
      path: filePath,
      problems,
    });
  }
}

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Turns what SQLite or the file system threw while opening a project into a typed error. */
export function toProjectOpenError(error: unknown, filePath: string): RpcError {
  if (isRpcError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error);
  if (code !== undefined) {
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      return new RpcError('PROJECT_CORRUPT', `${filePath} is damaged: ${message}`, {
        path: filePath,
        sqliteCode: code,
      });
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new RpcError('PROJECT_LOCKED', `${filePath} is busy in another process: ${message}`, {
        path: filePath,
        sqliteCode: code,
        holder: null,
      });
    }
    if (code === 'SQLITE_READONLY_ROLLBACK') {
      // A hot rollback journal (a writer killed during a bulk write): only a writer can undo it.
      return new RpcError(
        'NOT_WRITABLE',
        `${filePath} was left in the middle of a write by a process that stopped; open it for writing once so that the unfinished write is rolled back`,
        { path: filePath, sqliteCode: code },
      );
    }
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') {
      return new RpcError('NOT_WRITABLE', `cannot open ${filePath} for writing: ${message}`, {
        path: filePath,
        sqliteCode: code,
      });
    }
    return new RpcError('INTERNAL', `cannot open ${filePath}: ${message}`, {
      path: filePath,
      sqliteCode: code,
    });
  }
  const errno =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') {
    return new RpcError('NOT_WRITABLE', `cannot access ${filePath}: ${message}`, { path: filePath, errno });
  }
  return new RpcError('INTERNAL', `cannot open ${filePath}: ${message}`, { path: filePath, errno });
}
