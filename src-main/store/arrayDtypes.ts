import os from 'node:os';

/** Element types an array in the project store may have. */
export const arrayDtypes = [
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
] as const;
export type ArrayDtype = (typeof arrayDtypes)[number];

export type StoredTypedArray =
  Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

interface DtypeSpec {
  bytes: number;
  ctor: { new (length: number): StoredTypedArray; new (buffer: ArrayBuffer): StoredTypedArray; name: string };
}

const dtypeSpecs: Record<ArrayDtype, DtypeSpec> = {
  float32: { bytes: 4, ctor: Float32Array },
  float64: { bytes: 8, ctor: Float64Array },
  int8: { bytes: 1, ctor: Int8Array },
  int16: { bytes: 2, ctor: Int16Array },
  int32: { bytes: 4, ctor: Int32Array },
  uint8: { bytes: 1, ctor: Uint8Array },
  uint16: { bytes: 2, ctor: Uint16Array },
  uint32: { bytes: 4, ctor: Uint32Array },
};

export function isArrayDtype(value: unknown): value is ArrayDtype {
  return typeof value === 'string' && (arrayDtypes as readonly string[]).includes(value);
}

export function bytesPerElement(dtype: ArrayDtype): number {
  return dtypeSpecs[dtype].bytes;
}

export function allocateTyped(dtype: ArrayDtype, length: number): StoredTypedArray {
  return new dtypeSpecs[dtype].ctor(length);
}

/** The constructor name a dtype needs, for error messages ("float32 needs a Float32Array"). */
export function typedArrayName(dtype: ArrayDtype): string {
  return dtypeSpecs[dtype].ctor.name;
}

/** True when `data` is exactly the typed array class of `dtype` (Uint8ClampedArray is not uint8). */
export function matchesDtype(data: unknown, dtype: ArrayDtype): data is StoredTypedArray {
  return (
    ArrayBuffer.isView(data) && !(data instanceof DataView) && data.constructor === dtypeSpecs[dtype].ctor
  );
}

/** Chunks are stored little-endian whatever the host is, so a project file is portable. */
export const hostIsLittleEndian = os.endianness() === 'LE';

/** Reverses the bytes of each element in place (for big-endian hosts). */
export function swapElementBytes(bytes: Uint8Array, elementBytes: number): void {
  if (elementBytes === 1) return;
  for (let offset = 0; offset < bytes.length; offset += elementBytes) {
    bytes.subarray(offset, offset + elementBytes).reverse();
  }
}
