import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Migration } from './migrations';

/** The version a list of migrations leads to; throws if the list is not 1, 2, … N in order. */
export function targetVersion(migrations: readonly Migration[]): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration list is out of order: position ${index} holds version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
  return migrations.length;
}

export class MigrationError extends Error {
  constructor(
    readonly version: number,
    cause: unknown,
  ) {
    super(`migration ${version} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

/**
 * Applies every migration above `fromVersion`, each in its own transaction together with the
 * `user_version` bump: a failure leaves the file at the last version that completed.
 */
export function applyMigrations(
  db: Database.Database,
  fromVersion: number,
  migrations: readonly Migration[],
): number[] {
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= fromVersion) continue;
    try {
      db.transaction(() => {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } catch (error) {
      throw new MigrationError(migration.version, error);
    }
    applied.push(migration.version);
  }
  return applied;
}

function timestampForFileName(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `<file>.v<version>-backup-<UTC timestamp>`, with a counter if that name is taken. */
export function backupPathFor(filePath: string, version: number, now = new Date()): string {
  const base = `${filePath}.v${version}-backup-${timestampForFileName(now)}`;
  let candidate = base;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Writes a consistent standalone copy of the open database before it is migrated. VACUUM INTO
 * reads through SQLite, so pages still in the write-ahead log are included and concurrent readers
 * do not get in the way (a plain file copy would need a full checkpoint first).
 */
export function writeBackup(db: Database.Database, backupPath: string): void {
  db.prepare('VACUUM INTO ?').run(backupPath);
}
