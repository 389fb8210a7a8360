import type Database from 'better-sqlite3';
import { RpcError } from '../../src-shared/rpc/errors';
import {
  allocateTyped,
  bytesPerElement,
  hostIsLittleEndian,
  isArrayDtype,
  matchesDtype,
  swapElementBytes,
  typedArrayName,
  type ArrayDtype,
  type StoredTypedArray,
} from './arrayDtypes';
import type { ProjectStore } from './projectStore';

/**
 * Numeric arrays in the project file. Axis 0 is the long one (time): it is cut into chunks of
 * `chunkRows` rows, each chunk one little-endian BLOB, so a window of rows is read by fetching
 * only the chunks it overlaps. The other axes (`rowShape`) are stored whole in every row.
 */

/** About this many bytes per chunk unless the caller says otherwise. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** SQLite's default BLOB limit is 1 GB; chunks far below it keep reads and commits small. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export interface ArrayInfo {
  id: number;
  name: string | null;
  dtype: ArrayDtype;
  /** `[nRows, ...rowShape]`. */
  shape: number[];
  rowShape: number[];
  nRows: number;
  /** Elements in one row: the product of `rowShape`. */
  rowLength: number;
  chunkRows: number;
  nChunks: number;
  byteLength: number;
  status: 'writing' | 'complete';
  createdAt: string;
}

export interface BeginArrayOptions {
  name?: string;
  dtype: ArrayDtype;
  /** Shape of one row (every axis after the first); `[]` or omitted for a 1-D array. */
  rowShape?: readonly number[];
  chunkRows?: number;
}

export interface WriteArrayOptions {
  name?: string;
  dtype: ArrayDtype;
  /** Full shape, axis 0 first; its product must equal `data.length`. */
  shape: readonly number[];
  data: StoredTypedArray;
  chunkRows?: number;
}

export interface ReadRowsOptions {
  /** Called once per chunk fetched from the file: lets callers (and tests) see what a read touched. */
  onChunkRead?: (chunkIndex: number, rows: number) => void;
}

interface ArrayRow {
  id: number;
  name: string | null;
  dtype: string;
  row_shape_json: string;
  n_rows: number;
  chunk_rows: number;
  status: 'writing' | 'complete';
  created_at: string;
}

interface Statements {
  insertArray: Database.Statement;
  insertChunk: Database.Statement;
  finishArray: Database.Statement;
  selectArray: Database.Statement;
  selectChunks: Database.Statement;
  selectChunk: Database.Statement;
  deleteArray: Database.Statement;
}

const statementCache = new WeakMap<Database.Database, Statements>();

function statements(db: Database.Database): Statements {
  let cached = statementCache.get(db);
  if (cached === undefined) {
    cached = {
      insertArray: db.prepare(
        "INSERT INTO arrays (name, dtype, row_shape_json, n_rows, chunk_rows, status, created_at) VALUES (?, ?, ?, 0, ?, 'writing', ?)",
      ),
      insertChunk: db.prepare(
        'INSERT INTO array_chunks (array_id, chunk_index, n_rows, data) VALUES (?, ?, ?, ?)',
      ),
      finishArray: db.prepare(
        "UPDATE arrays SET n_rows = ?, status = 'complete' WHERE id = ? AND status = 'writing'",
      ),
      selectArray: db.prepare(
        'SELECT id, name, dtype, row_shape_json, n_rows, chunk_rows, status, created_at FROM arrays WHERE id = ?',
      ),
      selectChunks: db.prepare(
        'SELECT chunk_index, n_rows, data FROM array_chunks WHERE array_id = ? AND chunk_index BETWEEN ? AND ? ORDER BY chunk_index',
      ),
      selectChunk: db.prepare(
        'SELECT chunk_index, n_rows, data FROM array_chunks WHERE array_id = ? AND chunk_index = ?',
      ),
      deleteArray: db.prepare('DELETE FROM arrays WHERE id = ?'),
    };
    statementCache.set(db, cached);
  }
  return cached;
}

