import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type RpcErrorCode } from '../../src-shared/rpc/errors';
import { ProjectLock, ProjectStore, arrayInfo, processInstanceId, readArray } from '../../src-main/store';
import { buildStoreChild, spawnStoreChild, type StoreChild } from '../helpers/storeChildBundle';
import { committedArrayData } from '../helpers/storeCrashFixture';
import { listFolder, makeStoreTempDir } from '../helpers/storeTempDir';

let bundleDir: { dir: string; remove: () => void };
let bundle: string;
let dir: string;
let removeDir: () => void;
let file: string;
const opened: ProjectStore[] = [];
const children: StoreChild[] = [];

beforeAll(() => {
  bundleDir = makeStoreTempDir();
  bundle = buildStoreChild(bundleDir.dir);
});

afterAll(() => bundleDir.remove());

beforeEach(() => {
  ({ dir, remove: removeDir } = makeStoreTempDir());
  file = path.join(dir, 'shared.modescope');
  ProjectStore.create(file, { name: 'shared' }).close();
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child.exited;
  }
  for (const store of opened.splice(0)) store.close();
  removeDir();
});

function track(store: ProjectStore): ProjectStore {
  opened.push(store);
  return store;
}

function child(args: string[]): StoreChild {
  const c = spawnStoreChild(bundle, args);
  children.push(c);
  return c;
}

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

function writeLockFile(content: Record<string, unknown> | string): void {
  fs.writeFileSync(`${file}.lock`, typeof content === 'string' ? content : JSON.stringify(content));
}

function lockHolderPid(): number | undefined {
  return ProjectLock.inspect(file)?.holder?.pid;
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  expect(result.status).toBe(0);
  return result.pid!;
}

