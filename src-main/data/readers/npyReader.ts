import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { arrayChannels, orientShape } from './arrayChannels';
import { BinaryFile } from './binaryFile';
import { DenseMatrixSource, denseMatrixBytes, type DenseMatrixLayout } from './denseMatrixSource';
import {
  checkHeader,
  samplingRateFromOptions,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';
import { sampleTypeBytes, type SampleEncoding, type SampleType } from './sampleEncoding';

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const MAX_HEADER_BYTES = 1 << 20;

export function looksLikeNpy(head: Buffer): boolean {
  return head.length >= 6 && head.subarray(0, 6).equals(NPY_MAGIC);
}

const npyKinds: Record<string, SampleType> = {
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  f4: 'float32',
  f8: 'float64',
};

export interface NpyArrayHeader {
  encoding: SampleEncoding;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** Parses the npy preamble and the Python-literal header dict (only the three keys numpy writes). */
export async function readNpyHeader(file: BinaryFile): Promise<NpyArrayHeader> {
  if (file.size < 10) throw file.fail(`file is ${file.size} bytes, too short for an npy header`);
  const pre = await file.readAt(0, Math.min(12, file.size), 'npy preamble');
  if (!looksLikeNpy(pre)) throw file.fail('not an npy file (magic \\x93NUMPY missing)');
  const major = pre[6]!;
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = pre.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (pre.length < 12) throw file.fail('npy v2 preamble is truncated');
    headerLength = pre.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw file.fail(`unsupported npy format version ${major}.${pre[7]}`);
  }
  if (headerLength > MAX_HEADER_BYTES) throw file.fail(`npy header declares ${headerLength} bytes (absurd)`);
  const text = (await file.readAt(headerStart, headerLength, 'npy header')).toString('latin1');

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw file.fail(
      `npy header is not a valid dict with descr, fortran_order and shape: ${text.trim().slice(0, 120)}`,
    );
  }
  const match = /^([<>|=])([a-zA-Z]\d+)$/.exec(descr);
  const type = match ? npyKinds[match[2]!] : undefined;
  if (!match || !type) {
    throw file.fail(`unsupported npy dtype '${descr}' (supported: i1 u1 i2 u2 i4 u4 f4 f8)`);
  }
  const littleEndian = match[1] === '<' || match[1] === '|' || match[1] === '=';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw file.fail(`npy shape entry '${s}' is not a non-negative integer`);
      return Number.parseInt(s, 10);
    });
  if (shape.some((n) => !Number.isSafeInteger(n))) throw file.fail(`npy shape (${shapeText}) is absurd`);
  const dataOffset = headerStart + headerLength;
  return { encoding: { type, littleEndian }, fortranOrder: fortran === 'True', shape, dataOffset };
}

export async function openNpy(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const file = await BinaryFile.open(filePath, 'npy');
  try {
    const npy = await readNpyHeader(file);
    const warnings: string[] = [];
    if (npy.shape.length === 0 || npy.shape.length > 2) {
      throw file.fail(`npy array has ${npy.shape.length} dimensions (${npy.shape.join('×')}); need 1 or 2`);
    }
    const rows = npy.shape[0]!;
    const cols = npy.shape.length === 2 ? npy.shape[1]! : 1;
    if (rows === 0 || cols === 0) throw file.fail(`npy array is empty (shape ${npy.shape.join('×')})`);
    const oriented =
      npy.shape.length === 1
        ? { nSamples: rows, nChannels: 1, orientation: 'time-first' as const }
        : orientShape(rows, cols, options, warnings);
    const need = denseMatrixBytes({ encoding: npy.encoding, nSamples: rows, nChannels: cols });
    const available = file.size - npy.dataOffset;
    if (need > available) {
      throw file.fail(
        `header declares shape (${npy.shape.join(', ')}) of ${sampleTypeBytes[npy.encoding.type]}-byte values ` +
          `(${need} bytes) but the file holds ${available} bytes after the header`,
      );
    }
    if (need < available) warnings.push(`${available - need} bytes after the array were ignored`);
    // Row-major (C) storage of a time-first matrix is time-major; each transposition flips it.
    const timeMajor =
      npy.shape.length === 1 || npy.fortranOrder === (oriented.orientation === 'channel-first');
    const layout: DenseMatrixLayout = {
      dataOffset: npy.dataOffset,
      encoding: npy.encoding,
      nSamples: oriented.nSamples,
      nChannels: oriented.nChannels,
      order: timeMajor ? 'time-major' : 'channel-major',
    };
    const header: RecordingHeader = checkHeader({
      format: 'npy',
      sourcePath: filePath,
      samplingRate: samplingRateFromOptions(filePath, 'npy', options, warnings),
      nSamples: oriented.nSamples,
      channels: arrayChannels(filePath, 'npy', oriented.nChannels, options),
      annotations: [],
      gapSegments: [],
      warnings,
    });
    return new DenseMatrixSource(header, file, layout);
  } catch (error) {
    await file.close();
    throw error;
  }
}