function invalid(message: string, details?: Record<string, unknown>): RpcError {
  return new RpcError('INVALID_INPUT', message, details);
}

function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return value === null ? 'null' : Array.isArray(value) ? 'a plain array' : typeof value;
}

function product(values: readonly number[]): number {
  return values.reduce((acc, value) => acc * value, 1);
}

function checkDtype(dtype: unknown): asserts dtype is ArrayDtype {
  if (!isArrayDtype(dtype)) throw invalid(`unknown array dtype ${JSON.stringify(dtype)}`, { field: 'dtype' });
}

function checkRowShape(rowShape: readonly number[]): number[] {
  if (!Array.isArray(rowShape)) throw invalid('rowShape must be an array of sizes', { field: 'rowShape' });
  for (const size of rowShape) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw invalid(
        `every axis after the first must have a size of at least 1, got ${JSON.stringify(rowShape)}`,
        {
          field: 'shape',
        },
      );
    }
  }
  return [...rowShape];
}

function checkChunkRows(chunkRows: number | undefined, rowBytes: number): number {
  if (chunkRows === undefined) return Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / rowBytes));
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
    throw invalid(`chunkRows must be a positive integer, got ${chunkRows}`, { field: 'chunkRows' });
  }
  if (chunkRows * rowBytes > MAX_CHUNK_BYTES) {
    throw invalid(
      `chunks of ${chunkRows} rows would be ${chunkRows * rowBytes} bytes, more than ${MAX_CHUNK_BYTES}`,
      {
        field: 'chunkRows',
      },
    );
  }
  return chunkRows;
}

/** Bytes of a typed array, little-endian: a view where the host already is, a swapped copy where not. */
function littleEndianBytes(data: StoredTypedArray): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (hostIsLittleEndian) return view;
  const copy = Buffer.from(view);
  swapElementBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/**
 * Writes an array chunk by chunk, so a recording larger than memory can be imported: only one
 * chunk is buffered. Each `appendRows` call commits its full chunks in one transaction (or joins
 * the caller's); the array is marked complete by `finish`. A writer that never finishes leaves a
 * 'writing' array that the next writer to open the project removes.
 */
export class ArrayWriter {
  readonly id: number;
  readonly dtype: ArrayDtype;
  readonly rowShape: readonly number[];
  readonly rowLength: number;
  readonly chunkRows: number;
  private readonly rowBytes: number;
  private readonly pending: Uint8Array;
  private pendingRows = 0;
  private chunksWritten = 0;
  private totalRows = 0;
  private state: 'open' | 'finished' | 'aborted' | 'failed' = 'open';

  /** Use `beginArray`. */
  constructor(
    private readonly store: ProjectStore,
    opts: BeginArrayOptions,
  ) {
    store.assertWritable('write an array');
    checkDtype(opts.dtype);
    this.dtype = opts.dtype;
    this.rowShape = checkRowShape(opts.rowShape ?? []);
    this.rowLength = product(this.rowShape);
    this.rowBytes = this.rowLength * bytesPerElement(this.dtype);
    this.chunkRows = checkChunkRows(opts.chunkRows, this.rowBytes);
    this.pending = new Uint8Array(this.chunkRows * this.rowBytes);
    if (opts.name !== undefined && typeof opts.name !== 'string')
      throw invalid('array name must be a string');
    const info = statements(store.db).insertArray.run(
      opts.name ?? null,
      this.dtype,
      JSON.stringify(this.rowShape),
      this.chunkRows,
      new Date().toISOString(),
    );
    this.id = Number(info.lastInsertRowid);
  }

  get rowsWritten(): number {
    return this.totalRows;
  }

  private assertOpen(operation: string): void {
    if (this.state !== 'open')
      throw new Error(`cannot ${operation}: array ${this.id} writer is already ${this.state}`);
  }

  /**
   * A failed write was rolled back, but this writer's counters had moved on: it cannot continue,
   * only be aborted.
   */
  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  private writeChunk(bytes: Uint8Array, rows: number): void {
    const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    statements(this.store.db).insertChunk.run(this.id, this.chunksWritten, rows, blob);
    this.chunksWritten++;
  }

