import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import {
  ProjectStore,
  arrayInfo,
  beginArray,
  BULK_BUSY_TIMEOUT_MS,
  beginBulkWrite,
  readArray,
  readRows,
  writeArray,
} from '../../src-main/store';
import { buildStoreChild, spawnStoreChild, type StoreChild } from '../helpers/storeChildBundle';
import { committedArrayData } from '../helpers/storeCrashFixture';
import { makeStoreTempDir } from '../helpers/storeTempDir';

const repoRoot = path.resolve(__dirname, '../..');

let dir: string;
let removeDir: () => void;
let file: string;
const opened: ProjectStore[] = [];
const connections: Database.Database[] = [];

function track(store: ProjectStore): ProjectStore {
  opened.push(store);
  return store;
}

function rawReader(): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  connections.push(db);
  return db;
}

const journalOf = (store: ProjectStore) => store.db.pragma('journal_mode', { simple: true });

/** Rows whose values say where they are: row r, column c holds r * 1000 + c. */
function numberedRows(firstRow: number, rows: number, nCh: number): Float32Array {
  const data = new Float32Array(rows * nCh);
  for (let r = 0; r < rows; r++) for (let c = 0; c < nCh; c++) data[r * nCh + c] = (firstRow + r) * 1000 + c;
  return data;
}

beforeEach(() => {
  ({ dir, remove: removeDir } = makeStoreTempDir());
  file = path.join(dir, 'bulk.modescope');
});

afterEach(() => {
  for (const db of connections.splice(0)) db.close();
  for (const store of opened.splice(0)) store.close();
  removeDir();
});

describe('a bulk-write session', () => {
  it('writes through the rollback journal when alone, reads back exactly, and returns to WAL', () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    const session = beginBulkWrite(store);
    expect(session.journal).toBe('rollback');
    expect(journalOf(store)).toBe('truncate');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(BULK_BUSY_TIMEOUT_MS);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);

    const nCh = 7;
    const writer = beginArray(store, { dtype: 'float32', rowShape: [nCh], chunkRows: 1000 });
    for (let start = 0; start < 10_000; start += 2_500) writer.appendRows(numberedRows(start, 2_500, nCh));
    const id = writer.finish();
    session.end();
    session.end(); // a second end changes nothing

    expect(journalOf(store)).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(fs.existsSync(`${file}-journal`)).toBe(false);
    expect(arrayInfo(store, id)).toMatchObject({ status: 'complete', nRows: 10_000, nChunks: 10 });
    expect(readArray(store, id)).toEqual(numberedRows(0, 10_000, nCh));
    expect(readRows(store, id, 2_999, 3_001)).toEqual(numberedRows(2_999, 2, nCh));
    expect(store.integrityCheck()).toEqual([]);

    store.close();
    const reopened = track(ProjectStore.open(file));
    expect(journalOf(reopened)).toBe('wal');
    expect(readArray(reopened, id)).toEqual(numberedRows(0, 10_000, nCh));
  });

  it('stays in WAL when another connection has the file open, and still writes correctly', () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    const reader = rawReader();
    expect(reader.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
    const started = Date.now();
    const session = beginBulkWrite(store);
    // The reader is not waited for: the session falls back at once.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(session.journal).toBe('wal');
    expect(journalOf(store)).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const id = writeArray(store, { dtype: 'float32', shape: [300, 3], data: numberedRows(0, 300, 3) });
    session.end();
    expect(journalOf(store)).toBe('wal');
    expect(reader.prepare('SELECT n_rows FROM arrays WHERE id = ?').get(id)).toEqual({ n_rows: 300 });
  });

  it('lets a reader that opens during the session see each committed batch', () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    const session = beginBulkWrite(store);
    expect(session.journal).toBe('rollback');
    const writer = beginArray(store, { dtype: 'float32', rowShape: [2], chunkRows: 100 });
    writer.appendRows(numberedRows(0, 250, 2));
    const reader = ProjectStore.open(file, { readOnly: true });
    opened.push(reader);
    const count = (s: ProjectStore) =>
      (
        s.db.prepare('SELECT count(*) AS n FROM array_chunks WHERE array_id = ?').get(writer.id) as {
          n: number;
        }
      ).n;
    expect(count(reader)).toBe(2);
    writer.appendRows(numberedRows(250, 150, 2));
    expect(count(reader)).toBe(4);
    writer.finish();
    session.end();
    expect(readArray(reader, writer.id)).toEqual(numberedRows(0, 400, 2));
  });

  it('shares the journal between overlapping sessions and returns to WAL after the last', () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    const first = beginBulkWrite(store);
    const second = beginBulkWrite(store);
    expect([first.journal, second.journal]).toEqual(['rollback', 'rollback']);
    first.end();
    first.end();
    expect(journalOf(store)).toBe('truncate');
    second.end();
    expect(journalOf(store)).toBe('wal');
  });

  it('stays in WAL inside a transaction, and is refused on a read-only store', () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    const journal = store.transaction(() => {
      const session = beginBulkWrite(store);
      session.end();
      return session.journal;
    });
    expect(journal).toBe('wal');
    store.close();
    const readOnly = track(ProjectStore.open(file, { readOnly: true }));
    let caught: unknown;
    try {
      beginBulkWrite(readOnly);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RpcError);
    expect((caught as RpcError).code).toBe('NOT_WRITABLE');
    expect((caught as RpcError).message).toMatch(/cannot start a bulk write: project .* is open read-only/);
  });
});

