import { z } from 'zod';

/**
 * Numeric arrays as they cross the RPC boundary: the raw little-endian bytes in base64 with dtype
 * and shape, so a preview window or a covariance stack travels as one string instead of a JSON
 * list of numbers (smaller, exact for float32/float64, and decoded straight into a typed array).
 * The codec below is self-contained so the renderer decodes without Node's Buffer.
 */
export const encodedDtypes = ['float32', 'float64', 'int32', 'uint8'] as const;
export type EncodedDtype = (typeof encodedDtypes)[number];

const bytesPer: Record<EncodedDtype, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

export type EncodedTypedArray<D extends EncodedDtype = EncodedDtype> = {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
}[D];

/** base64 text of `count` bytes has this many characters (with padding). */
function base64Length(count: number): number {
  return Math.ceil(count / 3) * 4;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export const encodedArraySchema = z
  .strictObject({
    dtype: z.enum(encodedDtypes),
    shape: z.array(z.number().int().nonnegative()).max(8),
    /** base64 of the little-endian element bytes, row-major. */
    data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data must be base64'),
  })
  .refine((a) => a.data.length === base64Length(elementCount(a.shape) * bytesPer[a.dtype]), {
    error: (issue) => {
      const a = issue.input as { dtype: EncodedDtype; shape: number[]; data: string };
      return `data holds ${a.data.length} base64 characters but ${a.dtype} ${JSON.stringify(a.shape)} needs ${base64Length(elementCount(a.shape) * bytesPer[a.dtype])}`;
    },
  });
export type EncodedArray = z.infer<typeof encodedArraySchema>;

export class EncodedArrayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodedArrayError';
  }
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const encodeTable = Uint8Array.from(alphabet, (c) => c.charCodeAt(0));
const decodeTable = (() => {
  const table = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();
const EQUALS = 61;

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * base64 through typed arrays: the characters are produced as ASCII bytes and turned into a
 * string once (TextDecoder, in Node and browsers), which is far faster than growing a string.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const whole = bytes.length - (bytes.length % 3);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = encodeTable[n >> 18]!;
    out[o++] = encodeTable[(n >> 12) & 63]!;
    out[o++] = encodeTable[(n >> 6) & 63]!;
    out[o++] = encodeTable[n & 63]!;
  }
  const rest = bytes.length - whole;
  if (rest > 0) {
    const n = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o++] = encodeTable[n >> 18]!;
    out[o++] = encodeTable[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? encodeTable[(n >> 6) & 63]! : EQUALS;
    out[o++] = EQUALS;
  }
  return new TextDecoder().decode(out);
}

export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0)
    throw new EncodedArrayError(`base64 length ${text.length} is not a multiple of 4`);
  // Non-ASCII characters become multi-byte sequences here; their bytes (≥ 128) are all invalid below.
  const chars = new TextEncoder().encode(text);
  if (chars.length !== text.length) {
    const at = [...text].findIndex((c) => c.charCodeAt(0) > 127);
    throw new EncodedArrayError(`invalid base64 character at ${at}`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const symbols = chars.length - padding;
  const out = new Uint8Array((chars.length / 4) * 3 - padding);
  const value = (i: number): number => {
    if (i >= symbols) return 0;
    const v = decodeTable[chars[i]!]!;
    if (v < 0) throw new EncodedArrayError(`invalid base64 character at ${i}`);
    return v;
  };
  let o = 0;
  const wholeQuads = symbols - (symbols % 4);
  for (let i = 0; i < wholeQuads; i += 4) {
    const a = decodeTable[chars[i]!]!;
    const b = decodeTable[chars[i + 1]!]!;
    const c = decodeTable[chars[i + 2]!]!;
    const d = decodeTable[chars[i + 3]!]!;
    if ((a | b | c | d) < 0) {
      const bad = [a, b, c, d].findIndex((v) => v < 0);
      throw new EncodedArrayError(`invalid base64 character at ${i + bad}`);
    }
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (wholeQuads < chars.length) {
    const i = wholeQuads;
    const n = (value(i) << 18) | (value(i + 1) << 12) | (value(i + 2) << 6) | value(i + 3);
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k]!;
  }
  return out;
}

function dtypeOf(data: EncodedTypedArray): EncodedDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new EncodedArrayError('only Float32Array, Float64Array, Int32Array and Uint8Array can be encoded');
}

/** Encodes a typed array with the given shape (its product must equal the length). */
export function encodeArray(data: EncodedTypedArray, shape: readonly number[]): EncodedArray {
  const dtype = dtypeOf(data);
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new EncodedArrayError(`shape ${JSON.stringify(shape)} must hold non-negative integers`);
  }
  if (elementCount(shape) !== data.length) {
    throw new EncodedArrayError(
      `shape ${JSON.stringify(shape)} holds ${elementCount(shape)} elements but the array has ${data.length}`,
    );
  }
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!hostIsLittleEndian && bytesPer[dtype] > 1) bytes = swapped(bytes, bytesPer[dtype]);
  return { dtype, shape: [...shape], data: bytesToBase64(bytes) };
}

/** Decodes and checks an encoded array; the result owns fresh, aligned memory. */
export function decodeArray(encoded: EncodedArray): EncodedTypedArray {
  const parsed = encodedArraySchema.safeParse(encoded);
  if (!parsed.success) throw new EncodedArrayError(parsed.error.issues.map((i) => i.message).join('; '));
  const { dtype, shape, data } = parsed.data;
  let bytes = base64ToBytes(data);
  const expected = elementCount(shape) * bytesPer[dtype];
  if (bytes.length !== expected) {
    throw new EncodedArrayError(
      `decoded ${bytes.length} bytes but ${dtype} ${JSON.stringify(shape)} needs ${expected}`,
    );
  }
  if (!hostIsLittleEndian && bytesPer[dtype] > 1) bytes = swapped(bytes, bytesPer[dtype]);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'uint8':
      return new Uint8Array(buffer);
  }
}