  /** Appends whole rows (row-major, `rowLength` values each) of this writer's dtype. */
  appendRows(data: StoredTypedArray): void {
    this.assertOpen('append rows');
    if (!matchesDtype(data, this.dtype)) {
      throw invalid(
        `array ${this.id} has dtype ${this.dtype}, which needs a ${typedArrayName(this.dtype)}; got ${describeValue(data)}`,
      );
    }
    if (data.length % this.rowLength !== 0) {
      throw invalid(
        `appendRows got ${data.length} values, which is not a whole number of rows of ${this.rowLength} values (row shape ${JSON.stringify(this.rowShape)})`,
      );
    }
    const bytes = littleEndianBytes(data);
    const rows = data.length / this.rowLength;
    this.guard(() =>
      this.store.transaction(() => {
        let offset = 0;
        // Top up a partly filled chunk first; then whole chunks go straight from the caller's memory.
        if (this.pendingRows > 0) {
          const take = Math.min(rows, this.chunkRows - this.pendingRows);
          this.pending.set(bytes.subarray(0, take * this.rowBytes), this.pendingRows * this.rowBytes);
          this.pendingRows += take;
          offset = take;
          if (this.pendingRows === this.chunkRows) {
            this.writeChunk(this.pending, this.chunkRows);
            this.pendingRows = 0;
          }
        }
        while (rows - offset >= this.chunkRows) {
          this.writeChunk(
            bytes.subarray(offset * this.rowBytes, (offset + this.chunkRows) * this.rowBytes),
            this.chunkRows,
          );
          offset += this.chunkRows;
        }
        if (offset < rows) {
          this.pending.set(bytes.subarray(offset * this.rowBytes, rows * this.rowBytes), 0);
          this.pendingRows = rows - offset;
        }
      }),
    );
    this.totalRows += rows;
  }

  /** Writes the last partial chunk, marks the array complete and returns its id. */
  finish(): number {
    this.assertOpen('finish');
    this.guard(() =>
      this.store.transaction(() => {
        if (this.pendingRows > 0) {
          this.writeChunk(this.pending.subarray(0, this.pendingRows * this.rowBytes), this.pendingRows);
        }
        const changed = statements(this.store.db).finishArray.run(this.totalRows, this.id).changes;
        if (changed !== 1) throw new Error(`array ${this.id} disappeared while it was being written`);
      }),
    );
    this.pendingRows = 0;
    this.state = 'finished';
    return this.id;
  }

  /** Deletes everything written so far; also the way to clean up after a failed append. */
  abort(): void {
    if (this.state !== 'open' && this.state !== 'failed') return;
    this.state = 'aborted';
    this.store.transaction(() => statements(this.store.db).deleteArray.run(this.id));
  }
}

export function beginArray(store: ProjectStore, opts: BeginArrayOptions): ArrayWriter {
  return store.transaction(() => new ArrayWriter(store, opts));
}

/** Stores a whole in-memory array in one transaction and returns its id. */
export function writeArray(store: ProjectStore, opts: WriteArrayOptions): number {
  checkDtype(opts.dtype);
  if (!Array.isArray(opts.shape) || opts.shape.length < 1) {
    throw invalid(`shape must list at least one axis, got ${JSON.stringify(opts.shape)}`, { field: 'shape' });
  }
  const [nRows, ...rowShape] = opts.shape as number[];
  if (nRows === undefined || !Number.isSafeInteger(nRows) || nRows < 0) {
    throw invalid(`axis 0 must be a size of at least 0, got ${JSON.stringify(opts.shape)}`, {
      field: 'shape',
    });
  }
  checkRowShape(rowShape);
  if (!matchesDtype(opts.data, opts.dtype)) {
    throw invalid(
      `dtype ${opts.dtype} needs a ${typedArrayName(opts.dtype)}, got ${describeValue(opts.data)}`,
      {
        field: 'data',
      },
    );
  }
  const expected = nRows * product(rowShape);
  if (opts.data.length !== expected) {
    throw invalid(
      `shape ${JSON.stringify(opts.shape)} holds ${expected} values but data has ${opts.data.length}`,
      { field: 'data' },
    );
  }
  return store.transaction(() => {
    const writer = new ArrayWriter(store, {
      dtype: opts.dtype,
      rowShape,
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.chunkRows !== undefined ? { chunkRows: opts.chunkRows } : {}),
    });
    writer.appendRows(opts.data);
    return writer.finish();
  });
}

