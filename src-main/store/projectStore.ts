import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from './sqliteBinding';
import { RpcError } from '../../src-shared/rpc/errors';
import {
  MigrationError,
  applyMigrations,
  backupPathFor,
  targetVersion,
  writeBackup,
} from './migrationRunner';
import { migrations as builtInMigrations, type Migration } from './migrations';
import {
  PROJECT_APPLICATION_ID,
  assertNotCorrupt,
  assertProjectIdentity,
  toProjectOpenError,
} from './projectFileChecks';
import { ProjectLock } from './projectLock';
import { hasPendingWal, readSqliteHeader } from './sqliteHeader';

export { PROJECT_APPLICATION_ID } from './projectFileChecks';

export const PROJECT_FILE_EXTENSION = '.modescope';

/** The schema version this build writes; files above it are refused, files below it migrated. */
export const SUPPORTED_SCHEMA_VERSION = targetVersion(builtInMigrations);

const BUSY_TIMEOUT_MS = 5_000;
const PAGE_SIZE = 16_384;

export interface ProjectMeta {
  projectId: string;
  name: string;
  createdAt: string;
  createdByAppVersion: string | null;
  schemaVersion: number;
}

export interface ProjectCounts {
  datasets: number;
  runs: number;
}

export interface ActionLogEntry {
  id: number;
  at: string;
  kind: string;
  payload: unknown;
  cli: string | null;
}

/** What opening did to an older file, so the app can tell the user where the backup is. */
export interface ProjectUpgrade {
  fromVersion: number;
  toVersion: number;
  backupPath: string;
}

export interface CreateProjectOptions {
  name: string;
  appVersion?: string;
  /** Tests and tools only: the schema steps to use instead of this build's. */
  migrations?: readonly Migration[];
}

export interface OpenProjectOptions {
  readOnly?: boolean;
  appVersion?: string;
  /**
   * Take the lock even though its holder looks alive, e.g. a lock written on a host whose name has
   * since changed (containers). Only after the user has confirmed that no other writer is open.
   * A lock held by this same process is never taken over.
   */
  takeOverLock?: boolean;
  /** `PRAGMA quick_check` on open (default). 'none' skips it for callers that just ran one. */
  verify?: 'quick' | 'none';
  /** Tests and tools only: the schema steps to use instead of this build's. */
  migrations?: readonly Migration[];
}

const openStores = new Set<ProjectStore>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Closing checkpoints the write-ahead log into the main file, so a project copied after the app
  // exits is complete on its own; close() also releases the lock.
  process.on('exit', () => {
    for (const store of [...openStores]) store.close();
  });
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function assertCreatableFolder(filePath: string): void {
  const folder = path.dirname(filePath);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (error) {
    const errno = errnoOf(error);
    const why =
      errno === 'ENOENT' ? 'does not exist' : errno === 'ENOTDIR' ? 'is not a folder' : `(${errno})`;
    throw new RpcError('NOT_WRITABLE', `cannot create ${filePath}: the folder ${folder} ${why}`, {
      path: filePath,
      folder,
      errno,
    });
  }
  if (!stat.isDirectory()) {
    throw new RpcError('NOT_WRITABLE', `cannot create ${filePath}: ${folder} is not a folder`, {
      path: filePath,
      folder,
    });
  }
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch (error) {
    throw new RpcError('NOT_WRITABLE', `cannot create ${filePath}: the folder ${folder} is not writable`, {
      path: filePath,
      folder,
      errno: errnoOf(error),
    });
  }
}

function removeDatabaseFiles(filePath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${filePath}${suffix}`, { force: true });
}

function configureWriter(db: Database.Database, filePath: string): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new RpcError(
      'NOT_WRITABLE',
      `${filePath}: the file system does not support SQLite's WAL mode (got ${String(mode)})`,
      {
        path: filePath,
      },
    );
  }
  // FULL: each commit is on disk before it returns, so a power cut cannot roll back a checkpoint
  // the UI already reported as saved. Writes are batched per transaction, so the cost is small.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('trusted_schema = OFF');
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  db.pragma('cache_size = -32768');
}

function configureReader(db: Database.Database): void {
  db.pragma('foreign_keys = ON');
  db.pragma('trusted_schema = OFF');
  db.pragma('cache_size = -32768');
}

function hasProjectMeta(db: Database.Database): boolean {
  const table = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'project_meta'")
    .get();
  return table !== undefined && db.prepare('SELECT 1 FROM project_meta WHERE id = 1').get() !== undefined;
}