describe('one writer per project', () => {
  it('refuses a second writer in the same process, names the holder, and frees the project on close', () => {
    const first = track(ProjectStore.open(file));
    const lock = ProjectLock.inspect(file);
    expect(lock?.holder).toMatchObject({
      pid: process.pid,
      hostname: os.hostname(),
      instanceId: processInstanceId,
    });
    expect(Date.parse(lock!.holder!.startedAt)).toBeGreaterThan(Date.now() - 60_000);

    const error = expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED');
    expect(error.message).toContain('already open for writing in this process');
    expect(error.details).toMatchObject({
      path: file,
      lockPath: `${file}.lock`,
      sameProcess: true,
      holder: { pid: process.pid, hostname: os.hostname() },
    });
    expect(JSON.stringify(error.details)).not.toContain('lockId');

    // Readers need no lock.
    track(ProjectStore.open(file, { readOnly: true })).close();
    first.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    track(ProjectStore.open(file));
  });

  it('refuses a writer while another process holds the project, and allows it after that process closes', async () => {
    const holder = child(['hold', file]);
    const { pid } = await holder.waitFor('opened');
    expect(pid).toBe(holder.process.pid);

    const error = expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED');
    expect(error.message).toContain(`pid ${pid} on ${os.hostname()}`);
    expect(error.details).toMatchObject({ sameProcess: false, holder: { pid, hostname: os.hostname() } });
    const reader = track(ProjectStore.open(file, { readOnly: true }));
    expect(reader.meta().name).toBe('shared');

    holder.process.stdin.end();
    await holder.waitFor('closed');
    expect(await holder.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    expect(track(ProjectStore.open(file)).readOnly).toBe(false);
  });

  it('makes another process get PROJECT_LOCKED while this one holds the project', async () => {
    track(ProjectStore.open(file));
    const other = child(['try-open', file]);
    const result = await other.waitFor('result');
    expect(result).toMatchObject({
      ok: false,
      code: 'PROJECT_LOCKED',
      details: { holder: { pid: process.pid } },
    });
    expect(lockHolderPid()).toBe(process.pid);
  });

  it('releases the lock and checkpoints when a process exits without closing', async () => {
    const quitter = child(['exit-without-close', file]);
    await quitter.waitFor('opened');
    expect(await quitter.exited).toEqual({ code: 0, signal: null });
    expect(listFolder(dir)).toEqual(['shared.modescope']);
    const store = track(ProjectStore.open(file));
    expect(store.listActions().map((a) => a.kind)).toEqual(['child.exit']);
  });
});

describe('stale locks', () => {
  it('takes over the lock of a killed process', async () => {
    const holder = child(['hold', file]);
    const { pid } = await holder.waitFor('opened');
    holder.process.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    expect(lockHolderPid()).toBe(pid);

    const store = track(ProjectStore.open(file));
    expect(lockHolderPid()).toBe(process.pid);
    store.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  const base = () => ({
    hostname: os.hostname(),
    startedAt: '2026-01-01T00:00:00.000Z',
    instanceId: randomUUID(),
    lockId: randomUUID(),
  });

  it('takes over a lock whose process is gone', () => {
    writeLockFile({ ...base(), pid: deadPid() });
    track(ProjectStore.open(file));
    expect(lockHolderPid()).toBe(process.pid);
  });

  it('takes over a lock left by an earlier process that had this pid', () => {
    writeLockFile({ ...base(), pid: process.pid });
    track(ProjectStore.open(file));
    expect(ProjectLock.inspect(file)?.holder?.instanceId).toBe(processInstanceId);
  });

  it.skipIf(!fs.existsSync('/proc/self/stat'))(
    'takes over a lock whose pid now belongs to a different process',
    () => {
      // The parent process is alive, but it did not start at the recorded time.
      writeLockFile({ ...base(), pid: process.ppid, procStartTicks: 1 });
      track(ProjectStore.open(file));
      expect(lockHolderPid()).toBe(process.pid);
    },
  );

  it('respects a live process’s lock, and one from another host', () => {
    writeLockFile({ ...base(), pid: process.ppid });
    expect(expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED').details).toMatchObject({
      holder: { pid: process.ppid },
    });

    writeLockFile({ ...base(), pid: deadPid(), hostname: 'lab-server-7' });
    const error = expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED');
    expect(error.message).toContain('on lab-server-7');
    expect(fs.readFileSync(`${file}.lock`, 'utf8')).toContain('lab-server-7');
  });

  it('takes over a live-looking lock only when asked to, and never its own', () => {
    writeLockFile({ ...base(), pid: deadPid(), hostname: 'old-container-name' });
    expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED');
    const store = track(ProjectStore.open(file, { takeOverLock: true }));
    expect(ProjectLock.inspect(file)?.holder).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    const error = expectRpcError(() => ProjectStore.open(file, { takeOverLock: true }), 'PROJECT_LOCKED');
    expect(error.details).toMatchObject({ sameProcess: true });
    expect(store.isOpen).toBe(true);
  });

  it('waits out an unreadable lock that may still be being written, then takes it over', () => {
    writeLockFile('');
    expect(expectRpcError(() => ProjectStore.open(file), 'PROJECT_LOCKED').details).toMatchObject({
      holder: null,
    });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    track(ProjectStore.open(file));
    expect(lockHolderPid()).toBe(process.pid);
  });

  it('does not remove a lock that someone else took over after ours', () => {
    const store = ProjectStore.open(file);
    writeLockFile({ ...base(), pid: process.ppid });
    store.close();
    expect(lockHolderPid()).toBe(process.ppid);
  });
});

describe('a writer killed in the middle of a transaction', () => {
  it('leaves exactly the last committed state, readable and intact', async () => {
    const crasher = child(['crash', file, '25']);
    const committed = await crasher.waitFor('committed');
    const walBefore = fs.statSync(`${file}-wal`).size;
    await crasher.waitFor('in-transaction', 60_000);
    // Uncommitted pages have spilled into the log: the kill really lands mid-write.
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(walBefore + 10 * 1024 * 1024);
    crasher.process.kill('SIGKILL');
    expect((await crasher.exited).signal).toBe('SIGKILL');
    expect(lockHolderPid()).toBe(committed.pid);

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }

    const store = track(ProjectStore.open(file));
    expect(lockHolderPid()).toBe(process.pid);
    expect(store.integrityCheck()).toEqual([]);
    const actions = store.listActions();
    expect(actions.map((a) => a.kind)).toEqual(Array(25).fill('committed'));
    expect(actions.map((a) => (a.payload as { i: number }).i)).toEqual([...Array(25).keys()]);
    const arrayId = committed.arrayId as number;
    expect(arrayInfo(store, arrayId)).toMatchObject({ status: 'complete', nRows: 5000 });
    expect(Array.from(readArray(store, arrayId))).toEqual(Array.from(committedArrayData(5000)));
    expect(store.db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 1 });
    expect(store.db.prepare("SELECT count(*) AS n FROM action_log WHERE kind = 'uncommitted'").get()).toEqual(
      { n: 0 },
    );
  });
});
