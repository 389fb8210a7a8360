import type { ProjectStore } from './projectStore';

/**
 * Bulk writes (a recording imported into chunked arrays) in SQLite's rollback-journal mode.
 *
 * In WAL mode every page is written twice: into the log at commit, then into the file at the
 * checkpoint. Measured on this machine kind for 1 GiB of float32 chunks, the log write, its fsync
 * and the checkpoint took ~10 s; the same commits in rollback-journal mode took ~3.5-6 s, because
 * pages appended past the end of the file are never journaled (a rollback just truncates them).
 * Crash safety is unchanged: a commit is atomic either way, a killed writer leaves a hot journal
 * that the next writer to open the file rolls back, and arrays still being written are dropped then.
 *
 * Leaving WAL mode needs the file to ourselves: a session only switches when no other connection
 * (a training process reading the project, say) has it open, and otherwise runs in WAL as before.
 * Readers that open while the session runs still work, but in rollback mode readers and the
 * writer take turns: a commit waits until no read is in progress (the session waits up to
 * BULK_BUSY_TIMEOUT_MS, e.g. for a read-only open's quick_check of a large project), and a new
 * read waits while a commit writes (its own busy timeout; one commit is well under a second).
 * A crash during the session leaves the file in rollback mode with a hot journal, which a
 * read-only opener cannot roll back: the next writer to open it does, and goes back to WAL.
 */

export type BulkJournal = 'rollback' | 'wal';

export interface BulkWriteSession {
  /** The journal this session's writes go through. */
  readonly journal: BulkJournal;
  /** Back to WAL once the last open session on the store ends. Safe to call twice. */
  end(): void;
}

interface StoreBulkState {
  sessions: number;
  journal: BulkJournal;
  /** The store's busy timeout before the session lengthened it. */
  busyTimeoutMs: number;
}

/** How long a commit in rollback mode waits for readers to finish. */
export const BULK_BUSY_TIMEOUT_MS = 60_000;

const bulkStates = new WeakMap<ProjectStore, StoreBulkState>();

/** What `journal_mode` answers for each of our modes. */
const ROLLBACK_MODE = 'truncate';
const WAL_MODE = 'wal';

function journalMode(store: ProjectStore, mode?: string): string {
  const pragma = mode === undefined ? 'journal_mode' : `journal_mode = ${mode}`;
  return String(store.db.pragma(pragma, { simple: true })).toLowerCase();
}

/** Switches to rollback mode if nobody else has the file open; never waits for them. */
function tryLeaveWal(store: ProjectStore): BulkJournal {
  const db = store.db;
  if (db.inTransaction || journalMode(store) !== WAL_MODE) return 'wal';
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    return journalMode(store, ROLLBACK_MODE) === ROLLBACK_MODE ? 'rollback' : 'wal';
  } catch (error) {
    // SQLITE_BUSY: another connection has the file open; WAL stays, and so does the import.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_BUSY') {
      return 'wal';
    }
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

function returnToWal(store: ProjectStore, busyTimeoutMs: number): void {
  if (!store.isOpen) return;
  try {
    journalMode(store, WAL_MODE);
  } catch {
    // Only a reader holding the file past the busy timeout stops this; the file is consistent in
    // rollback mode, and the next writer to open it goes back to WAL (see configureWriter).
  } finally {
    store.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

/**
 * Starts a bulk-write session on a writable store. Call outside any transaction; commit in
 * batches as usual; call `end()` when the bulk writes are done (also after a failure).
 */
export function beginBulkWrite(store: ProjectStore): BulkWriteSession {
  store.assertWritable('start a bulk write');
  let state = bulkStates.get(store);
  if (state === undefined || state.sessions === 0) {
    const busyTimeoutMs = Number(store.db.pragma('busy_timeout', { simple: true }));
    state = { sessions: 0, journal: tryLeaveWal(store), busyTimeoutMs };
    if (state.journal === 'rollback') {
      store.db.pragma(`busy_timeout = ${Math.max(busyTimeoutMs, BULK_BUSY_TIMEOUT_MS)}`);
    }
    bulkStates.set(store, state);
  }
  state.sessions++;
  const shared = state;
  let ended = false;
  return {
    journal: shared.journal,
    end() {
      if (ended) return;
      ended = true;
      shared.sessions--;
      if (shared.sessions === 0 && shared.journal === 'rollback') returnToWal(store, shared.busyTimeoutMs);
    },
  };
}