/** Identity, structure and project record of an open connection; returns the schema version. */
function inspectProjectDatabase(
  db: Database.Database,
  filePath: string,
  supported: number,
  verify: boolean,
): number {
  const applicationId = Number(db.pragma('application_id', { simple: true }));
  const fileVersion = Number(db.pragma('user_version', { simple: true }));
  assertProjectIdentity(filePath, applicationId, fileVersion, supported);
  if (verify) assertNotCorrupt(db, filePath);
  if (!hasProjectMeta(db)) {
    throw new RpcError('NOT_A_PROJECT', `${filePath} has no project record`, { path: filePath });
  }
  return fileVersion;
}

/** Streamed arrays that a crashed writer never finished; only the single writer can own them. */
function dropUnfinishedArrays(db: Database.Database): number {
  return db.prepare("DELETE FROM arrays WHERE status = 'writing'").run().changes;
}

/**
 * One open `.modescope` project file. Writers hold the project's lock file for as long as they
 * are open; read-only stores take no lock and may sit beside a writer.
 */
export class ProjectStore {
  private handle: Database.Database | undefined;
  private lock: ProjectLock | undefined;

  private constructor(
    db: Database.Database,
    readonly path: string,
    readonly readOnly: boolean,
    lock: ProjectLock | undefined,
    readonly schemaVersion: number,
    readonly upgrade: ProjectUpgrade | null,
  ) {
    this.handle = db;
    this.lock = lock;
    openStores.add(this);
  }

