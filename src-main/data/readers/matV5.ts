import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { BinaryFile } from './binaryFile';
import type { SampleEncoding, SampleType } from './sampleEncoding';
import { sampleTypeBytes } from './sampleEncoding';

/**
 * A parser for MATLAB level-5 MAT-files (the format MATLAB writes up to -v7): numeric arrays, char
 * arrays, structs and cells, with miCOMPRESSED elements inflated through node:zlib. Large numeric
 * arrays stored uncompressed are not loaded: the parser records where their bytes are in the file.
 */

const MI = {
  int8: 1,
  uint8: 2,
  int16: 3,
  uint16: 4,
  int32: 5,
  uint32: 6,
  single: 7,
  double: 9,
  int64: 12,
  uint64: 13,
  matrix: 14,
  compressed: 15,
  utf8: 16,
  utf16: 17,
  utf32: 18,
} as const;

const miSampleTypes: Record<number, SampleType> = {
  [MI.int8]: 'int8',
  [MI.uint8]: 'uint8',
  [MI.int16]: 'int16',
  [MI.uint16]: 'uint16',
  [MI.int32]: 'int32',
  [MI.uint32]: 'uint32',
  [MI.single]: 'float32',
  [MI.double]: 'float64',
};

const MX = { cell: 1, struct: 2, object: 3, char: 4, sparse: 5 } as const;
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

/** Where the numeric values of an array live: in memory, or (large, uncompressed) in the file. */
export type MatNumericData = { bytes: Buffer } | { fileOffset: number; byteLength: number };

export type MatValue =
  | {
      kind: 'numeric';
      name: string;
      dims: number[];
      encoding: SampleEncoding;
      data: MatNumericData;
      complex: boolean;
    }
  | { kind: 'char'; name: string; dims: number[]; text: string }
  | { kind: 'struct'; name: string; dims: number[]; fieldNames: string[]; elements: Map<string, MatValue>[] }
  | { kind: 'cell'; name: string; dims: number[]; items: MatValue[] }
  | { kind: 'empty'; name: string }
  | { kind: 'unsupported'; name: string; dims: number[]; what: string };

/** Uncompressed arrays above this size stay in the file instead of being read into memory. */
const LAZY_NUMERIC_BYTES = 1024 * 1024;
/** Deflate cannot expand data by more than about 1032:1; a larger declared size is corrupt. */
const MAX_INFLATE_RATIO = 1100;
const MAX_DEPTH = 64;

export function matIsLittleEndian(head: Buffer): boolean | undefined {
  const mark = head.subarray(126, 128).toString('latin1');
  return mark === 'IM' ? true : mark === 'MI' ? false : undefined;
}

/** Version word at byte 124: 0x0100 for level 5, 0x0200 for the HDF5-based v7.3. */
export function matVersion(head: Buffer): number | undefined {
  const le = matIsLittleEndian(head);
  if (le === undefined) return undefined;
  return le ? head.readUInt16LE(124) : head.readUInt16BE(124);
}

interface Tag {
  type: number;
  nBytes: number;
  /** Offset of the element's data. */
  dataAt: number;
  /** Offset just past the element, padding included. */
  next: number;
}

class ElementParser {
  constructor(
    private readonly buf: Buffer,
    private readonly le: boolean,
    private readonly fail: (problem: string) => Error,
    /** Offset of buf[0] in the file, when buf is a slice of it (for lazy numeric data). */
    private readonly fileBase: number | undefined,
  ) {}

