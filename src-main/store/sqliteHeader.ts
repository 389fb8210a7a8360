import fs from 'node:fs';

/** The 100-byte header every SQLite 3 database file starts with. */
const HEADER_BYTES = 100;
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export type SqliteHeader =
  | { kind: 'not-sqlite'; reason: string }
  | { kind: 'sqlite'; pageSize: number; userVersion: number; applicationId: number };

/**
 * Reads the database header straight from the file, without opening SQLite: opening would create
 * `-wal`/`-shm` side files, and a file we are about to refuse should be left exactly as it was.
 * The values are authoritative only while no write-ahead log holds newer pages.
 */
export function readSqliteHeader(filePath: string): SqliteHeader {
  const fd = fs.openSync(filePath, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    if (read === 0) return { kind: 'not-sqlite', reason: 'the file is empty' };
    if (read < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      return { kind: 'not-sqlite', reason: 'the file is not an SQLite database' };
    }
    const rawPageSize = header.readUInt16BE(16);
    return {
      kind: 'sqlite',
      pageSize: rawPageSize === 1 ? 65536 : rawPageSize,
      userVersion: header.readInt32BE(60),
      applicationId: header.readInt32BE(68),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** True when `<file>-wal` exists and is non-empty, i.e. the main file alone may be out of date. */
export function hasPendingWal(filePath: string): boolean {
  try {
    return fs.statSync(`${filePath}-wal`).size > 0;
  } catch {
    return false;
  }
}
