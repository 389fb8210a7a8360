import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { RpcError } from '../../src-shared/rpc/errors';

/** What a lock file says about the writer that holds the project. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  /** One id per process, so a later process that happens to get the same pid is told apart. */
  instanceId: string;
  /** One id per acquisition, so `release` never removes a lock somebody else has taken over. */
  lockId: string;
  /** Linux only: the holder's start time in clock ticks since boot, which survives pid reuse. */
  procStartTicks?: number;
  appVersion?: string;
}

/** One per process. Exposed so that diagnostics can show which instance holds what. */
export const processInstanceId = randomUUID();

/** A lock file younger than this whose content cannot be read may still be being written. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
const MAX_ACQUIRE_ATTEMPTS = 5;

const heldLocks = new Set<ProjectLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only 'exit' is hooked: a library must not change what SIGINT/SIGTERM do to the app. Locks left
  // behind by signals or crashes are recognised as stale by the next opener instead.
  process.on('exit', () => {
    for (const lock of [...heldLocks]) lock.release();
  });
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** Field 22 of /proc/<pid>/stat; undefined where there is no procfs or no such process. */
function readProcStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after it are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const startTicks = Number(rest[19]);
    if (state === undefined || !Number.isFinite(startTicks)) return undefined;
    return { state, startTicks };
  } catch {
    return undefined;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(error) === 'EPERM';
  }
  // A zombie has exited; only its parent has not reaped it yet.
  return readProcStat(pid)?.state !== 'Z';
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder> | null;
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof value.pid !== 'number' ||
      !Number.isInteger(value.pid) ||
      value.pid <= 0 ||
      typeof value.hostname !== 'string' ||
      typeof value.instanceId !== 'string' ||
      typeof value.lockId !== 'string'
    ) {
      return undefined;
    }
    return {
      pid: value.pid,
      hostname: value.hostname,
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
      instanceId: value.instanceId,
      lockId: value.lockId,
      ...(typeof value.procStartTicks === 'number' ? { procStartTicks: value.procStartTicks } : {}),
      ...(typeof value.appVersion === 'string' ? { appVersion: value.appVersion } : {}),
    };
  } catch {
    return undefined;
  }
}

type Verdict = { state: 'held'; sameProcess: boolean } | { state: 'stale'; why: string };

function judgeHolder(holder: LockHolder): Verdict {
  if (holder.hostname !== os.hostname()) return { state: 'held', sameProcess: false };
  if (holder.pid === process.pid) {
    return holder.instanceId === processInstanceId
      ? { state: 'held', sameProcess: true }
      : { state: 'stale', why: 'left by an earlier process that had the same pid' };
  }
  if (!isProcessAlive(holder.pid)) return { state: 'stale', why: `process ${holder.pid} is not running` };
  const stat = readProcStat(holder.pid);
  if (
    holder.procStartTicks !== undefined &&
    stat !== undefined &&
    stat.startTicks !== holder.procStartTicks
  ) {
    return { state: 'stale', why: `pid ${holder.pid} now belongs to a different process` };
  }
  return { state: 'held', sameProcess: false };
}

