import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type RpcErrorCode } from '../../src-shared/rpc/errors';
import {
  DEFAULT_CHUNK_BYTES,
  ProjectStore,
  arrayDtypes,
  arrayInfo,
  beginArray,
  deleteArray,
  readArray,
  readRowBlocks,
  readRows,
  writeArray,
  type ArrayDtype,
  type StoredTypedArray,
} from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

let removeDir: () => void;
let file: string;
let store: ProjectStore;

beforeEach(() => {
  const tmp = makeStoreTempDir();
  removeDir = tmp.remove;
  file = path.join(tmp.dir, 'arrays.modescope');
  store = ProjectStore.create(file, { name: 'arrays' });
});

afterEach(() => {
  store.close();
  removeDir();
});

function expectRpcError(fn: () => unknown, code: RpcErrorCode, messagePart?: string): RpcError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(RpcError);
  const error = caught as RpcError;
  expect(error.code, error.message).toBe(code);
  if (messagePart !== undefined) expect(error.message).toContain(messagePart);
  return error;
}

/** Values that exercise each type's range: extremes, negatives, and (for floats) non-finite values. */
function sampleValues(dtype: ArrayDtype, n: number): StoredTypedArray {
  const ranges: Record<ArrayDtype, () => StoredTypedArray> = {
    float32: () =>
      Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -i * 1e-3 : Math.fround(i * 3.25e5))),
    float64: () => Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** (i % 300)),
    int8: () => Int8Array.from({ length: n }, (_, i) => ((i * 37) % 256) - 128),
    int16: () => Int16Array.from({ length: n }, (_, i) => ((i * 7919) % 65536) - 32768),
    int32: () => Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0),
    uint8: () => Uint8Array.from({ length: n }, (_, i) => (i * 31) % 256),
    uint16: () => Uint16Array.from({ length: n }, (_, i) => (i * 40503) % 65536),
    uint32: () => Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0),
  };
  const values = ranges[dtype]();
  if (values instanceof Float32Array || values instanceof Float64Array) {
    values[1] = Number.NaN;
    values[2] = Number.POSITIVE_INFINITY;
    values[3] = -0;
  }
  return values;
}