describe('a reader in another process during a bulk-write session', () => {
  it('delays a commit until its read ends instead of failing it', async () => {
    const store = track(ProjectStore.create(file, { name: 'bulk' }));
    writeArray(store, { dtype: 'float32', shape: [3000, 4], data: numberedRows(0, 3000, 4), chunkRows: 10 });
    const session = beginBulkWrite(store);
    expect(session.journal).toBe('rollback');
    // Holds one read transaction open (a statement half iterated) for 1.5 s, then ends it.
    const readerCode = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1], { readonly: true, timeout: 5000 });
      const rows = db.prepare('SELECT chunk_index FROM array_chunks').iterate();
      rows.next();
      process.stdout.write('reading\\n');
      setTimeout(() => { rows.return(); db.close(); process.stdout.write('done\\n'); }, 1500);
    `;
    const reader = spawn(process.execPath, ['-e', readerCode, file], {
      env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => reader.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      reader.stdout.on('data', (text: Buffer) => {
        output += text.toString();
        if (output.includes('reading')) resolve();
      });
      void exited.then(() => reject(new Error(`reader exited early: ${output}`)));
    });
    const started = Date.now();
    const id = writeArray(store, { dtype: 'float32', shape: [100, 4], data: numberedRows(0, 100, 4) });
    const waited = Date.now() - started;
    session.end();
    expect(await exited).toBe(0);
    expect(output).toContain('done');
    expect(waited).toBeGreaterThan(500);
    expect(readArray(store, id)).toEqual(numberedRows(0, 100, 4));
  });
});

describe('a writer killed during a bulk-write session', () => {
  let bundleDir: { dir: string; remove: () => void };
  let bundle: string;
  const children: StoreChild[] = [];

  beforeAll(() => {
    bundleDir = makeStoreTempDir();
    bundle = buildStoreChild(bundleDir.dir);
  });

  afterAll(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    bundleDir.remove();
  });

  it('leaves the last committed state: finished arrays kept, unfinished ones and the open transaction gone', async () => {
    ProjectStore.create(file, { name: 'bulk' }).close();
    const mainBefore = fs.statSync(file).size;
    const crasher = spawnStoreChild(bundle, ['crash-bulk', file]);
    children.push(crasher);
    const committed = await crasher.waitFor('committed', 60_000);
    expect(committed.journal).toBe('rollback');
    await crasher.waitFor('in-transaction', 60_000);
    // The open transaction has spilled pages into the file and left a hot journal to undo them.
    expect(fs.statSync(`${file}-journal`).size).toBeGreaterThan(0);
    expect(fs.statSync(file).size).toBeGreaterThan(mainBefore + 16 * 1024 * 1024 + 32 * 1024 * 1024);
    crasher.process.kill('SIGKILL');
    expect((await crasher.exited).signal).toBe('SIGKILL');
    // Only a writer can roll the hot journal back; a reader is told so and changes nothing.
    let refusal: unknown;
    try {
      ProjectStore.open(file, { readOnly: true }).close();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RpcError);
    expect((refusal as RpcError).code).toBe('NOT_WRITABLE');
    expect((refusal as RpcError).message).toMatch(
      /was left in the middle of a write by a process that stopped; open it for writing once/,
    );
    expect(fs.statSync(`${file}-journal`).size).toBeGreaterThan(0);

    const store = track(ProjectStore.open(file));
    expect(journalOf(store)).toBe('wal');
    expect(fs.existsSync(`${file}-journal`)).toBe(false);
    expect(store.integrityCheck()).toEqual([]);
    expect(store.listActions().map((a) => [a.kind, a.payload])).toEqual([
      ['committed', { journal: 'rollback' }],
    ]);
    const arrayId = committed.arrayId as number;
    expect(arrayInfo(store, arrayId)).toMatchObject({ status: 'complete', nRows: 5000 });
    expect(Array.from(readArray(store, arrayId))).toEqual(Array.from(committedArrayData(5000)));
    // The streamed array never finished: the reopening writer dropped it with its chunks.
    expect(store.db.prepare('SELECT id FROM arrays').all()).toEqual([{ id: arrayId }]);
    expect(
      store.db.prepare('SELECT count(*) AS n FROM array_chunks WHERE array_id != ?').get(arrayId),
    ).toEqual({
      n: 0,
    });
  });
});
