import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryFile } from '../../src-main/data/readers/binaryFile';
import { openCsv } from '../../src-main/data/readers/csvReader';
import { readMatV5 } from '../../src-main/data/readers/matV5';
import { numbersOf } from '../../src-main/data/readers/matValues';
import { readNpyHeader } from '../../src-main/data/readers/npyReader';
import { formatCsvNumber } from '../../src-main/export/csvNumber';
import { defaultColumnNames, writeCsv } from '../../src-main/export/csvWriter';
import { ExportCancelledError, inMemoryArray, type ExportArray } from '../../src-main/export/exportArray';
import { ExportError } from '../../src-main/export/exportError';
import { matDimensions, writeMat } from '../../src-main/export/matWriter';
import { checkMatVariableName, toMatVariableName } from '../../src-main/export/matVariableName';
import { npyHeader, writeNpy, writeNpyArray } from '../../src-main/export/npyWriter';
import type { StoredTypedArray } from '../../src-main/store/arrayDtypes';

const dir = mkdtempSync(path.join(tmpdir(), 'modescope-export-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

/** An array given as several row blocks, as the project store hands them out. */
function blockedArray<T extends StoredTypedArray>(
  data: T,
  shape: number[],
  rowsPerBlock: number,
): ExportArray {
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    ...inMemoryArray(data, shape),
    *blocks() {
      for (let r = 0; r < shape[0]!; r += rowsPerBlock) {
        yield data.subarray(r * width, Math.min(shape[0]!, r + rowsPerBlock) * width) as T;
      }
    },
  };
}

/** C-order index → value, in Fortran order, as MATLAB stores it. */
function fortranOrder(data: ArrayLike<number>, shape: number[]): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    let c = 0;
    for (let a = 0; a < shape.length; a++) c = c * shape[a]! + idx[a]!;
    out[f] = data[c]!;
    for (let a = 0; a < shape.length; a++) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

const ramp = (n: number, scale = 1) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale + i);

