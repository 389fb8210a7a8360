import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import { matchesDtype, swapElementBytes } from '../../src-main/store/arrayDtypes';
import { backupPathFor, targetVersion } from '../../src-main/store/migrationRunner';
import { migrations, type Migration } from '../../src-main/store/migrations';
import {
  PROJECT_APPLICATION_ID,
  assertProjectIdentity,
  toProjectOpenError,
} from '../../src-main/store/projectFileChecks';
import { readSqliteHeader } from '../../src-main/store/sqliteHeader';
import { makeStoreTempDir } from '../helpers/storeTempDir';

let dir: string;
let removeDir: () => void;
beforeEach(() => ({ dir, remove: removeDir } = makeStoreTempDir()));
afterEach(() => removeDir());

function headerBytes(userVersion: number, applicationId: number, rawPageSize = 4096): Buffer {
  const header = Buffer.alloc(100);
  header.write('SQLite format 3\0', 0, 'latin1');
  header.writeUInt16BE(rawPageSize, 16);
  header.writeInt32BE(userVersion, 60);
  header.writeInt32BE(applicationId, 68);
  return header;
}

describe('readSqliteHeader', () => {
  it('reads page size, user_version and application_id from the raw header', () => {
    const file = path.join(dir, 'h.db');
    fs.writeFileSync(file, Buffer.concat([headerBytes(7, PROJECT_APPLICATION_ID, 1), Buffer.alloc(50)]));
    expect(readSqliteHeader(file)).toEqual({
      kind: 'sqlite',
      pageSize: 65536,
      userVersion: 7,
      applicationId: PROJECT_APPLICATION_ID,
    });
  });

  it('tells empty, short and foreign files apart', () => {
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'the file is empty'],
      [headerBytes(1, 1).subarray(0, 99), 'not an SQLite database'],
      [Buffer.from('%PDF-1.7\n'.padEnd(200, ' ')), 'not an SQLite database'],
    ];
    for (const [bytes, reason] of cases) {
      const file = path.join(dir, 'x.bin');
      fs.writeFileSync(file, bytes);
      const header = readSqliteHeader(file);
      expect(header.kind).toBe('not-sqlite');
      expect(header.kind === 'not-sqlite' && header.reason).toContain(reason);
    }
  });
});

describe('project identity', () => {
  it('accepts versions 1..supported of our files only', () => {
    expect(() => assertProjectIdentity('/p', PROJECT_APPLICATION_ID, 2, 2)).not.toThrow();
    expect(() => assertProjectIdentity('/p', PROJECT_APPLICATION_ID, 1, 2)).not.toThrow();
    const codes = [
      [0, 2],
      [PROJECT_APPLICATION_ID + 1, 1],
      [PROJECT_APPLICATION_ID, 3],
      [PROJECT_APPLICATION_ID, 0],
    ].map(([appId, version]) => {
      try {
        assertProjectIdentity('/p', appId!, version!, 2);
        return 'none';
      } catch (error) {
        return (error as RpcError).code;
      }
    });
    expect(codes).toEqual(['NOT_A_PROJECT', 'NOT_A_PROJECT', 'PROJECT_TOO_NEW', 'NOT_A_PROJECT']);
  });

  it('maps SQLite and file-system failures to typed errors', () => {
    const sqlite = (code: string) => Object.assign(new Error(`sqlite says ${code}`), { code });
    expect(toProjectOpenError(sqlite('SQLITE_CORRUPT'), '/p').code).toBe('PROJECT_CORRUPT');
    expect(toProjectOpenError(sqlite('SQLITE_CORRUPT_INDEX'), '/p').code).toBe('PROJECT_CORRUPT');
    expect(toProjectOpenError(sqlite('SQLITE_NOTADB'), '/p').code).toBe('PROJECT_CORRUPT');
    expect(toProjectOpenError(sqlite('SQLITE_BUSY'), '/p').code).toBe('PROJECT_LOCKED');
    expect(toProjectOpenError(sqlite('SQLITE_CANTOPEN'), '/p').code).toBe('NOT_WRITABLE');
    expect(toProjectOpenError(sqlite('EACCES'), '/p').code).toBe('NOT_WRITABLE');
    const other = toProjectOpenError(sqlite('SQLITE_FULL'), '/p');
    expect([other.code, other.message, other.details]).toEqual([
      'INTERNAL',
      'cannot open /p: sqlite says SQLITE_FULL',
      { path: '/p', sqliteCode: 'SQLITE_FULL' },
    ]);
    const typed = new RpcError('NOT_FOUND', 'x');
    expect(toProjectOpenError(typed, '/p')).toBe(typed);
  });
});

describe('migration bookkeeping', () => {
  it('the built-in list is numbered 1..N', () => {
    expect(targetVersion(migrations)).toBe(migrations.length);
    expect(migrations.map((m) => m.version)).toEqual([1, 2, 3]);
  });

  it('rejects a list with a gap or out of order', () => {
    const m = (version: number): Migration => ({ version, description: '', up: () => undefined });
    expect(() => targetVersion([m(1), m(3)])).toThrow('position 1 holds version 3, expected 2');
    expect(() => targetVersion([m(2), m(1)])).toThrow('position 0 holds version 2');
  });

  it('names backups by version and UTC time, never reusing a name', () => {
    const file = path.join(dir, 'p.modescope');
    const when = new Date('2026-11-23T09:30:05.123Z');
    const first = backupPathFor(file, 1, when);
    expect(first).toBe(`${file}.v1-backup-20261123T093005Z`);
    fs.writeFileSync(first, '');
    expect(backupPathFor(file, 1, when)).toBe(`${first}-2`);
  });
});

describe('array element helpers', () => {
  it('matches only the exact typed array class of a dtype', () => {
    expect(matchesDtype(new Float32Array(1), 'float32')).toBe(true);
    expect(matchesDtype(new Float64Array(1), 'float32')).toBe(false);
    expect(matchesDtype(new Uint8ClampedArray(1), 'uint8')).toBe(false);
    expect(matchesDtype(new DataView(new ArrayBuffer(4)), 'uint8')).toBe(false);
    expect(matchesDtype([1], 'float64')).toBe(false);
  });

  it('swaps the bytes of each element', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    swapElementBytes(bytes, 4);
    expect([...bytes]).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    swapElementBytes(bytes, 2);
    expect([...bytes]).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
    swapElementBytes(bytes, 1);
    expect([...bytes]).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
  });
});
