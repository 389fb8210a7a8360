import {
  bytesPerElement,
  hostIsLittleEndian,
  matchesDtype,
  swapElementBytes,
  typedArrayName,
  type ArrayDtype,
  type StoredTypedArray,
} from '../store/arrayDtypes';
import { ExportError } from './exportError';

/**
 * An array on its way to a file: its dtype, its C-order shape (axis 0 the long one) and its rows
 * as blocks in order. Blocks come from a generator so a long α time course never has to sit in
 * memory whole; `blocks()` may be called more than once (the MAT writer transposes in passes).
 */
export interface ExportArray {
  dtype: ArrayDtype;
  shape: readonly number[];
  blocks(): Iterable<StoredTypedArray>;
}

/** Cancellation and progress for one file: `onValues` counts values written so far. */
export interface WriteOptions {
  signal?: AbortSignal;
  onValues?: (valuesWritten: number) => void;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Values in one row of axis 0: the product of every later axis (1 for a 1-D array). */
export function rowLength(shape: readonly number[]): number {
  return elementCount(shape.slice(1));
}

export function checkShape(shape: readonly number[], what: string): void {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ExportError(`${what}: shape (${shape.join(', ')}) must hold non-negative integers`);
  }
}

/** A whole array already in memory, as one block. */
export function inMemoryArray(data: StoredTypedArray, shape: readonly number[]): ExportArray {
  checkShape(shape, 'array');
  const dtype = dtypeOf(data);
  if (elementCount(shape) !== data.length) {
    throw new ExportError(
      `array of ${data.length} values does not have shape (${shape.join(', ')}), which holds ${elementCount(shape)}`,
    );
  }
  return { dtype, shape: [...shape], blocks: () => [data] };
}

const dtypeByCtor = new Map<unknown, ArrayDtype>([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [Uint8Array, 'uint8'],
  [Uint16Array, 'uint16'],
  [Uint32Array, 'uint32'],
]);

export function dtypeOf(data: StoredTypedArray): ArrayDtype {
  const dtype = dtypeByCtor.get(data.constructor);
  if (dtype === undefined) throw new ExportError(`cannot export a ${data.constructor.name}`);
  return dtype;
}

/** Iterates the blocks of an array, checking each is of its dtype and that they add up to its shape. */
export function* checkedBlocks(array: ExportArray, what: string): Generator<StoredTypedArray> {
  const total = elementCount(array.shape);
  const width = rowLength(array.shape);
  let seen = 0;
  for (const block of array.blocks()) {
    if (!matchesDtype(block, array.dtype)) {
      throw new ExportError(`${what}: a block is not a ${typedArrayName(array.dtype)}`);
    }
    if (width > 0 && block.length % width !== 0) {
      throw new ExportError(`${what}: a block of ${block.length} values is not whole rows of ${width}`);
    }
    seen += block.length;
    if (seen > total)
      throw new ExportError(`${what}: blocks hold more than the ${total} values of its shape`);
    yield block;
  }
  if (seen !== total) {
    throw new ExportError(
      `${what}: blocks hold ${seen} values, its shape (${array.shape.join(', ')}) ${total}`,
    );
  }
}

/** The block's bytes little-endian (a copy only on big-endian hosts). */
export function littleEndianBytes(block: StoredTypedArray): Uint8Array {
  const bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
  if (hostIsLittleEndian) return bytes;
  const copy = bytes.slice();
  swapElementBytes(copy, block.BYTES_PER_ELEMENT);
  return copy;
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new ExportCancelledError(what);
}

export class ExportCancelledError extends Error {
  constructor(what: string) {
    super(`writing ${what} was cancelled`);
    this.name = 'ExportCancelledError';
  }
}

export { bytesPerElement };