describe('npy writer', () => {
  it('writes a v1.0 header padded to 64 bytes with the dict numpy expects', () => {
    const h = npyHeader('float32', [5, 3]);
    expect([...h.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(h.length % 64).toBe(0);
    expect(h.readUInt16LE(8)).toBe(h.length - 10);
    expect(h[h.length - 1]).toBe(0x0a);
    expect(h.toString('latin1', 10).trimEnd()).toBe(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }",
    );
    expect(npyHeader('float64', [7]).toString('latin1')).toContain("'shape': (7,)");
    expect(npyHeader('int32', []).toString('latin1')).toContain("'descr': '<i4'");
    expect(npyHeader('int32', []).toString('latin1')).toContain("'shape': ()");
  });

  it.each([
    ['float32', Float32Array.from(ramp(2 * 5 * 3)), [2, 5, 3]],
    ['float64', ramp(37 * 4, 1e-9), [37, 4]],
    ['int32', Int32Array.from({ length: 11 }, (_, i) => i * i - 50), [11]],
  ] as const)('round-trips %s through our npy reader, block by block', async (dtype, data, shape) => {
    const target = file(`rt-${dtype}.npy`);
    await writeNpy(target, blockedArray(data, [...shape], 3));
    const bf = await BinaryFile.open(target, 'npy');
    try {
      const header = await readNpyHeader(bf);
      expect(header.shape).toEqual(shape);
      expect(header.fortranOrder).toBe(false);
      expect(header.encoding).toEqual({ type: dtype, littleEndian: true });
      expect(header.dataOffset % 64).toBe(0);
      const bytes = readFileSync(target).subarray(header.dataOffset);
      expect(bytes.length).toBe(data.byteLength);
      const back = new (data.constructor as new (b: ArrayBuffer) => StoredTypedArray)(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      expect([...back]).toEqual([...data]);
    } finally {
      await bf.close();
    }
  });

  it('refuses blocks that do not add up to the shape, and stops when cancelled', async () => {
    const short: ExportArray = { dtype: 'float64', shape: [4, 2], blocks: () => [new Float64Array(6)] };
    await expect(writeNpy(file('short.npy'), short)).rejects.toThrow(/hold 6 values, its shape \(4, 2\) 8/);
    const wrong: ExportArray = { dtype: 'float64', shape: [2], blocks: () => [new Float32Array(2)] };
    await expect(writeNpy(file('wrong.npy'), wrong)).rejects.toThrow(/not a Float64Array/);
    expect(() => inMemoryArray(new Float32Array(5), [2, 3])).toThrow(ExportError);
    const aborted = AbortSignal.abort();
    await expect(
      writeNpyArray(file('cancel.npy'), new Float32Array(4), [4], { signal: aborted }),
    ).rejects.toBeInstanceOf(ExportCancelledError);
  });
});

describe('MAT v5 writer', () => {
  it('writes the 128-byte header: text, version 0x0100 and the IM mark', async () => {
    await writeMat(file('header.mat'), [{ name: 'x', array: inMemoryArray(new Float64Array([1]), []) }]);
    const bytes = readFileSync(file('header.mat'));
    expect(bytes.toString('latin1', 0, 19)).toBe('MATLAB 5.0 MAT-file');
    expect(bytes.readUInt16LE(124)).toBe(0x0100);
    expect(bytes.toString('latin1', 126, 128)).toBe('IM');
    expect(bytes.readUInt32LE(128)).toBe(14); // miMATRIX
    expect(bytes.length % 8).toBe(0);
  });

  it('stores several named variables column-major as double or single, and our reader agrees', async () => {
    const alpha = Float32Array.from(ramp(23 * 3, 0.5));
    const covs = ramp(3 * 4 * 4);
    const vector = Int32Array.from([3, 1, 4, 1, 5]);
    await writeMat(
      file('vars.mat'),
      [
        { name: 'alpha', array: blockedArray(alpha, [23, 3], 5) },
        { name: 'covs', array: blockedArray(covs, [3, 4, 4], 2) },
        { name: 'lifetimes_1', array: inMemoryArray(vector, [5]) },
      ],
      { memoryBudgetBytes: 23 * 4 }, // one column per pass
    );
    const bf = await BinaryFile.open(file('vars.mat'), 'mat');
    try {
      const values = await readMatV5(bf);
      expect(values.map((v) => v.name)).toEqual(['alpha', 'covs', 'lifetimes_1']);
      const [a, c, l] = values;
      if (a?.kind !== 'numeric' || c?.kind !== 'numeric' || l?.kind !== 'numeric')
        throw new Error('not numeric');
      expect(a.dims).toEqual([23, 3]);
      expect(a.encoding.type).toBe('float32');
      expect(numbersOf(a)).toEqual(fortranOrder(alpha, [23, 3]));
      expect(c.dims).toEqual([3, 4, 4]);
      expect(c.encoding.type).toBe('float64');
      expect(numbersOf(c)).toEqual(fortranOrder(covs, [3, 4, 4]));
      expect(l.dims).toEqual([5, 1]);
      expect(numbersOf(l)).toEqual([3, 1, 4, 1, 5]);
    } finally {
      await bf.close();
    }
  });

  it('writes the same bytes whatever the memory budget (passes over the rows)', async () => {
    const data = ramp(40 * 6);
    await writeMat(file('one.mat'), [{ name: 'a', array: blockedArray(data, [40, 2, 3], 7) }]);
    await writeMat(file('many.mat'), [{ name: 'a', array: blockedArray(data, [40, 2, 3], 7) }], {
      memoryBudgetBytes: 1,
    });
    expect(readFileSync(file('one.mat')).subarray(128)).toEqual(readFileSync(file('many.mat')).subarray(128));
  });

  it('refuses names MATLAB would not accept, and duplicates', async () => {
    for (const bad of ['1alpha', '_x', 'a-b', 'end', 'function', 'a'.repeat(64), '', 'ä']) {
      expect(() => checkMatVariableName(bad), bad).toThrow(ExportError);
    }
    expect(() => checkMatVariableName('a'.repeat(63))).not.toThrow();
    expect(toMatVariableName('1 session-A')).toBe('x1_session_A');
    expect(toMatVariableName('end')).toBe('end_');
    const one = inMemoryArray(new Float64Array([1]), [1]);
    await expect(writeMat(file('bad.mat'), [{ name: 'for', array: one }])).rejects.toThrow(/keyword/);
    await expect(
      writeMat(file('dup.mat'), [
        { name: 'x', array: one },
        { name: 'x', array: one },
      ]),
    ).rejects.toThrow(/appears twice/);
    expect(matDimensions([])).toEqual([1, 1]);
    expect(matDimensions([4])).toEqual([4, 1]);
  });
});

describe('CSV writer', () => {
  it('formats numbers independently of locale and exactly', () => {
    expect(formatCsvNumber(Math.fround(0.1), true)).toBe('0.1');
    expect(formatCsvNumber(0.1)).toBe('0.1');
    expect(formatCsvNumber(1234567.891)).toBe('1234567.891');
    expect(formatCsvNumber(NaN)).toBe('NaN');
    expect(formatCsvNumber(-Infinity)).toBe('-Inf');
    expect(formatCsvNumber(1e-300)).toBe('1e-300');
    expect(formatCsvNumber(Math.fround(1.2e-7), true)).toBe('1.2e-7');
    expect(formatCsvNumber(Math.fround(0.5), true)).toBe('0.5');
    expect(formatCsvNumber(Math.fround(250), true)).toBe('250');
    expect(formatCsvNumber(-0.25, true)).toBe('-0.25');
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround(Math.sin(i) * 10 ** ((i % 13) - 6));
      expect(Math.fround(Number(formatCsvNumber(v, true)))).toBe(v);
      const d = Math.cos(i) * 10 ** ((i % 31) - 15);
      expect(Number(formatCsvNumber(d))).toBe(d);
    }
  });

  it('writes a header row and one row per time point that our reader reads back', async () => {
    const alpha = Float32Array.from(ramp(9 * 3, 0.25));
    alpha[4] = NaN;
    await writeCsv(file('alpha.csv'), blockedArray(alpha, [9, 3], 4), {
      names: ['mode_1', 'mode "2"', 'mode,3'],
      leading: { name: 'time_s', value: (row) => row / 250 },
    });
    const text = readFileSync(file('alpha.csv'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('time_s,mode_1,"mode ""2""","mode,3"');
    expect(lines).toHaveLength(10);
    expect(lines[2]!.split(',')[0]).toBe('0.004');
    expect(lines[2]!.split(',')[2]).toBe('NaN');
    const source = await openCsv(file('alpha.csv'), { samplingRate: 250 });
    try {
      expect(source.header.channels.map((c) => c.name)).toEqual(['time_s', 'mode_1', 'mode "2"', 'mode,3']);
      const back = await source.read(0, 9);
      for (let t = 0; t < 9; t++) {
        for (let k = 0; k < 3; k++) expect(back[t * 4 + k + 1]).toEqual(alpha[t * 3 + k]);
      }
    } finally {
      await source.close();
    }
  });

  it('keeps float64 values exact in text and names columns of a 3-D array by index', async () => {
    const covs = ramp(2 * 2 * 2, 1e-7);
    const names = defaultColumnNames([2, 2, 2], 'c');
    expect(names).toEqual(['c0_0', 'c0_1', 'c1_0', 'c1_1']);
    await writeCsv(file('covs.csv'), inMemoryArray(covs, [2, 2, 2]), { names });
    const rows = readFileSync(file('covs.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(rows.flatMap((r) => r.split(',').map(Number))).toEqual([...covs]);
    await expect(writeCsv(file('x.csv'), inMemoryArray(covs, [2, 4]), { names: ['a'] })).rejects.toThrow(
      /1 column names for rows of 4 values/,
    );
  });
});

const python = spawnSync('python3', ['-c', 'import numpy, scipy.io'], { encoding: 'utf8' });
const pythonMissing =
  python.error !== undefined || python.status !== 0
    ? `python3 with numpy and scipy is not available (${python.error?.message ?? python.stderr.trim()})`
    : null;
if (pythonMissing) console.log(`skipping the numpy/scipy read-back test: ${pythonMissing}`);

describe.skipIf(pythonMissing !== null)('numpy and scipy read what we write', () => {
  it('np.load, scipy.io.loadmat and np.genfromtxt see the same values', async () => {
    const a32 = Float32Array.from(ramp(50 * 4, 0.3));
    const covs = ramp(3 * 5 * 5, 1e-3);
    const ints = Int32Array.from([7, -2, 9]);
    await writeNpyArray(file('py-a.npy'), a32, [50, 4]);
    await writeNpyArray(file('py-c.npy'), covs, [3, 5, 5]);
    await writeNpyArray(file('py-i.npy'), ints, [3]);
    await writeMat(
      file('py.mat'),
      [
        { name: 'alpha', array: blockedArray(a32, [50, 4], 16) },
        { name: 'covs', array: inMemoryArray(covs, [3, 5, 5]) },
      ],
      { memoryBudgetBytes: 50 * 4 },
    );
    await writeCsv(file('py.csv'), inMemoryArray(covs, [3, 5, 5]), { names: defaultColumnNames([3, 5, 5]) });
    writeFileSync(
      file('check.py'),
      [
        'import json, sys, numpy as np, scipy.io',
        'd = sys.argv[1]',
        'a = np.load(d + "/py-a.npy"); c = np.load(d + "/py-c.npy"); i = np.load(d + "/py-i.npy")',
        'm = scipy.io.loadmat(d + "/py.mat")',
        'csv = np.genfromtxt(d + "/py.csv", delimiter=",", names=True)',
        'print(json.dumps({',
        ' "a": [str(a.dtype), list(a.shape), a.ravel().tolist()],',
        ' "c": [str(c.dtype), list(c.shape), c.ravel().tolist()],',
        ' "i": [str(i.dtype), list(i.shape), i.tolist()],',
        ' "mat_alpha": [str(m["alpha"].dtype), list(m["alpha"].shape), m["alpha"].ravel().tolist()],',
        ' "mat_covs": [str(m["covs"].dtype), list(m["covs"].shape), m["covs"].ravel().tolist()],',
        ' "csv": [list(csv.dtype.names), np.array(csv.tolist()).ravel().tolist()],',
        '}))',
      ].join('\n'),
    );
    const run = spawnSync('python3', [file('check.py'), dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as Record<string, unknown[]>;
    expect(out.a).toEqual(['float32', [50, 4], [...a32]]);
    expect(out.c).toEqual(['float64', [3, 5, 5], [...covs]]);
    expect(out.i).toEqual(['int32', [3], [7, -2, 9]]);
    // loadmat hands back C-order views of MATLAB's arrays: same shape, same values per index.
    expect(out.mat_alpha).toEqual(['float32', [50, 4], [...a32]]);
    expect(out.mat_covs).toEqual(['float64', [3, 5, 5], [...covs]]);
    expect(out.csv![0]).toEqual(defaultColumnNames([3, 5, 5]));
    expect(out.csv![1]).toEqual([...covs]);
  });
});