function loadArrayRow(store: ProjectStore, id: number): ArrayRow {
  if (!Number.isSafeInteger(id) || id < 1) throw invalid(`array id must be a positive integer, got ${id}`);
  const row = statements(store.db).selectArray.get(id) as ArrayRow | undefined;
  if (row === undefined) throw new RpcError('NOT_FOUND', `array ${id} does not exist`, { arrayId: id });
  return row;
}

function toInfo(row: ArrayRow, storePath: string): ArrayInfo {
  if (!isArrayDtype(row.dtype)) {
    throw new RpcError('PROJECT_CORRUPT', `array ${row.id} has an unknown dtype ${row.dtype}`, {
      path: storePath,
    });
  }
  const rowShape = JSON.parse(row.row_shape_json) as number[];
  const rowLength = product(rowShape);
  return {
    id: row.id,
    name: row.name,
    dtype: row.dtype,
    shape: [row.n_rows, ...rowShape],
    rowShape,
    nRows: row.n_rows,
    rowLength,
    chunkRows: row.chunk_rows,
    nChunks: Math.ceil(row.n_rows / row.chunk_rows),
    byteLength: row.n_rows * rowLength * bytesPerElement(row.dtype),
    status: row.status,
    createdAt: row.created_at,
  };
}

export function arrayInfo(store: ProjectStore, id: number): ArrayInfo {
  return toInfo(loadArrayRow(store, id), store.path);
}

interface ChunkRow {
  chunk_index: number;
  n_rows: number;
  data: Buffer;
}

/** The array behind a window, after checking the window lies inside it. */
function arrayForWindow(store: ProjectStore, id: number, start: number, end: number): ArrayInfo {
  const info = arrayInfo(store, id);
  if (info.status !== 'complete') throw invalid(`array ${id} is still being written`, { arrayId: id });
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end > info.nRows
  ) {
    throw invalid(`rows ${start}..${end} are outside array ${id}, which has rows 0..${info.nRows}`, {
      arrayId: id,
      start,
      end,
      nRows: info.nRows,
    });
  }
  return info;
}

function damagedArray(store: ProjectStore, info: ArrayInfo, what: string): RpcError {
  return new RpcError('PROJECT_CORRUPT', `array ${info.id} is damaged: ${what}`, {
    path: store.path,
    arrayId: info.id,
  });
}

/** Checks one fetched chunk against its array; returns the rows of it that the window wants. */
function windowOfChunk(
  store: ProjectStore,
  info: ArrayInfo,
  chunk: ChunkRow | undefined,
  expectedIndex: number,
  start: number,
  end: number,
): { chunkStart: number; chunkRows: number; from: number; to: number; data: Buffer } {
  const damaged = (what: string) => damagedArray(store, info, what);
  if (chunk === undefined || chunk.chunk_index !== expectedIndex)
    throw damaged(`chunk ${expectedIndex} is missing`);
  const rowBytes = info.rowLength * bytesPerElement(info.dtype);
  const chunkStart = chunk.chunk_index * info.chunkRows;
  const chunkRowCount = Math.min(info.chunkRows, info.nRows - chunkStart);
  if (chunk.n_rows !== chunkRowCount || chunk.data.length !== chunkRowCount * rowBytes) {
    throw damaged(
      `chunk ${chunk.chunk_index} holds ${chunk.data.length} bytes, expected ${chunkRowCount * rowBytes}`,
    );
  }
  return {
    chunkStart,
    chunkRows: chunkRowCount,
    from: Math.max(start, chunkStart) - chunkStart,
    to: Math.min(end, chunkStart + chunkRowCount) - chunkStart,
    data: chunk.data,
  };
}