  private u32(at: number): number {
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  tag(at: number, end: number): Tag {
    if (at + 8 > end) throw this.fail(`MAT element tag at byte ${at} runs past its parent`);
    const word = this.u32(at);
    const small = word >>> 16;
    if (small !== 0) {
      // Small data element: type and size share the first word, the data sits in the second.
      if (small > 4) throw this.fail(`MAT small element at byte ${at} declares ${small} bytes (max 4)`);
      return { type: word & 0xffff, nBytes: small, dataAt: at + 4, next: at + 8 };
    }
    const nBytes = this.u32(at + 4);
    const dataAt = at + 8;
    if (dataAt + nBytes > end) {
      throw this.fail(`MAT element at byte ${at} declares ${nBytes} bytes but only ${end - dataAt} remain`);
    }
    return { type: word, nBytes, dataAt, next: Math.min(end, dataAt + Math.ceil(nBytes / 8) * 8) };
  }

  private ints(tag: Tag): number[] {
    const out: number[] = [];
    const type = miSampleTypes[tag.type];
    if (
      type !== 'int32' &&
      type !== 'uint32' &&
      type !== 'int16' &&
      type !== 'uint16' &&
      type !== 'int8' &&
      type !== 'uint8'
    ) {
      throw this.fail(`MAT integer field has data type ${tag.type}`);
    }
    const width = sampleTypeBytes[type];
    for (let i = 0; i + width <= tag.nBytes; i += width) {
      const at = tag.dataAt + i;
      const v =
        type === 'int32'
          ? this.le
            ? this.buf.readInt32LE(at)
            : this.buf.readInt32BE(at)
          : type === 'uint32'
            ? this.u32(at)
            : type === 'int16'
              ? this.le
                ? this.buf.readInt16LE(at)
                : this.buf.readInt16BE(at)
              : type === 'uint16'
                ? this.le
                  ? this.buf.readUInt16LE(at)
                  : this.buf.readUInt16BE(at)
                : type === 'int8'
                  ? this.buf.readInt8(at)
                  : this.buf.readUInt8(at);
      out.push(v);
    }
    return out;
  }

  private text(tag: Tag): string {
    const bytes = this.buf.subarray(tag.dataAt, tag.dataAt + tag.nBytes);
    switch (tag.type) {
      case MI.utf8:
      case MI.uint8:
      case MI.int8:
        return bytes.toString('utf8');
      case MI.uint16:
      case MI.utf16: {
        let s = '';
        for (let i = 0; i + 2 <= bytes.length; i += 2)
          s += String.fromCharCode(this.le ? bytes.readUInt16LE(i) : bytes.readUInt16BE(i));
        return s;
      }
      default:
        return '';
    }
  }

  /** Parses the miMATRIX element whose tag is at `at` (within [at, end)). */
  matrix(at: number, end: number, depth: number): { value: MatValue; next: number } {
    if (depth > MAX_DEPTH) throw this.fail('MAT arrays are nested too deeply');
    const tag = this.tag(at, end);
    if (tag.type !== MI.matrix)
      throw this.fail(`expected a MAT array element at byte ${at}, found data type ${tag.type}`);
    return { value: this.matrixBody(tag, depth), next: tag.next };
  }

  matrixBody(tag: Tag, depth: number): MatValue {
    const end = tag.dataAt + tag.nBytes;
    if (tag.nBytes === 0) return { kind: 'empty', name: '' };
    const flagsTag = this.tag(tag.dataAt, end);
    if (flagsTag.nBytes < 8) throw this.fail('MAT array flags are shorter than 8 bytes');
    const flags = this.u32(flagsTag.dataAt);
    const mxClass = flags & 0xff;
    const complex = (flags & 0x800) !== 0;
    const dimsTag = this.tag(flagsTag.next, end);
    const dims = this.ints(dimsTag);
    if (dims.length < 2 || dims.some((d) => d < 0))
      throw this.fail(`MAT array has invalid dimensions [${dims.join(', ')}]`);
    const count = dims.reduce((a, b) => a * b, 1);
    const nameTag = this.tag(dimsTag.next, end);
    const name = this.text(nameTag);
    let at = nameTag.next;

    if (NUMERIC_CLASSES.has(mxClass)) {
      const real = this.tag(at, end);
      const type = miSampleTypes[real.type];
      if (!type)
        return {
          kind: 'unsupported',
          name,
          dims,
          what: `numeric data of MAT type ${real.type} (64-bit integers?)`,
        };
      const encoding: SampleEncoding = { type, littleEndian: this.le };
      if (real.nBytes < count * sampleTypeBytes[type]) {
        throw this.fail(
          `MAT array '${name}' declares ${dims.join('×')} values but holds ${real.nBytes} bytes`,
        );
      }
      const byteLength = count * sampleTypeBytes[type];
      const data: MatNumericData =
        this.fileBase !== undefined &&
        (byteLength > LAZY_NUMERIC_BYTES || real.dataAt + byteLength > this.buf.length)
          ? { fileOffset: this.fileBase + real.dataAt, byteLength }
          : { bytes: this.buf.subarray(real.dataAt, real.dataAt + byteLength) };
      return { kind: 'numeric', name, dims, encoding, data, complex };
    }
    if (mxClass === MX.char) {
      if (count === 0) return { kind: 'char', name, dims, text: '' };
      const dataTag = this.tag(at, end);
      let text = this.text(dataTag);
      // A char matrix is stored column-major; rows are what people read.
      if (dims[0]! > 1) {
        const rows = dims[0]!;
        const cols = Math.floor(text.length / rows);
        const lines: string[] = [];
        for (let r = 0; r < rows; r++) {
          let line = '';
          for (let c = 0; c < cols; c++) line += text[r + c * rows] ?? '';
          lines.push(line);
        }
        text = lines.join('\n');
      }
      return { kind: 'char', name, dims, text };
    }
    if (mxClass === MX.struct) {
      const lenTag = this.tag(at, end);
      const fieldLength = this.ints(lenTag)[0] ?? 0;
      const namesTag = this.tag(lenTag.next, end);
      if (fieldLength <= 0) throw this.fail(`MAT struct '${name}' has field name length ${fieldLength}`);
      const nFields = Math.floor(namesTag.nBytes / fieldLength);
      const fieldNames: string[] = [];
      for (let f = 0; f < nFields; f++) {
        const raw = this.buf.subarray(
          namesTag.dataAt + f * fieldLength,
          namesTag.dataAt + (f + 1) * fieldLength,
        );
        const nul = raw.indexOf(0);
        fieldNames.push(raw.subarray(0, nul < 0 ? raw.length : nul).toString('latin1'));
      }
      at = namesTag.next;
      if (count * nFields * 8 > end - at) {
        throw this.fail(
          `MAT struct '${name}' declares ${count}×${nFields} fields but its element is too short`,
        );
      }
      const elements: Map<string, MatValue>[] = [];
      for (let e = 0; e < count; e++) {
        const element = new Map<string, MatValue>();
        for (const field of fieldNames) {
          const parsed = this.matrix(at, end, depth + 1);
          element.set(field, parsed.value);
          at = parsed.next;
        }
        elements.push(element);
      }
      return { kind: 'struct', name, dims, fieldNames, elements };
    }
    if (mxClass === MX.cell) {
      if (count * 8 > end - at)
        throw this.fail(`MAT cell '${name}' declares ${count} items but its element is too short`);
      const items: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const parsed = this.matrix(at, end, depth + 1);
        items.push(parsed.value);
        at = parsed.next;
      }
      return { kind: 'cell', name, dims, items };
    }
    const what =
      mxClass === MX.sparse ? 'sparse matrix' : mxClass === MX.object ? 'object' : `MAT class ${mxClass}`;
    return { kind: 'unsupported', name, dims, what };
  }
}

