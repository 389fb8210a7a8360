import type Database from 'better-sqlite3';

/**
 * One numbered step of the schema. `up` runs inside a transaction that also sets
 * `PRAGMA user_version = version`, so a step is applied completely or not at all.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}
