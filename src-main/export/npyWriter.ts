import { open } from 'node:fs/promises';
import type { ArrayDtype } from '../store/arrayDtypes';
import {
  checkedBlocks,
  checkShape,
  inMemoryArray,
  littleEndianBytes,
  throwIfAborted,
  type ExportArray,
  type WriteOptions,
} from './exportArray';
import { ExportError } from './exportError';
import type { StoredTypedArray } from '../store/arrayDtypes';

/**
 * NumPy `.npy` files, format version 1.0: the magic `\x93NUMPY`, version bytes 1 0, a little-endian
 * uint16 header length, then a Python dict literal (descr, fortran_order, shape) padded with
 * spaces and a final newline so the data starts on a 64-byte boundary, then the values in C order.
 */

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
/** numpy aligns the data to 64 bytes since 1.x so memory-mapped arrays are aligned for SIMD. */
const ALIGNMENT = 64;
const PREAMBLE_BYTES = 10;
const MAX_V1_HEADER = 0xffff;

const descriptors: Record<ArrayDtype, string> = {
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
};

function shapeLiteral(shape: readonly number[]): string {
  // A one-element tuple needs its trailing comma in Python: (5,)
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The preamble and header of a v1.0 file; its length is a multiple of 64. */
export function npyHeader(dtype: ArrayDtype, shape: readonly number[]): Buffer {
  checkShape(shape, 'npy array');
  const dict = `{'descr': '${descriptors[dtype]}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  const unpadded = PREAMBLE_BYTES + dict.length + 1;
  const total = Math.ceil(unpadded / ALIGNMENT) * ALIGNMENT;
  const headerLength = total - PREAMBLE_BYTES;
  if (headerLength > MAX_V1_HEADER) {
    throw new ExportError(`npy header for shape ${shapeLiteral(shape)} is too long for format 1.0`);
  }
  const out = Buffer.alloc(total, 0x20);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerLength, 8);
  out.write(dict, PREAMBLE_BYTES, 'latin1');
  out[total - 1] = 0x0a;
  return out;
}

/** Writes an array to `path` block by block (the file is created or truncated). */
export async function writeNpy(path: string, array: ExportArray, options: WriteOptions = {}): Promise<void> {
  const header = npyHeader(array.dtype, array.shape);
  const handle = await open(path, 'w');
  try {
    await handle.write(header);
    let written = 0;
    for (const block of checkedBlocks(array, path)) {
      throwIfAborted(options.signal, path);
      await handle.write(littleEndianBytes(block));
      written += block.length;
      options.onValues?.(written);
    }
  } finally {
    await handle.close();
  }
}

/** Convenience for small arrays held in memory. */
export function writeNpyArray(
  path: string,
  data: StoredTypedArray,
  shape: readonly number[],
  options: WriteOptions = {},
): Promise<void> {
  return writeNpy(path, inMemoryArray(data, shape), options);
}
