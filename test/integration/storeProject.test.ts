import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type RpcErrorCode } from '../../src-shared/rpc/errors';
import {
  PROJECT_APPLICATION_ID,
  ProjectStore,
  SUPPORTED_SCHEMA_VERSION,
  migrations,
  readArray,
  writeArray,
  type Migration,
} from '../../src-main/store';
import { listFolder, makeStoreTempDir, sha256OfFile } from '../helpers/storeTempDir';

let dir: string;
let removeDir: () => void;
const opened: ProjectStore[] = [];

function track(store: ProjectStore): ProjectStore {
  opened.push(store);
  return store;
}

function createProject(name = 'demo.modescope', opts: { migrations?: readonly Migration[] } = {}) {
  const file = path.join(dir, name);
  const store = track(ProjectStore.create(file, { name: 'Demo project', appVersion: '0.1.0', ...opts }));
  return { file, store };
}

/** Runs `fn`, expects an RpcError with `code`, and returns it for closer inspection. */
function expectRpcError(fn: () => unknown, code: RpcErrorCode): RpcError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(RpcError);
  const error = caught as RpcError;
  expect(error.code, error.message).toBe(code);
  return error;
}

function rawPragma(file: string, pragma: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma(pragma, { simple: true });
  } finally {
    db.close();
  }
}

beforeEach(() => {
  ({ dir, remove: removeDir } = makeStoreTempDir());
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  removeDir();
});

