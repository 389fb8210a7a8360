import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  decodeArray,
  encodeArray,
  encodedArraySchema,
  EncodedArrayError,
} from '../../src-shared/domain/encodedArray';

describe('encoded arrays', () => {
  it('encodes bytes exactly as standard base64 for every padding case', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(Array.from(base64ToBytes(text))).toEqual(Array.from(bytes));
    }
    // Longer than one internal slice of the encoder.
    const big = Uint8Array.from({ length: 3 * 16384 * 2 + 5 }, (_, i) => (i * 7) & 255);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('round-trips float32 (NaN, ±Inf, -0), float64, int32 and uint8 arrays with their shapes', () => {
    const f32 = Float32Array.from([1.5, -2.25, NaN, Infinity, -Infinity, -0, 3.4e38]);
    const e = encodeArray(f32, [7]);
    expect(e.dtype).toBe('float32');
    const back = decodeArray(e) as Float32Array;
    expect(back).toBeInstanceOf(Float32Array);
    expect(Array.from(back)).toEqual(Array.from(f32));
    expect(Object.is(back[5], -0)).toBe(true);

    const f64 = Float64Array.from({ length: 12 }, (_, i) => Math.PI * i - 1e-300);
    const e64 = encodeArray(f64, [3, 4]);
    expect(e64.shape).toEqual([3, 4]);
    expect(Array.from(decodeArray(e64))).toEqual(Array.from(f64));

    const i32 = Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, -1]);
    expect(Array.from(decodeArray(encodeArray(i32, [2, 2])))).toEqual(Array.from(i32));
    const u8 = Uint8Array.from([0, 1, 255]);
    expect(Array.from(decodeArray(encodeArray(u8, [3])))).toEqual([0, 1, 255]);
    // A view into a larger buffer encodes only its own elements.
    const view = new Float32Array([9, 8, 7, 6]).subarray(1, 3);
    expect(Array.from(decodeArray(encodeArray(view, [2])))).toEqual([8, 7]);
    expect(Array.from(decodeArray(encodeArray(new Float32Array(0), [0, 5])))).toEqual([]);
  });

  it('refuses shapes that do not match the data, and bad base64', () => {
    expect(() => encodeArray(new Float32Array(6), [4])).toThrow(EncodedArrayError);
    expect(() => encodeArray(new Float32Array(6), [4])).toThrow(
      'shape [4] holds 4 elements but the array has 6',
    );
    expect(() => encodeArray(new Float32Array(2), [-1, -2])).toThrow(/non-negative integers/);

    const good = encodeArray(Float32Array.from([1, 2, 3]), [3]);
    const wrongShape = { ...good, shape: [4] };
    expect(encodedArraySchema.safeParse(wrongShape).success).toBe(false);
    expect(() => decodeArray(wrongShape)).toThrow(/holds 16 base64 characters but float32 \[4\] needs 24/);
    expect(() => decodeArray({ ...good, dtype: 'float64' })).toThrow(/needs 32/);
    expect(() => decodeArray({ ...good, data: `${good.data.slice(0, -4)}A*AA` })).toThrow(/base64/);
    expect(() => base64ToBytes('abc')).toThrow('base64 length 3 is not a multiple of 4');
    expect(() => base64ToBytes('ab!=')).toThrow('invalid base64 character at 2');
  });
});