/**
 * Rows `start` (inclusive) to `end` (exclusive) of a finished array, as one typed array of
 * `(end - start) * rowLength` values. Only chunks overlapping the window are fetched.
 */
export function readRows(
  store: ProjectStore,
  id: number,
  start: number,
  end: number,
  opts: ReadRowsOptions = {},
): StoredTypedArray {
  const info = arrayForWindow(store, id, start, end);
  const out = allocateTyped(info.dtype, (end - start) * info.rowLength);
  if (end === start) return out;
  const outBytes = new Uint8Array(out.buffer);
  const rowBytes = info.rowLength * bytesPerElement(info.dtype);
  const firstChunk = Math.floor(start / info.chunkRows);
  const lastChunk = Math.floor((end - 1) / info.chunkRows);

  let expectedChunk = firstChunk;
  const chunks = statements(store.db).selectChunks.iterate(
    id,
    firstChunk,
    lastChunk,
  ) as IterableIterator<ChunkRow>;
  for (const chunk of chunks) {
    const { chunkStart, chunkRows, from, to, data } = windowOfChunk(
      store,
      info,
      chunk,
      expectedChunk,
      start,
      end,
    );
    opts.onChunkRead?.(expectedChunk, chunkRows);
    outBytes.set(data.subarray(from * rowBytes, to * rowBytes), (chunkStart + from - start) * rowBytes);
    expectedChunk++;
  }
  if (expectedChunk !== lastChunk + 1) throw damagedArray(store, info, `chunk ${expectedChunk} is missing`);
  if (!hostIsLittleEndian) swapElementBytes(outBytes, bytesPerElement(info.dtype));
  return out;
}

/**
 * The same window as `readRows`, one block per overlapping chunk, for passes over long recordings
 * (decimation, export) that should not hold the whole window in memory. Each chunk is fetched on
 * its own, so the connection stays free for other statements between blocks.
 */
export function* readRowBlocks(
  store: ProjectStore,
  id: number,
  start: number,
  end: number,
  opts: ReadRowsOptions = {},
): Generator<{ startRow: number; rows: StoredTypedArray }, void, undefined> {
  const info = arrayForWindow(store, id, start, end);
  if (end === start) return;
  const rowBytes = info.rowLength * bytesPerElement(info.dtype);
  const lastChunk = Math.floor((end - 1) / info.chunkRows);
  for (let index = Math.floor(start / info.chunkRows); index <= lastChunk; index++) {
    const chunk = statements(store.db).selectChunk.get(id, index) as ChunkRow | undefined;
    const { chunkStart, chunkRows, from, to, data } = windowOfChunk(store, info, chunk, index, start, end);
    opts.onChunkRead?.(index, chunkRows);
    const rows = allocateTyped(info.dtype, (to - from) * info.rowLength);
    const bytes = new Uint8Array(rows.buffer);
    bytes.set(data.subarray(from * rowBytes, to * rowBytes));
    if (!hostIsLittleEndian) swapElementBytes(bytes, bytesPerElement(info.dtype));
    yield { startRow: chunkStart + from, rows };
  }
}

/** The whole array; for small arrays (means, covariances), not for recordings. */
export function readArray(store: ProjectStore, id: number): StoredTypedArray {
  return readRows(store, id, 0, arrayInfo(store, id).nRows);
}

/** Deletes an array and its chunks; refuses while a row of the project still refers to it. */
export function deleteArray(store: ProjectStore, id: number): void {
  store.assertWritable('delete an array');
  loadArrayRow(store, id);
  try {
    store.transaction(() => statements(store.db).deleteArray.run(id));
  } catch (error) {
    if (
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
    ) {
      throw invalid(`array ${id} is still used by a session, preparation or result`, { arrayId: id });
    }
    throw error;
  }
}