function inflateElement(file: BinaryFile, compressed: Buffer, le: boolean, at: number): Buffer {
  const fail = (why: string) => file.fail(`compressed MAT element at byte ${at} ${why}`);
  // Inflate a prefix first: the inner tag tells how much output to allow, so a corrupt or hostile
  // element cannot make us allocate more than it declares (and it may declare at most ~1032:1).
  let prefix: Buffer;
  try {
    prefix = inflateSync(compressed.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (cause) {
    throw fail(`does not inflate (${(cause as Error).message})`);
  }
  if (prefix.length < 8) throw fail('inflates to less than one element tag');
  const declared = (le ? prefix.readUInt32LE(4) : prefix.readUInt32BE(4)) + 8;
  if (declared > compressed.length * MAX_INFLATE_RATIO + 4096) {
    throw fail(`declares ${declared} bytes, more than its ${compressed.length} compressed bytes can hold`);
  }
  try {
    return inflateSync(compressed, {
      maxOutputLength: declared + 8,
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
    });
  } catch (cause) {
    throw fail(`does not inflate (${(cause as Error).message})`);
  }
}

/**
 * An uncompressed top-level array. Big numeric arrays are parsed from a prefix and left in the file;
 * everything else is read whole (the file holds it, so the size is real) and parsed in memory.
 */
async function readUncompressedMatrix(
  file: BinaryFile,
  le: boolean,
  pos: number,
  nBytes: number,
): Promise<MatValue> {
  const fail = (problem: string) => file.fail(problem);
  const prefix = await file.readAt(pos, Math.min(8 + nBytes, 64 * 1024), 'MAT array header');
  const flagsAt = 8;
  const looksNumeric =
    nBytes > LAZY_NUMERIC_BYTES &&
    prefix.length >= 24 &&
    NUMERIC_CLASSES.has((le ? prefix.readUInt32LE(flagsAt + 8) : prefix.readUInt32BE(flagsAt + 8)) & 0xff);
  const body =
    looksNumeric || prefix.length === 8 + nBytes ? prefix : await file.readAt(pos, 8 + nBytes, 'MAT array');
  return guardParse(file, () =>
    new ElementParser(body, le, fail, pos).matrixBody(
      { type: MI.matrix, nBytes, dataAt: 8, next: 8 + nBytes },
      0,
    ),
  );
}

/** Reading past a corrupt element's buffer is a file problem, not a program error. */
function guardParse<T>(file: BinaryFile, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RangeError) throw file.fail(`MAT element is malformed (${error.message})`);
    throw error;
  }
}

