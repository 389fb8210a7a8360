import type { RecordingHeader } from '../../../src-shared/domain/recording';
import type { BinaryFile } from './binaryFile';
import { DenseMatrixSource } from './denseMatrixSource';
import type { MatValue } from './matV5';
import { MemorySource, type RecordingSource } from './recordingSource';
import { decodeSpan, sampleTypeBytes } from './sampleEncoding';

export type MatNumeric = Extract<MatValue, { kind: 'numeric' }>;

/** Named children of a value: a struct's fields (first element) or, at the top, the variables. */
export function fieldOf(value: MatValue | undefined, name: string): MatValue | undefined {
  if (value?.kind !== 'struct') return undefined;
  return value.elements[0]?.get(name);
}

/** Follows 'EEG.data'-style paths from the top-level variables. */
export function findByPath(variables: MatValue[], fieldPath: string): MatValue | undefined {
  const [first, ...rest] = fieldPath.split('.');
  let value = variables.find((v) => v.name === first);
  for (const part of rest) value = fieldOf(value, part);
  return value;
}

/** Numbers of a small in-memory numeric array, in float64 (for scalars, latencies, durations). */
export function numbersOf(value: MatValue | undefined): number[] | undefined {
  if (value?.kind !== 'numeric' || !('bytes' in value.data)) return undefined;
  const count = value.dims.reduce((a, b) => a * b, 1);
  const { bytes } = value.data;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = value.encoding.littleEndian;
  const width = sampleTypeBytes[value.encoding.type];
  const read: Record<typeof value.encoding.type, (at: number) => number> = {
    int8: (at) => view.getInt8(at),
    uint8: (at) => view.getUint8(at),
    int16: (at) => view.getInt16(at, le),
    uint16: (at) => view.getUint16(at, le),
    int24: () => Number.NaN, // MAT-files have no 24-bit type
    int32: (at) => view.getInt32(at, le),
    uint32: (at) => view.getUint32(at, le),
    float32: (at) => view.getFloat32(at, le),
    float64: (at) => view.getFloat64(at, le),
  };
  const get = read[value.encoding.type];
  return Array.from({ length: count }, (_, i) => get(i * width));
}

export function scalarOf(value: MatValue | undefined): number | undefined {
  const numbers = numbersOf(value);
  return numbers?.length === 1 ? numbers[0] : undefined;
}

export function textOf(value: MatValue | undefined): string | undefined {
  if (value?.kind === 'char') return value.text;
  if (value?.kind === 'empty') return '';
  return undefined;
}

/**
 * A source over a MATLAB column-major [dims0 × dims1] matrix: `timeAxis` says which dimension is time.
 * Arrays left in the file are read in windows; in-memory ones (from compressed elements) are decoded
 * once into the time-major output buffer.
 */
export async function sourceForMatrix(
  header: RecordingHeader,
  file: BinaryFile,
  matrix: MatNumeric,
  timeAxis: 0 | 1,
  scale = 1,
): Promise<RecordingSource> {
  const nChannels = header.channels.length;
  const nSamples = header.nSamples;
  // Column-major: when time is the first dimension each channel is contiguous (channel-major).
  const order = timeAxis === 0 ? 'channel-major' : 'time-major';
  const scales = scale === 1 ? undefined : new Float64Array(nChannels).fill(scale);
  if ('fileOffset' in matrix.data) {
    return new DenseMatrixSource(header, file, {
      dataOffset: matrix.data.fileOffset,
      encoding: matrix.encoding,
      nSamples,
      nChannels,
      order,
      ...(scales ? { scale: scales } : {}),
    });
  }
  const data = new Float32Array(nSamples * nChannels);
  const width = sampleTypeBytes[matrix.encoding.type];
  const bytes = matrix.data.bytes;
  if (order === 'time-major') {
    decodeSpan(
      { bytes, start: 0, stride: width, count: nSamples * nChannels },
      matrix.encoding,
      data,
      0,
      1,
      scale,
    );
  } else {
    for (let c = 0; c < nChannels; c++) {
      decodeSpan(
        { bytes, start: c * nSamples * width, stride: width, count: nSamples },
        matrix.encoding,
        data,
        c,
        nChannels,
        scale,
      );
    }
  }
  await file.close();
  return new MemorySource(header, data);
}
