/** How one stored sample is encoded on disk. */
export type SampleType =
  'int8' | 'uint8' | 'int16' | 'uint16' | 'int24' | 'int32' | 'uint32' | 'float32' | 'float64';

export interface SampleEncoding {
  type: SampleType;
  littleEndian: boolean;
}

export const sampleTypeBytes: Record<SampleType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int24: 3,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A span of encoded values: `count` values, the first at `start` bytes, `stride` bytes apart. */
export interface EncodedSpan {
  bytes: Uint8Array;
  start: number;
  stride: number;
  count: number;
}

type NativeArray = Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const nativeConstructors: Partial<
  Record<SampleType, new (buffer: ArrayBufferLike, offset: number, length: number) => NativeArray>
> = {
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** A typed view over the span when its values are in host byte order and aligned, else undefined. */
function nativeView(span: EncodedSpan, encoding: SampleEncoding): NativeArray | undefined {
  const make = nativeConstructors[encoding.type];
  if (!make || encoding.littleEndian !== hostIsLittleEndian || span.count === 0) return undefined;
  const width = sampleTypeBytes[encoding.type];
  const first = span.bytes.byteOffset + span.start;
  if (first % width !== 0 || span.stride % width !== 0) return undefined;
  const length = ((span.count - 1) * span.stride) / width + 1;
  return new make(span.bytes.buffer, first, length);
}

/**
 * Decodes a strided span of stored values into float32, as value · scale + offset computed in float64
 * (so that the only rounding is the final one to float32). Writes dst[dstStart + i · dstStride].
 */
export function decodeSpan(
  span: EncodedSpan,
  encoding: SampleEncoding,
  dst: Float32Array,
  dstStart: number,
  dstStride: number,
  scale = 1,
  offset = 0,
): void {
  const { bytes, start, stride, count } = span;
  const native = nativeView(span, encoding);
  if (native) {
    // Aligned host-order data: index a typed view instead of decoding byte by byte (several times faster).
    const step = stride / native.BYTES_PER_ELEMENT;
    let d = dstStart;
    if (scale === 1 && offset === 0) {
      for (let i = 0, s = 0; i < count; i++, s += step, d += dstStride) dst[d] = native[s]!;
    } else {
      for (let i = 0, s = 0; i < count; i++, s += step, d += dstStride) dst[d] = native[s]! * scale + offset;
    }
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = encoding.littleEndian;
  let s = start;
  let d = dstStart;
  switch (encoding.type) {
    case 'int8':
      for (let i = 0; i < count; i++, s += stride, d += dstStride) dst[d] = view.getInt8(s) * scale + offset;
      return;
    case 'uint8':
      for (let i = 0; i < count; i++, s += stride, d += dstStride) dst[d] = view.getUint8(s) * scale + offset;
      return;
    case 'int16':
      for (let i = 0; i < count; i++, s += stride, d += dstStride)
        dst[d] = view.getInt16(s, le) * scale + offset;
      return;
    case 'uint16':
      for (let i = 0; i < count; i++, s += stride, d += dstStride)
        dst[d] = view.getUint16(s, le) * scale + offset;
      return;
    case 'int24':
      for (let i = 0; i < count; i++, s += stride, d += dstStride) {
        const raw = le
          ? bytes[s]! | (bytes[s + 1]! << 8) | (bytes[s + 2]! << 16)
          : (bytes[s]! << 16) | (bytes[s + 1]! << 8) | bytes[s + 2]!;
        dst[d] = ((raw << 8) >> 8) * scale + offset;
      }
      return;
    case 'int32':
      for (let i = 0; i < count; i++, s += stride, d += dstStride)
        dst[d] = view.getInt32(s, le) * scale + offset;
      return;
    case 'uint32':
      for (let i = 0; i < count; i++, s += stride, d += dstStride)
        dst[d] = view.getUint32(s, le) * scale + offset;
      return;
    case 'float32':
      if (scale === 1 && offset === 0) {
        for (let i = 0; i < count; i++, s += stride, d += dstStride) dst[d] = view.getFloat32(s, le);
      } else {
        for (let i = 0; i < count; i++, s += stride, d += dstStride)
          dst[d] = view.getFloat32(s, le) * scale + offset;
      }
      return;
    case 'float64':
      for (let i = 0; i < count; i++, s += stride, d += dstStride)
        dst[d] = view.getFloat64(s, le) * scale + offset;
      return;
  }
}
