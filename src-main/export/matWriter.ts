import { open, type FileHandle } from 'node:fs/promises';
import { platform } from 'node:os';
import {
  checkedBlocks,
  elementCount,
  littleEndianBytes,
  rowLength,
  throwIfAborted,
  type ExportArray,
  type WriteOptions,
} from './exportArray';
import { ExportError } from './exportError';
import { checkMatVariableName } from './matVariableName';
import { EventLoopPacer } from './eventLoopPacer';

/**
 * MATLAB Level 5 MAT-files (what `save -v6` writes, uncompressed): a 128-byte text header with the
 * version and the little-endian mark 'IM', then one miMATRIX element per variable holding its array
 * flags (class double or single), dimensions, name and real part. MATLAB stores arrays
 * column-major, so the C-order rows we hold are transposed while writing: in passes over the rows,
 * each filling as many whole columns as fit in the memory budget.
 */

const MI_INT8 = 1;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_MATRIX = 14;
const MX_DOUBLE_CLASS = 6;
const MX_SINGLE_CLASS = 7;
const HEADER_BYTES = 128;
const HEADER_TEXT_BYTES = 116;
const MAX_ELEMENT_BYTES = 0xffffffff;

export interface MatVariable {
  name: string;
  array: ExportArray;
}

export interface MatWriteOptions extends WriteOptions {
  /** Bytes of transposed values held at once (default 32 MiB); fewer means more passes over the rows. */
  memoryBudgetBytes?: number;
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** The 128-byte file header. */
export function matHeader(createdAt: Date = new Date()): Buffer {
  const out = Buffer.alloc(HEADER_BYTES, 0x20);
  const text = `MATLAB 5.0 MAT-file, Platform: ${platform()}, Created on: ${createdAt.toUTCString()} by ModeScope`;
  out.write(text.slice(0, HEADER_TEXT_BYTES), 0, 'latin1');
  out.fill(0, HEADER_TEXT_BYTES, HEADER_TEXT_BYTES + 8); // no subsystem data
  out.writeUInt16LE(0x0100, 124);
  out.write('IM', 126, 'latin1');
  return out;
}

/** MATLAB has no 1-D or 0-D arrays: a vector becomes a column, a scalar 1×1. */
export function matDimensions(shape: readonly number[]): number[] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, 1];
  return [...shape];
}

function tag(type: number, nBytes: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(nBytes, 4);
  return b;
}

interface VariableLayout {
  single: boolean;
  dims: number[];
  dataBytes: number;
  /** Everything before the real part's values: matrix tag, flags, dims, name, real-part tag. */
  head: Buffer;
}

function layoutOf(variable: MatVariable): VariableLayout {
  const { name, array } = variable;
  checkMatVariableName(name);
  const single = array.dtype === 'float32';
  const dims = matDimensions(array.shape);
  if (dims.some((d) => d > 0x7fffffff)) throw new ExportError(`${name}: a dimension exceeds MATLAB's int32`);
  const dataBytes = elementCount(array.shape) * (single ? 4 : 8);

  const flags = Buffer.concat([tag(MI_UINT32, 8), Buffer.alloc(8)]);
  flags.writeUInt32LE(single ? MX_SINGLE_CLASS : MX_DOUBLE_CLASS, 8);
  const dimBytes = Buffer.alloc(pad8(dims.length * 4));
  dims.forEach((d, i) => dimBytes.writeInt32LE(d, i * 4));
  const nameBytes = Buffer.alloc(pad8(name.length));
  nameBytes.write(name, 0, 'latin1');
  const subelements = Buffer.concat([
    flags,
    tag(MI_INT32, dims.length * 4),
    dimBytes,
    tag(MI_INT8, name.length),
    nameBytes,
  ]);
  const matrixBytes = subelements.length + 8 + pad8(dataBytes);
  if (matrixBytes > MAX_ELEMENT_BYTES) {
    throw new ExportError(`${name} is ${dataBytes} bytes; a MAT v5 variable must stay under 4 GiB`);
  }
  const head = Buffer.concat([
    tag(MI_MATRIX, matrixBytes),
    subelements,
    tag(single ? MI_SINGLE : MI_DOUBLE, dataBytes),
  ]);
  return { single, dims, dataBytes, head };
}

/** For each Fortran-order position among the trailing axes, where that value sits in a C-order row. */
function trailingCIndices(shape: readonly number[]): Int32Array {
  const trailing = shape.slice(1);
  const width = rowLength(shape);
  const out = new Int32Array(width);
  const index = new Array<number>(trailing.length).fill(0);
  for (let f = 0; f < width; f++) {
    let c = 0;
    for (let a = 0; a < trailing.length; a++) c = c * trailing[a]! + index[a]!;
    out[f] = c;
    for (let a = 0; a < trailing.length; a++) {
      if (++index[a]! < trailing[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

async function writeColumnMajor(
  handle: FileHandle,
  variable: MatVariable,
  single: boolean,
  options: MatWriteOptions,
  progress: { written: number },
): Promise<void> {
  const { array, name } = variable;
  const rows = array.shape.length === 0 ? 1 : array.shape[0]!;
  const width = rowLength(array.shape);
  if (rows === 0 || width === 0) return;
  const cIndex = trailingCIndices(array.shape);
  const budget = options.memoryBudgetBytes ?? 32 * 1024 * 1024;
  const columnsPerPass = Math.max(1, Math.floor(budget / (rows * (single ? 4 : 8))));
  const pacer = new EventLoopPacer();
  for (let first = 0; first < width; first += columnsPerPass) {
    const count = Math.min(columnsPerPass, width - first);
    const out = single ? new Float32Array(count * rows) : new Float64Array(count * rows);
    let row = 0;
    for (const block of checkedBlocks(array, name)) {
      throwIfAborted(options.signal, name);
      const blockRows = block.length / width;
      for (let r = 0; r < blockRows; r++, row++) {
        const base = r * width;
        for (let j = 0; j < count; j++) out[j * rows + row] = block[base + cIndex[first + j]!]!;
        if ((r & 255) === 255 && pacer.due()) await pacer.pause();
      }
    }
    await handle.write(littleEndianBytes(out));
    progress.written += out.length;
    options.onValues?.(progress.written);
  }
}

/** Writes the variables, in order, to one MAT-file; names must be distinct MATLAB identifiers. */
export async function writeMat(
  path: string,
  variables: readonly MatVariable[],
  options: MatWriteOptions = {},
): Promise<void> {
  const seen = new Set<string>();
  for (const v of variables) {
    if (seen.has(v.name)) throw new ExportError(`variable "${v.name}" appears twice in ${path}`);
    seen.add(v.name);
  }
  const layouts = variables.map(layoutOf);
  const handle = await open(path, 'w');
  try {
    await handle.write(matHeader());
    const progress = { written: 0 };
    for (let i = 0; i < variables.length; i++) {
      const layout = layouts[i]!;
      await handle.write(layout.head);
      await writeColumnMajor(handle, variables[i]!, layout.single, options, progress);
      const padding = pad8(layout.dataBytes) - layout.dataBytes;
      if (padding > 0) await handle.write(Buffer.alloc(padding));
    }
  } finally {
    await handle.close();
  }
}