describe('round trips', () => {
  for (const dtype of arrayDtypes) {
    it(`stores and reads back ${dtype} exactly, bit for bit`, () => {
      const data = sampleValues(dtype, 1000);
      const id = writeArray(store, { name: `x-${dtype}`, dtype, shape: [1000], data, chunkRows: 97 });
      const back = readArray(store, id);
      expect(back.constructor).toBe(data.constructor);
      expect(
        Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(data.buffer)),
      ).toBe(true);
      const info = arrayInfo(store, id);
      expect(info).toMatchObject({ id, name: `x-${dtype}`, dtype, shape: [1000], rowShape: [], nRows: 1000 });
      expect(info.nChunks).toBe(Math.ceil(1000 / 97));
      expect(info.byteLength).toBe(data.byteLength);
      expect(info.status).toBe('complete');
    });
  }

  it('survives closing and reopening the project', () => {
    const data = sampleValues('float64', 5000);
    const id = writeArray(store, { dtype: 'float64', shape: [1000, 5], data, chunkRows: 128 });
    store.close();
    store = ProjectStore.open(file);
    expect(Array.from(readRows(store, id, 990, 1000))).toEqual(Array.from(data.subarray(990 * 5, 5000)));
  });

  it('stores chunks little-endian', () => {
    const id = writeArray(store, { dtype: 'int32', shape: [2], data: Int32Array.from([1, -2]) });
    const blob = store.db.prepare('SELECT data FROM array_chunks WHERE array_id = ?').get(id) as {
      data: Buffer;
    };
    expect([...blob.data]).toEqual([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
  });

  it('keeps a 3-D array and a zero-row array with their shapes', () => {
    const cube = Float32Array.from({ length: 10 * 3 * 4 }, (_, i) => i);
    const id = writeArray(store, { dtype: 'float32', shape: [10, 3, 4], data: cube, chunkRows: 3 });
    expect(arrayInfo(store, id)).toMatchObject({
      shape: [10, 3, 4],
      rowShape: [3, 4],
      rowLength: 12,
      nChunks: 4,
    });
    expect(Array.from(readRows(store, id, 4, 6))).toEqual(Array.from(cube.subarray(48, 72)));

    const empty = writeArray(store, { dtype: 'uint16', shape: [0, 3], data: new Uint16Array(0) });
    expect(arrayInfo(store, empty)).toMatchObject({ shape: [0, 3], nRows: 0, nChunks: 0 });
    expect(readRows(store, empty, 0, 0)).toHaveLength(0);
  });

  it('chooses chunks of about DEFAULT_CHUNK_BYTES when not told', () => {
    const id = writeArray(store, { dtype: 'float32', shape: [100_000, 8], data: new Float32Array(800_000) });
    expect(arrayInfo(store, id).chunkRows).toBe(DEFAULT_CHUNK_BYTES / 32);
  });
});

describe('windows over a [time, channels] array', () => {
  const nRows = 1000;
  const nChannels = 5;
  const chunkRows = 64;
  const data = Float32Array.from({ length: nRows * nChannels }, (_, i) => Math.fround(i * 0.5 - 17));
  let id: number;

  beforeEach(() => {
    id = writeArray(store, { name: 'meg', dtype: 'float32', shape: [nRows, nChannels], data, chunkRows });
  });

  it('returns exactly the requested rows, row-major, across chunk boundaries', () => {
    const windows: [number, number][] = [
      [0, 1],
      [63, 65],
      [64, 128],
      [100, 400],
      [999, 1000],
      [0, 1000],
      [500, 500],
    ];
    for (const [start, end] of windows) {
      const rows = readRows(store, id, start, end);
      expect(rows).toBeInstanceOf(Float32Array);
      expect(Array.from(rows), `rows ${start}..${end}`).toEqual(
        Array.from(data.subarray(start * nChannels, end * nChannels)),
      );
    }
  });

  it('matches a plain slice for every window of a small array', () => {
    const small = Int16Array.from({ length: 23 * 2 }, (_, i) => i - 20);
    const smallId = writeArray(store, { dtype: 'int16', shape: [23, 2], data: small, chunkRows: 5 });
    for (let start = 0; start <= 23; start++) {
      for (let end = start; end <= 23; end++) {
        expect(Array.from(readRows(store, smallId, start, end))).toEqual(
          Array.from(small.subarray(start * 2, end * 2)),
        );
      }
    }
  });

  it('fetches only the chunks that overlap the window', () => {
    const touched: number[] = [];
    readRows(store, id, 130, 260, { onChunkRead: (chunk) => touched.push(chunk) });
    expect(touched).toEqual([2, 3, 4]);
    touched.length = 0;
    readRows(store, id, 128, 192, { onChunkRead: (chunk) => touched.push(chunk) });
    expect(touched).toEqual([2]);
  });

  it('streams the same window block by block, one block per overlapping chunk', () => {
    const blocks = [...readRowBlocks(store, id, 100, 300)];
    expect(blocks.map((b) => [b.startRow, b.rows.length / nChannels])).toEqual([
      [100, 28],
      [128, 64],
      [192, 64],
      [256, 44],
    ]);
    const joined = Float32Array.from(blocks.flatMap((b) => Array.from(b.rows)));
    expect(Array.from(joined)).toEqual(Array.from(readRows(store, id, 100, 300)));
    expect([...readRowBlocks(store, id, 5, 5)]).toEqual([]);
    expect(() => [...readRowBlocks(store, id, 0, 1001)]).toThrow('outside array');

    // The connection is free between blocks: other statements may run while a pass is under way.
    let actions = 0;
    for (const _block of readRowBlocks(store, id, 0, 1000))
      store.appendAction({ kind: 'tick', payload: actions++ });
    expect(store.listActions()).toHaveLength(Math.ceil(1000 / chunkRows));
  });

  it('still reads a window when every other chunk has been deleted from the file', () => {
    // Independent of the reader's own reporting: chunks it must not need are simply gone.
    store.db.prepare('DELETE FROM array_chunks WHERE array_id = ? AND chunk_index NOT IN (2, 3, 4)').run(id);
    expect(Array.from(readRows(store, id, 130, 300))).toEqual(
      Array.from(data.subarray(130 * nChannels, 300 * nChannels)),
    );
    expectRpcError(() => readRows(store, id, 100, 300), 'PROJECT_CORRUPT', 'chunk 1 is missing');
    expectRpcError(() => readRows(store, id, 250, 400), 'PROJECT_CORRUPT', 'chunk 5 is missing');
  });

  it('reports a chunk whose size does not match its array', () => {
    store.db.prepare("UPDATE array_chunks SET data = x'00' WHERE array_id = ? AND chunk_index = 3").run(id);
    expectRpcError(
      () => readRows(store, id, 200, 210),
      'PROJECT_CORRUPT',
      'chunk 3 holds 1 bytes, expected 1280',
    );
  });

  it('refuses windows outside the array', () => {
    const bad: [number, number][] = [
      [-1, 10],
      [10, 5],
      [0, 1001],
      [1000, 1001],
      [1.5, 3],
      [Number.NaN, 3],
    ];
    for (const [start, end] of bad) {
      const error = expectRpcError(() => readRows(store, id, start, end), 'INVALID_INPUT', 'outside array');
      expect(error.message).toContain(`0..${nRows}`);
    }
    expectRpcError(() => readRows(store, 9999, 0, 1), 'NOT_FOUND', 'array 9999 does not exist');
    expectRpcError(() => arrayInfo(store, 0), 'INVALID_INPUT');
  });
});

describe('streaming writer', () => {
  it('assembles irregular appends into the same array as one write', () => {
    const rowLength = 3;
    const all = Float64Array.from({ length: 500 * rowLength }, (_, i) => i * 1.5);
    const writer = beginArray(store, {
      name: 'stream',
      dtype: 'float64',
      rowShape: [rowLength],
      chunkRows: 64,
    });
    expect(arrayInfo(store, writer.id).status).toBe('writing');
    expectRpcError(() => readRows(store, writer.id, 0, 0), 'INVALID_INPUT', 'still being written');
    let row = 0;
    for (const take of [1, 63, 64, 0, 200, 5, 100, 67]) {
      writer.appendRows(all.subarray(row * rowLength, (row + take) * rowLength));
      row += take;
    }
    expect(row).toBe(500);
    expect(writer.rowsWritten).toBe(500);
    // Whole chunks are committed as they fill; only the tail waits for finish().
    const committedChunks = store.db
      .prepare('SELECT count(*) AS n FROM array_chunks WHERE array_id = ?')
      .get(writer.id);
    expect(committedChunks).toEqual({ n: Math.floor(500 / 64) });
    const id = writer.finish();
    const info = arrayInfo(store, id);
    expect(info).toMatchObject({ status: 'complete', shape: [500, 3], nChunks: 8 });
    expect(Array.from(readArray(store, id))).toEqual(Array.from(all));
    expect(() => writer.appendRows(new Float64Array(3))).toThrow('already finished');
    expect(store.integrityCheck()).toEqual([]);
  });

  it('does not copy the caller’s buffer between appends', () => {
    const writer = beginArray(store, { dtype: 'int32', chunkRows: 4 });
    const buffer = new Int32Array(3);
    for (let i = 0; i < 5; i++) {
      buffer.fill(i);
      writer.appendRows(buffer);
    }
    const id = writer.finish();
    expect(Array.from(readArray(store, id))).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it('abort removes the array and its chunks', () => {
    const writer = beginArray(store, { dtype: 'uint8', chunkRows: 10 });
    writer.appendRows(new Uint8Array(35));
    writer.abort();
    expectRpcError(() => arrayInfo(store, writer.id), 'NOT_FOUND');
    expect(store.db.prepare('SELECT count(*) AS n FROM array_chunks').get()).toEqual({ n: 0 });
  });

  it('an array left unfinished is removed when the project is next opened for writing', () => {
    const writer = beginArray(store, { dtype: 'float32', rowShape: [2], chunkRows: 8 });
    writer.appendRows(new Float32Array(40));
    const finished = writeArray(store, { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) });
    store.close();
    store = ProjectStore.open(file);
    expectRpcError(() => arrayInfo(store, writer.id), 'NOT_FOUND');
    expect(Array.from(readArray(store, finished))).toEqual([1, 2]);
    expect(
      store.db.prepare('SELECT count(*) AS n FROM array_chunks WHERE array_id = ?').get(writer.id),
    ).toEqual({ n: 0 });
  });

  it('stops a writer whose write failed, so it cannot go on with wrong chunk numbers', () => {
    const writer = beginArray(store, { dtype: 'uint8', chunkRows: 4 });
    writer.appendRows(new Uint8Array(6));
    // Somebody removes the array underneath; the next chunk insert breaks its foreign key.
    store.db.prepare('DELETE FROM arrays WHERE id = ?').run(writer.id);
    expect(() => writer.appendRows(new Uint8Array(4))).toThrow(/FOREIGN KEY/);
    expect(() => writer.appendRows(new Uint8Array(4))).toThrow('writer is already failed');
    expect(() => writer.finish()).toThrow('writer is already failed');
    writer.abort();
    expect(store.db.prepare('SELECT count(*) AS n FROM array_chunks').get()).toEqual({ n: 0 });
  });

  it('rejects rows of the wrong type or a partial row', () => {
    const writer = beginArray(store, { dtype: 'int16', rowShape: [4] });
    expectRpcError(
      () => writer.appendRows(new Int32Array(4) as unknown as Int16Array),
      'INVALID_INPUT',
      'needs a Int16Array; got Int32Array',
    );
    expectRpcError(
      () => writer.appendRows(new Int16Array(6)),
      'INVALID_INPUT',
      'not a whole number of rows of 4 values',
    );
    writer.abort();
  });
});

describe('writing inside the caller’s transaction', () => {
  it('disappears with the transaction when the caller fails', () => {
    let id = 0;
    expect(() =>
      store.transaction(() => {
        id = writeArray(store, { dtype: 'uint8', shape: [3], data: Uint8Array.from([1, 2, 3]) });
        expect(arrayInfo(store, id).nRows).toBe(3);
        throw new Error('import failed later');
      }),
    ).toThrow('import failed later');
    expect(id).toBeGreaterThan(0);
    expectRpcError(() => arrayInfo(store, id), 'NOT_FOUND');
    expect(store.db.prepare('SELECT count(*) AS n FROM array_chunks').get()).toEqual({ n: 0 });
  });
});

describe('bad arrays', () => {
  it('rejects mismatched dtype, shape and length with specific messages', () => {
    const cases: [() => unknown, string][] = [
      [
        () =>
          writeArray(store, {
            dtype: 'float32',
            shape: [4],
            data: new Float64Array(4) as unknown as Float32Array,
          }),
        'float32 needs a Float32Array, got Float64Array',
      ],
      [
        () =>
          writeArray(store, {
            dtype: 'uint8',
            shape: [4],
            data: new Uint8ClampedArray(4) as unknown as Uint8Array,
          }),
        'got Uint8ClampedArray',
      ],
      [
        () =>
          writeArray(store, { dtype: 'float32', shape: [4], data: [1, 2, 3, 4] as unknown as Float32Array }),
        'got a plain array',
      ],
      [
        () => writeArray(store, { dtype: 'complex64' as ArrayDtype, shape: [1], data: new Float32Array(1) }),
        'unknown array dtype "complex64"',
      ],
      [
        () => writeArray(store, { dtype: 'float32', shape: [3, 2], data: new Float32Array(5) }),
        'shape [3,2] holds 6 values but data has 5',
      ],
      [
        () => writeArray(store, { dtype: 'float32', shape: [], data: new Float32Array(0) }),
        'at least one axis',
      ],
      [
        () => writeArray(store, { dtype: 'float32', shape: [2, 0], data: new Float32Array(0) }),
        'size of at least 1',
      ],
      [
        () => writeArray(store, { dtype: 'float32', shape: [-1], data: new Float32Array(0) }),
        'axis 0 must be a size of at least 0',
      ],
      [() => writeArray(store, { dtype: 'float32', shape: [2.5], data: new Float32Array(2) }), 'axis 0'],
      [
        () => writeArray(store, { dtype: 'float32', shape: [4], data: new Float32Array(4), chunkRows: 0 }),
        'chunkRows must be a positive integer',
      ],
      [
        () =>
          writeArray(store, {
            dtype: 'float64',
            shape: [4, 1024],
            data: new Float64Array(4096),
            chunkRows: 10_000,
          }),
        'more than',
      ],
    ];
    for (const [fn, message] of cases) expectRpcError(fn, 'INVALID_INPUT', message);
    expect(store.db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
  });

  it('deletes an unused array but not one a session still uses', () => {
    const used = writeArray(store, { dtype: 'float32', shape: [2], data: new Float32Array(2) });
    const unused = writeArray(store, { dtype: 'float32', shape: [2], data: new Float32Array(2) });
    const datasetId = store.db
      .prepare(
        "INSERT INTO datasets (name, format, sampling_rate_hz, n_channels, channels_json, created_at) VALUES ('d', 'npy', 1, 1, '[]', 't')",
      )
      .run().lastInsertRowid;
    store.db
      .prepare(
        "INSERT INTO sessions (dataset_id, ordinal, source_path, n_samples, data_array_id, created_at) VALUES (?, 0, '/a', 2, ?, 't')",
      )
      .run(datasetId, used);
    deleteArray(store, unused);
    expectRpcError(() => arrayInfo(store, unused), 'NOT_FOUND');
    expectRpcError(() => deleteArray(store, used), 'INVALID_INPUT', 'still used');
    expect(arrayInfo(store, used).nRows).toBe(2);
    expectRpcError(() => deleteArray(store, unused), 'NOT_FOUND');
  });
});