  /**
   * Creates a new project file and opens it for writing. The schema, the application id and the
   * project's meta row are written in one transaction: the file is a complete project or nothing.
   */
  static create(filePath: string, opts: CreateProjectOptions): ProjectStore {
    const name = typeof opts.name === 'string' ? opts.name.trim() : '';
    if (name.length === 0) throw new RpcError('INVALID_INPUT', 'project name is empty', { field: 'name' });
    const migrationList = opts.migrations ?? builtInMigrations;
    const version = targetVersion(migrationList);
    const absPath = path.resolve(filePath);
    installExitHook();

    assertCreatableFolder(absPath);
    if (fs.existsSync(absPath)) {
      throw new RpcError('ALREADY_EXISTS', `${absPath} already exists`, { path: absPath });
    }
    const lock = ProjectLock.acquire(absPath, { appVersion: opts.appVersion });
    let db: Database.Database | undefined;
    let createdFile = false;
    try {
      // A log or journal left by a deleted file of the same name would be replayed into the new
      // database by SQLite; with no main file, it belongs to nothing, and we hold the lock.
      for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${absPath}${suffix}`, { force: true });
      try {
        fs.closeSync(fs.openSync(absPath, 'wx', 0o644));
      } catch (error) {
        if (errnoOf(error) === 'EEXIST') {
          throw new RpcError('ALREADY_EXISTS', `${absPath} already exists`, { path: absPath });
        }
        throw error;
      }
      createdFile = true;
      db = new Database(absPath, sqliteOptions({ fileMustExist: true, timeout: BUSY_TIMEOUT_MS }));
      // Set before the first table exists; larger pages roughly double the throughput of
      // chunk BLOBs (measured: ~75 → ~170 MiB/s streaming float32) at little cost to small rows.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      configureWriter(db, absPath);
      const handle = db;
      handle
        .transaction(() => {
          for (const migration of migrationList) migration.up(handle);
          handle.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
          handle.pragma(`user_version = ${version}`);
          handle
            .prepare(
              'INSERT INTO project_meta (id, project_id, name, created_at, created_by_app_version) VALUES (1, ?, ?, ?, ?)',
            )
            .run(randomUUID(), name, new Date().toISOString(), opts.appVersion ?? null);
        })
        .immediate();
      return new ProjectStore(db, absPath, false, lock, version, null);
    } catch (error) {
      db?.close();
      if (createdFile) removeDatabaseFiles(absPath);
      lock.release();
      throw toProjectOpenError(error, absPath);
    }
  }

  /**
   * Opens an existing project. Refusals (missing, not SQLite, not ours, damaged, too new) leave the
   * file byte-for-byte as it was. An older file is copied to `<file>.v<N>-backup-<time>` and then
   * migrated step by step.
   */
  static open(filePath: string, opts: OpenProjectOptions = {}): ProjectStore {
    const readOnly = opts.readOnly === true;
    const migrationList = opts.migrations ?? builtInMigrations;
    const supported = targetVersion(migrationList);
    const absPath = path.resolve(filePath);
    installExitHook();

    let stat: fs.Stats;
    try {
      stat = fs.statSync(absPath);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'ENOENT' || errno === 'ENOTDIR') {
        throw new RpcError('NOT_FOUND', `${absPath} does not exist`, { path: absPath });
      }
      throw toProjectOpenError(error, absPath);
    }
    if (!stat.isFile()) {
      throw new RpcError('NOT_A_PROJECT', `${absPath} is not a file`, { path: absPath });
    }
    let header: ReturnType<typeof readSqliteHeader>;
    try {
      header = readSqliteHeader(absPath);
    } catch (error) {
      throw toProjectOpenError(error, absPath);
    }
    if (header.kind === 'not-sqlite') {
      throw new RpcError('NOT_A_PROJECT', `${absPath} is not a ModeScope project: ${header.reason}`, {
        path: absPath,
        reason: header.reason,
      });
    }
    let verify = opts.verify !== 'none';
    const pendingWal = hasPendingWal(absPath);
    // Without a pending log the header is the whole truth, and refusing here opens nothing.
    if (!pendingWal) assertProjectIdentity(absPath, header.applicationId, header.userVersion, supported);

    const lock = readOnly
      ? undefined
      : ProjectLock.acquire(absPath, { appVersion: opts.appVersion, takeOver: opts.takeOverLock === true });
    let db: Database.Database | undefined;
    try {
      if (pendingWal && !readOnly) {
        // A read-write connection checkpoints the log into the file when it closes, even after a
        // refusal; so a file with a pending log is judged through a read-only connection first.
        const inspector = new Database(
          absPath,
          sqliteOptions({ readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }),
        );
        try {
          inspectProjectDatabase(inspector, absPath, supported, verify);
        } finally {
          inspector.close();
        }
        verify = false;
      }
      db = new Database(
        absPath,
        sqliteOptions({ readonly: readOnly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }),
      );
      // Judged on the connection that will be used: it sees pages still in the log, and another
      // build may have migrated the file since the header was read.
      const fileVersion = inspectProjectDatabase(db, absPath, supported, verify);

      if (readOnly) {
        if (fileVersion < supported) {
          throw new RpcError(
            'NOT_WRITABLE',
            `${absPath} has schema version ${fileVersion} and must be upgraded to ${supported} before it can be opened read-only; open it for writing once`,
            { path: absPath, fileVersion, supportedVersion: supported },
          );
        }
        configureReader(db);
        return new ProjectStore(db, absPath, true, undefined, fileVersion, null);
      }

      configureWriter(db, absPath);
      let upgrade: ProjectUpgrade | null = null;
      if (fileVersion < supported) {
        const backupPath = backupPathFor(absPath, fileVersion);
        writeBackup(db, backupPath);
        upgrade = { fromVersion: fileVersion, toVersion: supported, backupPath };
        try {
          applyMigrations(db, fileVersion, migrationList);
        } catch (error) {
          if (!(error instanceof MigrationError)) throw error;
          const reachedVersion = Number(db.pragma('user_version', { simple: true }));
          throw new RpcError(
            'INTERNAL',
            `cannot upgrade ${absPath}: ${error.message}; the file stays at schema version ${reachedVersion} and the original is in ${backupPath}`,
            { path: absPath, failedVersion: error.version, fileVersion: reachedVersion, backupPath },
          );
        }
      }
      dropUnfinishedArrays(db);
      return new ProjectStore(db, absPath, false, lock, supported, upgrade);
    } catch (error) {
      db?.close();
      lock?.release();
      throw toProjectOpenError(error, absPath);
    }
  }

  /** The better-sqlite3 connection, for repositories in this folder and services. */
  get db(): Database.Database {
    if (this.handle === undefined) {
      throw new RpcError('NO_PROJECT_OPEN', `project ${this.path} has been closed`, { path: this.path });
    }
    return this.handle;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  /** Throws the error a write to a read-only project deserves, naming what was attempted. */
  assertWritable(operation: string): void {
    if (this.readOnly) {
      throw new RpcError('NOT_WRITABLE', `cannot ${operation}: project ${this.path} is open read-only`, {
        path: this.path,
      });
    }
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE) and returns its result; inside another
   * transaction it becomes a savepoint. Anything `fn` throws rolls everything back. `fn` must be
   * synchronous: a promise would let the transaction commit before the awaited work is done.
   */
  transaction<T>(fn: () => T): T {
    this.assertWritable('write');
    if (fn.constructor.name === 'AsyncFunction') {
      throw new TypeError('ProjectStore.transaction needs a synchronous function');
    }
    return this.db.transaction(fn).immediate();
  }

  meta(): ProjectMeta {
    const row = this.db
      .prepare('SELECT project_id, name, created_at, created_by_app_version FROM project_meta WHERE id = 1')
      .get() as
      | { project_id: string; name: string; created_at: string; created_by_app_version: string | null }
      | undefined;
    if (row === undefined) {
      throw new RpcError('PROJECT_CORRUPT', `${this.path} has lost its project record`, { path: this.path });
    }
    return {
      projectId: row.project_id,
      name: row.name,
      createdAt: row.created_at,
      createdByAppVersion: row.created_by_app_version,
      schemaVersion: this.schemaVersion,
    };
  }

  counts(): ProjectCounts {
    const row = this.db
      .prepare('SELECT (SELECT count(*) FROM datasets) AS datasets, (SELECT count(*) FROM runs) AS runs')
      .get() as ProjectCounts;
    return { datasets: row.datasets, runs: row.runs };
  }

  /**
   * A full check of the file: SQLite's `integrity_check`, foreign keys, and that every finished
   * array's chunks add up to its row count. Returns one line per problem; an empty list means the
   * project is healthy.
   */
  integrityCheck(): string[] {
    const problems: string[] = [];
    for (const row of this.db.pragma('integrity_check') as { integrity_check: string }[]) {
      if (row.integrity_check !== 'ok') problems.push(row.integrity_check);
    }
    const orphans = this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    for (const row of orphans) {
      problems.push(`${row.table} row ${row.rowid} refers to a missing ${row.parent} row`);
    }
    const badArrays = this.db
      .prepare(
        `SELECT a.id, a.n_rows AS expected, coalesce(sum(c.n_rows), 0) AS actual
           FROM arrays a LEFT JOIN array_chunks c ON c.array_id = a.id
          WHERE a.status = 'complete' GROUP BY a.id HAVING actual != expected`,
      )
      .all() as { id: number; expected: number; actual: number }[];
    for (const row of badArrays) {
      problems.push(`array ${row.id}: chunks hold ${row.actual} rows, expected ${row.expected}`);
    }
    return problems;
  }

  /** Records one user action (and the CLI command that would repeat it) in the action log. */
  appendAction(action: { kind: string; payload: unknown; cli?: string }): ActionLogEntry {
    this.assertWritable('record an action');
    if (typeof action.kind !== 'string' || action.kind.trim().length === 0) {
      throw new RpcError('INVALID_INPUT', 'action kind is empty', { field: 'kind' });
    }
    let payloadJson: string | undefined;
    try {
      payloadJson = JSON.stringify(action.payload ?? null);
    } catch (error) {
      throw new RpcError('INVALID_INPUT', `action payload cannot be stored as JSON: ${String(error)}`, {
        field: 'payload',
      });
    }
    if (payloadJson === undefined) {
      throw new RpcError(
        'INVALID_INPUT',
        `action payload of type ${typeof action.payload} cannot be stored as JSON`,
        {
          field: 'payload',
        },
      );
    }
    const at = new Date().toISOString();
    const cli = action.cli ?? null;
    const info = this.db
      .prepare('INSERT INTO action_log (at, kind, payload_json, cli) VALUES (?, ?, ?, ?)')
      .run(at, action.kind, payloadJson, cli);
    return { id: Number(info.lastInsertRowid), at, kind: action.kind, payload: JSON.parse(payloadJson), cli };
  }

  /** Action log entries in the order they happened, `afterId` exclusive. */
  listActions(opts: { afterId?: number; limit?: number } = {}): ActionLogEntry[] {
    const limit = Math.max(0, Math.min(opts.limit ?? 1000, 100_000));
    const rows = this.db
      .prepare('SELECT id, at, kind, payload_json, cli FROM action_log WHERE id > ? ORDER BY id LIMIT ?')
      .all(opts.afterId ?? 0, limit) as {
      id: number;
      at: string;
      kind: string;
      payload_json: string;
      cli: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      kind: row.kind,
      payload: JSON.parse(row.payload_json) as unknown,
      cli: row.cli,
    }));
  }

  /**
   * Writes a consistent, self-contained copy of the project (log included) to a new file, e.g. to
   * hand it to a colleague while the app keeps it open. Works on read-only stores too.
   */
  copyTo(destPath: string): string {
    const absDest = path.resolve(destPath);
    if (absDest === this.path) {
      throw new RpcError('INVALID_INPUT', `cannot copy ${this.path} onto itself`, { path: absDest });
    }
    assertCreatableFolder(absDest);
    if (fs.existsSync(absDest))
      throw new RpcError('ALREADY_EXISTS', `${absDest} already exists`, { path: absDest });
    writeBackup(this.db, absDest);
    return absDest;
  }

  /** Closes the connection (checkpointing the log into the file) and releases the lock. Idempotent. */
  close(): void {
    const db = this.handle;
    if (db === undefined) return;
    this.handle = undefined;
    openStores.delete(this);
    try {
      if (!this.readOnly && !db.inTransaction) db.pragma('optimize');
    } catch {
      // Only a planner hint; never a reason to keep the file open.
    }
    try {
      db.close();
    } finally {
      this.lock?.release();
      this.lock = undefined;
    }
  }
}