/** Reads every top-level variable of a level-5 MAT-file. */
export async function readMatV5(file: BinaryFile): Promise<MatValue[]> {
  if (file.size < 128) throw file.fail(`file is ${file.size} bytes, shorter than the 128-byte MAT header`);
  const head = await file.readAt(0, 128, 'MAT header');
  const le = matIsLittleEndian(head);
  if (le === undefined) throw file.fail('MAT header has no endian indicator (IM/MI)');
  const values: MatValue[] = [];
  let pos = 128;
  while (pos + 8 <= file.size) {
    const tagBytes = await file.readAt(pos, 8, 'MAT element tag');
    const type = le ? tagBytes.readUInt32LE(0) : tagBytes.readUInt32BE(0);
    const nBytes = le ? tagBytes.readUInt32LE(4) : tagBytes.readUInt32BE(4);
    if (pos + 8 + nBytes > file.size) {
      throw file.fail(
        `MAT variable at byte ${pos} declares ${nBytes} bytes but the file holds ${file.size - pos - 8} after it`,
      );
    }
    const fail = (problem: string) => file.fail(problem);
    if (type === MI.compressed) {
      const inflated = inflateElement(
        file,
        await file.readAt(pos + 8, nBytes, 'compressed MAT element'),
        le,
        pos,
      );
      values.push(
        guardParse(
          file,
          () => new ElementParser(inflated, le, fail, undefined).matrix(0, inflated.length, 0).value,
        ),
      );
      pos += 8 + nBytes;
    } else if (type === MI.matrix) {
      values.push(await readUncompressedMatrix(file, le, pos, nBytes));
      pos += 8 + Math.ceil(nBytes / 8) * 8;
    } else {
      throw file.fail(`unexpected top-level MAT element of data type ${type} at byte ${pos}`);
    }
  }
  return values;
}