function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.hostname}${holder.startedAt ? ` since ${holder.startedAt}` : ''}`;
}

/**
 * Removes a stale lock, but only if it still has the content that was judged stale. A second
 * `.break` file (O_EXCL) serialises breakers, so two processes that both found the same stale lock
 * cannot end with one deleting the fresh lock the other has just written.
 */
function breakStaleLock(lockPath: string, staleContent: string): void {
  const breakerPath = `${lockPath}.break`;
  let breaker: number;
  try {
    breaker = fs.openSync(breakerPath, 'wx');
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    try {
      // A breaker that crashed mid-way leaves its file behind; it only ever lives for a moment.
      if (Date.now() - fs.statSync(breakerPath).mtimeMs > UNREADABLE_LOCK_GRACE_MS)
        fs.unlinkSync(breakerPath);
    } catch {
      // Gone already: someone else finished breaking.
    }
    return;
  }
  try {
    let current: string;
    try {
      current = fs.readFileSync(lockPath, 'utf8');
    } catch {
      return;
    }
    if (current === staleContent) fs.unlinkSync(lockPath);
  } finally {
    fs.closeSync(breaker);
    fs.rmSync(breakerPath, { force: true });
  }
}

/**
 * The single-writer lock of one project: `<project>.lock`, created with O_EXCL and holding JSON
 * that names the holder. SQLite's own locking only protects single transactions; this keeps a
 * second process (or a second open in this one) from writing the same project at all.
 */
export class ProjectLock {
  private released = false;

  private constructor(
    readonly projectPath: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {}

  static lockPathFor(projectPath: string): string {
    return `${projectPath}.lock`;
  }

  /**
   * Creates the lock file, taking over a stale one. `takeOver` also takes over a lock whose holder
   * looks alive (never one held by this process): for a user who has confirmed the holder is gone.
   */
  static acquire(projectPath: string, opts: { appVersion?: string; takeOver?: boolean } = {}): ProjectLock {
    const lockPath = ProjectLock.lockPathFor(projectPath);
    const procStartTicks = readProcStat(process.pid)?.startTicks;
    const holder: LockHolder = {
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: new Date().toISOString(),
      instanceId: processInstanceId,
      lockId: randomUUID(),
      ...(procStartTicks !== undefined ? { procStartTicks } : {}),
      ...(opts.appVersion !== undefined ? { appVersion: opts.appVersion } : {}),
    };
    const content = `${JSON.stringify(holder, null, 2)}\n`;

    for (let attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
      let fd: number;
      try {
        fd = fs.openSync(lockPath, 'wx', 0o644);
      } catch (error) {
        const code = errnoCode(error);
        if (code !== 'EEXIST') {
          throw new RpcError(
            'NOT_WRITABLE',
            `cannot create the lock file ${lockPath}: ${code ?? String(error)}`,
            {
              path: projectPath,
              lockPath,
              errno: code,
            },
          );
        }
        const existing = ProjectLock.inspect(projectPath);
        if (existing === undefined) continue; // released between our open and our read
        if (existing.holder === undefined) {
          if (existing.ageMs < UNREADABLE_LOCK_GRACE_MS) {
            throw new RpcError(
              'PROJECT_LOCKED',
              `project ${projectPath} is locked: ${lockPath} exists but its content cannot be read yet`,
              { path: projectPath, lockPath, holder: null, sameProcess: false },
            );
          }
          breakStaleLock(lockPath, existing.raw);
          continue;
        }
        const verdict = judgeHolder(existing.holder);
        if (verdict.state === 'stale' || (opts.takeOver === true && !verdict.sameProcess)) {
          breakStaleLock(lockPath, existing.raw);
          continue;
        }
        const { lockId: _lockId, ...publicHolder } = existing.holder;
        throw new RpcError(
          'PROJECT_LOCKED',
          verdict.sameProcess
            ? `project ${projectPath} is already open for writing in this process`
            : `project ${projectPath} is open for writing in another ModeScope process (${describeHolder(existing.holder)})`,
          { path: projectPath, lockPath, holder: publicHolder, sameProcess: verdict.sameProcess },
        );
      }
      try {
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
      } catch (error) {
        fs.closeSync(fd);
        fs.rmSync(lockPath, { force: true });
        throw new RpcError('NOT_WRITABLE', `cannot write the lock file ${lockPath}: ${String(error)}`, {
          path: projectPath,
          lockPath,
        });
      }
      fs.closeSync(fd);
      const lock = new ProjectLock(projectPath, lockPath, holder);
      heldLocks.add(lock);
      installExitHook();
      return lock;
    }
    throw new RpcError(
      'PROJECT_LOCKED',
      `project ${projectPath} is locked: the lock file ${lockPath} kept changing`,
      {
        path: projectPath,
        lockPath,
        holder: null,
        sameProcess: false,
      },
    );
  }

  /** The current lock file of a project, if any; `holder` is undefined when it cannot be parsed. */
  static inspect(
    projectPath: string,
  ): { raw: string; holder: LockHolder | undefined; ageMs: number } | undefined {
    const lockPath = ProjectLock.lockPathFor(projectPath);
    try {
      const raw = fs.readFileSync(lockPath, 'utf8');
      const ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
      return { raw, holder: parseHolder(raw), ageMs };
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  get isHeld(): boolean {
    return !this.released;
  }

  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldLocks.delete(this);
    try {
      const current = parseHolder(fs.readFileSync(this.lockPath, 'utf8'));
      if (current?.lockId === this.holder.lockId) fs.unlinkSync(this.lockPath);
    } catch {
      // Already gone (or unreadable): nothing of ours left to remove.
    }
  }
}
