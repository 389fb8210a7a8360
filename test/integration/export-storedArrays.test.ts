import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinaryFile } from '../../src-main/data/readers/binaryFile';
import { readMatV5 } from '../../src-main/data/readers/matV5';
import { numbersOf } from '../../src-main/data/readers/matValues';
import { writeCsv } from '../../src-main/export/csvWriter';
import { writeMat } from '../../src-main/export/matWriter';
import { writeNpy } from '../../src-main/export/npyWriter';
import { storedExportArray } from '../../src-main/services/exports/storedExportArray';
import { ProjectStore, writeArray } from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

let remove: () => void;
let dir: string;
let store: ProjectStore;

beforeEach(() => {
  const tmp = makeStoreTempDir();
  remove = tmp.remove;
  dir = tmp.dir;
  store = ProjectStore.create(path.join(dir, 'export.modescope'), { name: 'export' });
});

afterEach(() => {
  store.close();
  remove();
});

describe('exporting arrays read chunk by chunk from the project store', () => {
  it('writes the same values as stored, across many chunks and several MAT passes', async () => {
    const T = 1003;
    const K = 4;
    const data = Float32Array.from({ length: T * K }, (_, i) => Math.sin(i * 0.01) * 0.5 + 0.5);
    const id = writeArray(store, { dtype: 'float32', shape: [T, K], data, chunkRows: 64 });
    const array = storedExportArray(store, id);
    expect([...array.blocks()].length).toBe(Math.ceil(T / 64));

    await writeNpy(path.join(dir, 'a.npy'), array);
    const npy = readFileSync(path.join(dir, 'a.npy'));
    expect(new Uint8Array(npy.subarray(128))).toEqual(new Uint8Array(data.buffer));

    // A budget of one column per pass: four passes over the chunks.
    await writeMat(path.join(dir, 'a.mat'), [{ name: 'alp', array }], { memoryBudgetBytes: T * 4 });
    const file = await BinaryFile.open(path.join(dir, 'a.mat'), 'mat');
    try {
      const [alp] = await readMatV5(file);
      const expected: number[] = [];
      for (let k = 0; k < K; k++) for (let t = 0; t < T; t++) expected.push(data[t * K + k]!);
      expect(numbersOf(alp)).toEqual(expected);
    } finally {
      await file.close();
    }

    const progress: number[] = [];
    await writeCsv(
      path.join(dir, 'a.csv'),
      array,
      { names: ['m1', 'm2', 'm3', 'm4'] },
      {
        onValues: (n) => progress.push(n),
      },
    );
    const lines = readFileSync(path.join(dir, 'a.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(T + 1);
    expect(lines.slice(1).flatMap((l) => l.split(',').map((v) => Math.fround(Number(v))))).toEqual([...data]);
    expect(progress.at(-1)).toBe(T * K);
    expect(progress).toHaveLength(Math.ceil(T / 64));
  });
});