describe('creating, closing and reopening a project', () => {
  it('writes a WAL-mode file with foreign keys on, our application id and the current schema', () => {
    const { file, store } = createProject();
    expect(store.path).toBe(file);
    expect(store.readOnly).toBe(false);
    expect(store.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('application_id', { simple: true })).toBe(PROJECT_APPLICATION_ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SUPPORTED_SCHEMA_VERSION);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('page_size', { simple: true })).toBe(16384);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const meta = store.meta();
    expect(meta.name).toBe('Demo project');
    expect(meta.createdByAppVersion).toBe('0.1.0');
    expect(meta.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    expect(Math.abs(Date.parse(meta.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(store.counts()).toEqual({ datasets: 0, runs: 0 });
    expect(store.integrityCheck()).toEqual([]);
  });

  it('keeps what was written across close and reopen, and cleans up its side files on close', () => {
    const { file, store } = createProject();
    const projectId = store.meta().projectId;
    store.appendAction({
      kind: 'datasets.import',
      payload: { path: '/data/a.fif', k: 8 },
      cli: 'modescope import /data/a.fif',
    });
    store.appendAction({ kind: 'runs.start', payload: [1, 2, 3] });
    store.db
      .prepare(
        "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('rest', 'fif', 250, 2, '[]', 'now')",
      )
      .run();
    store.close();
    expect(store.isOpen).toBe(false);
    expect(listFolder(dir)).toEqual(['demo.modescope']);
    expect(rawPragma(file, 'journal_mode')).toBe('wal');

    const again = track(ProjectStore.open(file));
    expect(again.meta().projectId).toBe(projectId);
    expect(again.meta().name).toBe('Demo project');
    expect(again.counts()).toEqual({ datasets: 1, runs: 0 });
    expect(again.upgrade).toBeNull();
    const actions = again.listActions();
    expect(actions.map((a) => [a.kind, a.payload, a.cli])).toEqual([
      ['datasets.import', { path: '/data/a.fif', k: 8 }, 'modescope import /data/a.fif'],
      ['runs.start', [1, 2, 3], null],
    ]);
    expect(again.listActions({ afterId: actions[0]!.id }).map((a) => a.kind)).toEqual(['runs.start']);
  });

  it('answers NO_PROJECT_OPEN once closed, and close is idempotent', () => {
    const { store } = createProject();
    store.close();
    store.close();
    expectRpcError(() => store.meta(), 'NO_PROJECT_OPEN');
  });

  it('refuses an existing file on create without touching it', () => {
    const file = path.join(dir, 'taken.modescope');
    fs.writeFileSync(file, 'somebody else’s notes');
    const before = sha256OfFile(file);
    const error = expectRpcError(() => ProjectStore.create(file, { name: 'x' }), 'ALREADY_EXISTS');
    expect(error.details).toMatchObject({ path: file });
    expect(sha256OfFile(file)).toBe(before);
    expect(listFolder(dir)).toEqual(['taken.modescope']);

    const { file: project } = createProject('real.modescope');
    opened.splice(0).forEach((s) => s.close());
    const projectHash = sha256OfFile(project);
    expectRpcError(() => ProjectStore.create(project, { name: 'again' }), 'ALREADY_EXISTS');
    expect(sha256OfFile(project)).toBe(projectHash);
  });

  it('refuses a folder that does not exist or is not a folder, naming the path', () => {
    const missing = path.join(dir, 'no-such-folder', 'p.modescope');
    const e1 = expectRpcError(() => ProjectStore.create(missing, { name: 'x' }), 'NOT_WRITABLE');
    expect(e1.message).toContain(path.join(dir, 'no-such-folder'));
    expect(e1.message).toContain('does not exist');

    // Tests run as root, for whom chmod does not stop writes: a path below a regular file does.
    const regular = path.join(dir, 'file.txt');
    fs.writeFileSync(regular, 'x');
    const underFile = path.join(regular, 'project.modescope');
    const e2 = expectRpcError(() => ProjectStore.create(underFile, { name: 'x' }), 'NOT_WRITABLE');
    expect(e2.message).toContain(regular);
    expect(e2.details).toMatchObject({ path: underFile, folder: regular });
    expect(listFolder(dir)).toEqual(['file.txt']);
  });

  it('ignores a write-ahead log left behind by a deleted file of the same name', () => {
    const { file: old, store } = createProject('old.modescope');
    store.close();
    const raw = new Database(old);
    raw.pragma('wal_autocheckpoint = 0');
    raw.exec(
      "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('ghost', 'npy', 1, 1, '[]', 't')",
    );
    const reused = path.join(dir, 'reused.modescope');
    fs.copyFileSync(`${old}-wal`, `${reused}-wal`);
    raw.close();

    const fresh = track(ProjectStore.create(reused, { name: 'fresh' }));
    expect(fresh.meta().name).toBe('fresh');
    expect(fresh.counts()).toEqual({ datasets: 0, runs: 0 });
    expect(fresh.integrityCheck()).toEqual([]);
  });

  it('refuses an empty project name', () => {
    const error = expectRpcError(
      () => ProjectStore.create(path.join(dir, 'p.modescope'), { name: '  ' }),
      'INVALID_INPUT',
    );
    expect(error.message).toContain('name');
    expect(listFolder(dir)).toEqual([]);
  });
});

describe('refusing files that are not usable projects, leaving them unchanged', () => {
  it('NOT_FOUND for a missing file, NOT_A_PROJECT for a folder', () => {
    const missing = path.join(dir, 'gone.modescope');
    expect(expectRpcError(() => ProjectStore.open(missing), 'NOT_FOUND').details).toEqual({ path: missing });
    expectRpcError(() => ProjectStore.open(dir), 'NOT_A_PROJECT');
  });

  const notSqlite: [string, Buffer][] = [
    ['a text file', Buffer.from('channel,time\nMEG0111,0.001\n'.repeat(20))],
    [
      'a PNG',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]),
    ],
    ['a zero-byte file', Buffer.alloc(0)],
    ['a file cut inside the SQLite header', Buffer.from('SQLite format 3\0abc')],
  ];
  for (const [label, bytes] of notSqlite) {
    it(`NOT_A_PROJECT for ${label}`, () => {
      const file = path.join(dir, 'input.modescope');
      fs.writeFileSync(file, bytes);
      const before = sha256OfFile(file);
      for (const readOnly of [false, true]) {
        const error = expectRpcError(() => ProjectStore.open(file, { readOnly }), 'NOT_A_PROJECT');
        expect(error.message).toContain(file);
        expect(error.details).toMatchObject({ path: file });
      }
      expect(sha256OfFile(file)).toBe(before);
      expect(fs.statSync(file).size).toBe(bytes.length);
      expect(listFolder(dir)).toEqual(['input.modescope']);
    });
  }

  it('NOT_A_PROJECT for an SQLite database of another application', () => {
    const file = path.join(dir, 'other.db');
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada');");
    foreign.close();
    const before = sha256OfFile(file);
    const error = expectRpcError(() => ProjectStore.open(file), 'NOT_A_PROJECT');
    expect(error.message).toContain('not a ModeScope project');
    expect(error.details).toMatchObject({ path: file, applicationId: 0 });
    expect(sha256OfFile(file)).toBe(before);
    expect(listFolder(dir)).toEqual(['other.db']);
  });

  it('NOT_A_PROJECT for a file with our application id but no project record', () => {
    const file = path.join(dir, 'half.modescope');
    const db = new Database(file);
    db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    const before = sha256OfFile(file);
    expect(expectRpcError(() => ProjectStore.open(file), 'NOT_A_PROJECT').message).toContain(
      'no project record',
    );
    expect(sha256OfFile(file)).toBe(before);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('PROJECT_CORRUPT for a real project with garbage written over its middle', () => {
    const { file, store } = createProject();
    // Enough pages that "the middle" is table and index pages, not the header.
    for (let i = 0; i < 4; i++) {
      writeArray(store, {
        dtype: 'float32',
        shape: [20_000, 4],
        data: new Float32Array(80_000).fill(i),
        chunkRows: 500,
      });
    }
    for (let i = 0; i < 2000; i++)
      store.appendAction({ kind: 'filler', payload: { i, text: 'x'.repeat(100) } });
    store.close();
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(1_000_000);
    const fd = fs.openSync(file, 'r+');
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
    // Table pages sit both among the chunk pages and at the end (the action log).
    fs.writeSync(fd, garbage, 0, garbage.length, Math.floor(size / 2 / 4096) * 4096);
    fs.writeSync(fd, garbage, 0, garbage.length, Math.floor((size - 2 * garbage.length) / 4096) * 4096);
    fs.closeSync(fd);
    const before = sha256OfFile(file);

    for (const readOnly of [false, true]) {
      const error = expectRpcError(() => ProjectStore.open(file, { readOnly }), 'PROJECT_CORRUPT');
      expect(error.message).toContain(file);
      expect(error.details).toMatchObject({ path: file });
    }
    expect(sha256OfFile(file)).toBe(before);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('PROJECT_TOO_NEW for a newer schema, saying both versions, without modifying the file', () => {
    const { file, store } = createProject();
    store.close();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    const before = sha256OfFile(file);
    const names = listFolder(dir);
    for (const readOnly of [false, true]) {
      const error = expectRpcError(() => ProjectStore.open(file, { readOnly }), 'PROJECT_TOO_NEW');
      expect(error.message).toContain('99');
      expect(error.message).toContain(`up to ${SUPPORTED_SCHEMA_VERSION}`);
      expect(error.details).toEqual({
        path: file,
        fileVersion: 99,
        supportedVersion: SUPPORTED_SCHEMA_VERSION,
      });
    }
    expect(sha256OfFile(file)).toBe(before);
    expect(listFolder(dir)).toEqual(names);
  });

  it('PROJECT_TOO_NEW also when the newer version is still only in the write-ahead log', () => {
    const { file, store } = createProject();
    store.close();
    const raw = new Database(file);
    raw.pragma('wal_autocheckpoint = 0');
    raw.pragma('user_version = 7');
    try {
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
      const before = sha256OfFile(file);
      expect(expectRpcError(() => ProjectStore.open(file), 'PROJECT_TOO_NEW').details).toMatchObject({
        fileVersion: 7,
      });
      expect(sha256OfFile(file)).toBe(before);
      expect(fs.existsSync(`${file}.lock`)).toBe(false);
    } finally {
      raw.close();
    }
  });
  it('judges a crashed file by its log without checkpointing the log into it', () => {
    const { file, store } = createProject();
    store.close();
    const raw = new Database(file);
    raw.pragma('wal_autocheckpoint = 0');
    raw.pragma('user_version = 7');
    // Copying the file and its log while the connection is open gives the state a crash leaves.
    const crashed = path.join(dir, 'crashed.modescope');
    fs.copyFileSync(file, crashed);
    fs.copyFileSync(`${file}-wal`, `${crashed}-wal`);
    raw.close();
    const mainBefore = sha256OfFile(crashed);
    const walBefore = sha256OfFile(`${crashed}-wal`);
    expect(rawPragma(crashed, 'user_version')).toBe(7);
    expect(sha256OfFile(`${crashed}-wal`)).toBe(walBefore);

    expect(expectRpcError(() => ProjectStore.open(crashed), 'PROJECT_TOO_NEW').details).toMatchObject({
      fileVersion: 7,
    });
    expect(sha256OfFile(crashed)).toBe(mainBefore);
    expect(sha256OfFile(`${crashed}-wal`)).toBe(walBefore);
    expect(fs.existsSync(`${crashed}.lock`)).toBe(false);
  });
});

describe('migrating an older project', () => {
  function makeVersion1Project() {
    const { file, store } = createProject('old.modescope', { migrations: migrations.slice(0, 1) });
    expect(store.schemaVersion).toBe(1);
    const db = store.db;
    const datasetId = db
      .prepare(
        "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('rest', 'npy', 250, 3, '[\"a\",\"b\",\"c\"]', 't0')",
      )
      .run().lastInsertRowid;
    db.prepare(
      "INSERT INTO runs (dataset_id, model_kind, config_json, seed, status, created_at) VALUES (?, 'dynemo', '{\"n_modes\":8}', 42, 'completed', 't1')",
    ).run(datasetId);
    const arrayId = writeArray(store, {
      dtype: 'float64',
      shape: [300, 3],
      data: Float64Array.from({ length: 900 }, (_, i) => i / 7),
      chunkRows: 64,
    });
    store.appendAction({ kind: 'before.upgrade', payload: { ok: true } });
    store.close();
    return { file, arrayId };
  }

  it('backs the file up next to itself, migrates it, and keeps every row', () => {
    const { file, arrayId } = makeVersion1Project();
    expect(rawPragma(file, 'user_version')).toBe(1);
    const v1Hash = sha256OfFile(file);

    const store = track(ProjectStore.open(file));
    expect(store.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    expect(store.upgrade).not.toBeNull();
    const { backupPath, fromVersion, toVersion } = store.upgrade!;
    expect([fromVersion, toVersion]).toEqual([1, SUPPORTED_SCHEMA_VERSION]);
    expect(path.dirname(backupPath)).toBe(dir);
    expect(path.basename(backupPath)).toMatch(/^old\.modescope\.v1-backup-\d{8}T\d{6}Z$/);
    expect(rawPragma(file, 'user_version')).toBe(SUPPORTED_SCHEMA_VERSION);

    // The migrated file: new column usable, old data intact.
    store.db.prepare("UPDATE runs SET label = 'first run' WHERE seed = 42").run();
    expect(store.db.prepare('SELECT label, config_json FROM runs').get()).toEqual({
      label: 'first run',
      config_json: '{"n_modes":8}',
    });
    expect(store.counts()).toEqual({ datasets: 1, runs: 1 });
    expect(Array.from(readArray(store, arrayId))).toEqual(Array.from({ length: 900 }, (_, i) => i / 7));
    expect(store.listActions().map((a) => a.kind)).toEqual(['before.upgrade']);
    expect(store.integrityCheck()).toEqual([]);

    // The backup: the version-1 file, as it was.
    const backup = new Database(backupPath, { readonly: true });
    try {
      expect(backup.pragma('user_version', { simple: true })).toBe(1);
      expect(backup.pragma('application_id', { simple: true })).toBe(PROJECT_APPLICATION_ID);
      const runColumns = (backup.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name);
      expect(runColumns).not.toContain('label');
      expect(
        backup.prepare('SELECT count(*) AS n FROM array_chunks WHERE array_id = ?').get(arrayId),
      ).toEqual({ n: 5 });
      expect(backup.prepare('SELECT name FROM project_meta').get()).toEqual({ name: 'Demo project' });
    } finally {
      backup.close();
    }
    // The backup opens as a project too (and would itself be migrated).
    store.close();
    expect(sha256OfFile(file)).not.toBe(v1Hash);
    const fromBackup = track(ProjectStore.open(backupPath, { verify: 'quick' }));
    expect(fromBackup.upgrade?.fromVersion).toBe(1);
    expect(fromBackup.counts()).toEqual({ datasets: 1, runs: 1 });
  });

  it('refuses to open an older project read-only, and does not change it', () => {
    const { file } = makeVersion1Project();
    const before = sha256OfFile(file);
    const error = expectRpcError(() => ProjectStore.open(file, { readOnly: true }), 'NOT_WRITABLE');
    expect(error.message).toContain('schema version 1');
    expect(sha256OfFile(file)).toBe(before);
  });

  it('rolls a failing migration back completely and leaves the file at the last good version', () => {
    const { file } = makeVersion1Project();
    const next = SUPPORTED_SCHEMA_VERSION + 1;
    const failing: Migration = {
      version: next,
      description: 'fails half-way',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('disk full (simulated)');
      },
    };
    const error = expectRpcError(
      () => ProjectStore.open(file, { migrations: [...migrations, failing] }),
      'INTERNAL',
    );
    expect(error.message).toContain(`migration ${next} failed: disk full (simulated)`);
    expect(error.details).toMatchObject({ failedVersion: next, fileVersion: SUPPORTED_SCHEMA_VERSION });
    // The shipped migrations succeeded and stay; the failing one left nothing behind.
    expect(rawPragma(file, 'user_version')).toBe(SUPPORTED_SCHEMA_VERSION);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({
        n: 0,
      });
    } finally {
      db.close();
    }
    const backupPath = (error.details as { backupPath: string }).backupPath;
    expect(rawPragma(backupPath, 'user_version')).toBe(1);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('a file written by a newer build (with a fake next migration) is refused by this build', () => {
    const { file } = makeVersion1Project();
    const extra: Migration = {
      version: SUPPORTED_SCHEMA_VERSION + 1,
      description: 'new table',
      up: (db) => db.exec('CREATE TABLE future (x)'),
    };
    const newer = track(ProjectStore.open(file, { migrations: [...migrations, extra] }));
    expect(newer.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION + 1);
    newer.close();
    expectRpcError(() => ProjectStore.open(file), 'PROJECT_TOO_NEW');
  });
});

describe('writing through the store', () => {
  it('commits a transaction as a whole and rolls it back as a whole', () => {
    const { store } = createProject();
    const result = store.transaction(() => {
      store.appendAction({ kind: 'a', payload: 1 });
      store.appendAction({ kind: 'b', payload: 2 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(() =>
      store.transaction(() => {
        store.appendAction({ kind: 'c', payload: 3 });
        // A nested transaction becomes a savepoint; the outer failure still undoes it.
        store.transaction(() => store.appendAction({ kind: 'd', payload: 4 }));
        throw new Error('abandon');
      }),
    ).toThrow('abandon');
    expect(store.listActions().map((a) => a.kind)).toEqual(['a', 'b']);
    expect(() => store.transaction((async () => 1) as unknown as () => number)).toThrow('synchronous');
  });

  it('rejects action log entries that cannot be stored', () => {
    const { store } = createProject();
    expectRpcError(() => store.appendAction({ kind: '', payload: {} }), 'INVALID_INPUT');
    expect(
      expectRpcError(() => store.appendAction({ kind: 'x', payload: 10n }), 'INVALID_INPUT').message,
    ).toContain('JSON');
    expectRpcError(() => store.appendAction({ kind: 'x', payload: () => 1 }), 'INVALID_INPUT');
    expect(store.appendAction({ kind: 'x', payload: undefined }).payload).toBeNull();
    expect(store.listActions()).toHaveLength(1);
  });

  it('cascades deletes to children and drops arrays nobody refers to any more', () => {
    const { store } = createProject();
    const db = store.db;
    const dataId = writeArray(store, { dtype: 'float32', shape: [10, 2], data: new Float32Array(20) });
    const maskId = writeArray(store, { dtype: 'uint8', shape: [10], data: new Uint8Array(10) });
    const sharedId = writeArray(store, { dtype: 'float32', shape: [4], data: new Float32Array(4) });
    const datasetId = db
      .prepare(
        "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('d', 'npy', 100, 2, '[]', 't')",
      )
      .run().lastInsertRowid;
    db.prepare(
      "INSERT INTO sessions (dataset_id, ordinal, source_path, n_samples, data_array_id, gap_mask_array_id, created_at) VALUES (?, 0, '/x.npy', 10, ?, ?, 't')",
    ).run(datasetId, dataId, maskId);
    db.prepare(
      "INSERT INTO sessions (dataset_id, ordinal, source_path, n_samples, data_array_id, created_at) VALUES (?, 1, '/y.npy', 4, ?, 't')",
    ).run(datasetId, sharedId);
    const runId = db
      .prepare(
        "INSERT INTO runs (dataset_id, model_kind, config_json, seed, status, created_at) VALUES (?, 'dynemo', '{}', 1, 'completed', 't')",
      )
      .run(datasetId).lastInsertRowid;
    db.prepare("INSERT INTO results (run_id, kind, array_id, created_at) VALUES (?, 'alpha', ?, 't')").run(
      runId,
      sharedId,
    );
    db.prepare(
      "INSERT INTO epoch_metrics (run_id, epoch, loss, metrics_json, recorded_at) VALUES (?, 0, 1.5, '{}', 't')",
    ).run(runId);

    // A run keeps its dataset alive.
    expect(() => db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId)).toThrow(/FOREIGN KEY/);

    db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    expect(db.prepare('SELECT count(*) AS n FROM epoch_metrics').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM results').get()).toEqual({ n: 0 });
    // The result's array is still a session's data, so it stays.
    expect(db.prepare('SELECT id FROM arrays ORDER BY id').all()).toEqual([
      { id: dataId },
      { id: maskId },
      { id: sharedId },
    ]);

    db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId);
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM array_chunks').get()).toEqual({ n: 0 });
    expect(store.integrityCheck()).toEqual([]);
  });

  it('integrityCheck names an array whose chunks do not add up', () => {
    const { store } = createProject();
    const id = writeArray(store, { dtype: 'int16', shape: [100], data: new Int16Array(100), chunkRows: 30 });
    expect(store.integrityCheck()).toEqual([]);
    store.db.prepare('DELETE FROM array_chunks WHERE array_id = ? AND chunk_index = 1').run(id);
    expect(store.integrityCheck()).toEqual([`array ${id}: chunks hold 70 rows, expected 100`]);
  });
});

describe('copying an open project', () => {
  it('writes a standalone copy that includes uncheckpointed commits', () => {
    const { file, store } = createProject();
    store.appendAction({ kind: 'in.the.log', payload: { n: 1 } });
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const copy = store.copyTo(path.join(dir, 'copy.modescope'));
    expect(fs.existsSync(`${copy}-wal`)).toBe(false);
    const opened = track(ProjectStore.open(copy, { readOnly: true }));
    expect(opened.listActions().map((a) => a.kind)).toEqual(['in.the.log']);
    expect(opened.meta().projectId).toBe(store.meta().projectId);
    expectRpcError(() => store.copyTo(copy), 'ALREADY_EXISTS');
    expectRpcError(() => store.copyTo(file), 'INVALID_INPUT');
    expectRpcError(() => store.copyTo(path.join(dir, 'missing', 'c.modescope')), 'NOT_WRITABLE');
  });
});

describe('read-only stores', () => {
  it('open beside a writer, see its commits, and refuse to write', () => {
    const { file, store } = createProject();
    store.appendAction({ kind: 'seen', payload: 1 });
    const reader = track(ProjectStore.open(file, { readOnly: true }));
    expect(reader.readOnly).toBe(true);
    expect(reader.listActions().map((a) => a.kind)).toEqual(['seen']);
    store.appendAction({ kind: 'later', payload: 2 });
    expect(reader.listActions().map((a) => a.kind)).toEqual(['seen', 'later']);
    expect(
      expectRpcError(() => reader.appendAction({ kind: 'x', payload: 1 }), 'NOT_WRITABLE').message,
    ).toContain('read-only');
    expectRpcError(() => reader.transaction(() => 1), 'NOT_WRITABLE');
    expectRpcError(
      () => writeArray(reader, { dtype: 'uint8', shape: [1], data: new Uint8Array(1) }),
      'NOT_WRITABLE',
    );
    expect(() =>
      reader.db.prepare("INSERT INTO action_log (at, kind, payload_json) VALUES ('t', 'k', '1')").run(),
    ).toThrow(/readonly/);
    reader.close();
    // Closing the reader leaves the writer's lock alone.
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
  });
});
