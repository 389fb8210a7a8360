import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../../src-main/services/datasets/fileDigest';
import { countMarked, firstNonFinite, keepFiniteColumns } from '../../src-main/services/datasets/keptSamples';

describe('firstNonFinite', () => {
  it('finds NaN, +Infinity and -Infinity, and nothing in finite extremes', () => {
    const finite = [0, -0, 1.5, -3.4028234663852886e38, 3.4028234663852886e38, 1e-45, -1e-45];
    expect(firstNonFinite(new Float32Array(finite))).toBe(-1);
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const values = new Float32Array([...finite, bad, 2, bad]);
      expect(firstNonFinite(values)).toBe(finite.length);
    }
  });

  it('finds the first bad value at every position of a four-value step and in the tail', () => {
    for (let length = 1; length <= 11; length++) {
      for (let at = 0; at < length; at++) {
        const values = new Float32Array(length).fill(2.5);
        values[at] = Number.NaN;
        if (at + 1 < length) values[at + 1] = Number.POSITIVE_INFINITY;
        expect(firstNonFinite(values), `length ${length}, bad at ${at}`).toBe(at);
      }
    }
  });

  it('looks only inside a subarray view', () => {
    const backing = new Float32Array([Number.NaN, 1, 2, 3, Number.NaN]);
    expect(firstNonFinite(backing.subarray(1, 4))).toBe(-1);
    expect(firstNonFinite(backing.subarray(1, 5))).toBe(3);
  });
});

describe('keepFiniteColumns', () => {
  it('keeps a clean window untouched in place and marks nothing', () => {
    const window = new Float32Array([1, 2, 3, 4, 5, 6]);
    const mask = new Uint8Array(2);
    keepFiniteColumns(window, 3, [0, 1, 2], window, mask);
    expect(Array.from(window)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(mask)).toEqual([0, 0]);
  });

  it('zeroes missing values in place and marks their rows, also after the first bad row', () => {
    const window = new Float32Array([1, 2, 3, Number.NaN, 5, 6, 7, 8, 9, 10, Number.NEGATIVE_INFINITY, 12]);
    const mask = new Uint8Array(4);
    mask[0] = 1; // a row already marked by a BAD annotation keeps its mark and its values
    keepFiniteColumns(window, 3, [0, 1, 2], window, mask);
    expect(Array.from(window)).toEqual([1, 2, 3, 0, 5, 6, 7, 8, 9, 10, 0, 12]);
    expect(Array.from(mask)).toEqual([1, 1, 0, 1]);
    expect(countMarked(mask)).toBe(3);
  });

  it('picks and reorders columns, judging only the kept ones', () => {
    const window = new Float32Array([1, Number.NaN, 3, 4, 5, Number.POSITIVE_INFINITY]);
    const kept = new Float32Array(4);
    const mask = new Uint8Array(2);
    keepFiniteColumns(window, 3, [2, 0], kept, mask);
    expect(Array.from(kept)).toEqual([3, 1, 0, 4]);
    expect(Array.from(mask)).toEqual([0, 1]);
  });

  it('refuses sizes that do not agree and an in-place pick of columns', () => {
    const window = new Float32Array(6);
    expect(() => keepFiniteColumns(window, 3, [0, 1, 2], new Float32Array(6), new Uint8Array(3))).toThrow(
      /window of 6 values, kept of 6 and mask of 3 rows do not agree with 3 → 3 channels/,
    );
    expect(() => keepFiniteColumns(window, 3, [1, 0, 2], window, new Uint8Array(2))).toThrow(
      /kept can be the window itself only when every channel is kept in order/,
    );
  });
});

describe('sha256OfFile', () => {
  let dir: string;
  let file: string;
  let bytes: Buffer;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modescope-digest-'));
    file = path.join(dir, 'data.bin');
    // More than one 1 MiB piece, and not a whole number of them.
    bytes = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    fs.writeFileSync(file, bytes);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('matches the digest of the whole file, also for an empty file', async () => {
    expect(await sha256OfFile(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
    const empty = path.join(dir, 'empty.bin');
    fs.writeFileSync(empty, '');
    expect(await sha256OfFile(empty)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('rejects for a missing file, and with the reason when aborted', async () => {
    await expect(sha256OfFile(path.join(dir, 'missing.bin'))).rejects.toThrow(/ENOENT/);
    const already = new AbortController();
    already.abort(new Error('stopped before it started'));
    await expect(sha256OfFile(file, already.signal)).rejects.toThrow('stopped before it started');
    const later = new AbortController();
    const hashing = sha256OfFile(file, later.signal);
    later.abort(new Error('cancelled by the user'));
    await expect(hashing).rejects.toThrow('cancelled by the user');
  });
});
