import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { readRecording } from '../../src-main/data/readers/readRecording';
import { RecordingReadError } from '../../src-main/data/readers/recordingReadError';
import { writeEeglabV73, writeMatV73 } from '../helpers/readersMatV73';

const dir = mkdtempSync(path.join(tmpdir(), 'readers-v73-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MAT v7.3 (HDF5)', () => {
  // MATLAB X = [1 2 3; 4 5 6; 7 8 9; 10 11 12]: 4 samples × 3 channels, stored column-major.
  const rowsOfX = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
    [10, 11, 12],
  ];
  const columnMajor = [0, 1, 2].flatMap((c) => rowsOfX.map((r) => r[c]!));

  it('reads a named matrix undoing the HDF5 transposition, in either orientation', async () => {
    const p = path.join(dir, 'x.mat');
    await writeMatV73(p, {
      X: { matlabDims: [4, 3], columnMajor },
      Y: { matlabDims: [1, 2], columnMajor: [5, 6] },
    });
    const r = await readRecording(p, { field: 'X', samplingRate: 500 });
    expect(r.header.format).toBe('mat');
    expect(r.header.nSamples).toBe(4);
    expect(r.header.channels).toHaveLength(3);
    expect(Array.from(r.data)).toEqual(rowsOfX.flat());

    const asChannels = await readRecording(p, {
      field: 'X',
      orientation: 'channel-first',
      samplingRate: 500,
    });
    expect(asChannels.header.nSamples).toBe(3);
    expect(Array.from(asChannels.data)).toEqual(columnMajor);

    const source = await openRecording(p, { field: 'X', samplingRate: 500 });
    expect(Array.from(await source.read(2, 2))).toEqual([7, 8, 9, 10, 11, 12]);
    await source.close();

    await expect(openRecording(p)).rejects.toThrow(
      /several numeric matrices \(X, Y\); pass the field option/,
    );
    await expect(openRecording(p, { field: 'Q' })).rejects.toBeInstanceOf(RecordingReadError);
  });

  it('refuses a v7.3 header whose HDF5 part is garbage', async () => {
    const p = path.join(dir, 'bad.mat');
    await writeMatV73(p, { X: { matlabDims: [4, 3], columnMajor } });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(p);
    bytes.fill(0x55, 512, 1024);
    writeFileSync(p, bytes);
    await expect(openRecording(p)).rejects.toThrow(
      /bad\.mat: MAT v7\.3 file (is not readable HDF5|could not be read)/,
    );
  });
});

describe('EEGLAB saved as MAT v7.3', () => {
  const spec = { nbchan: 2, pnts: 3, srate: 100, labels: ['Fz', 'Oz'], events: [{ type: 'go', latency: 3 }] };
  // MATLAB data [2 × 3] = [1 2 3; 4 5 6] µV, column-major.
  const columnMajor = [1, 4, 2, 5, 3, 6];

  it('reads inline data, labels through references and events', async () => {
    const p = path.join(dir, 'inline.set');
    await writeEeglabV73(p, { ...spec, data: columnMajor });
    const r = await readRecording(p);
    expect(r.header.format).toBe('eeglab');
    expect(r.header.channels.map((c) => c.name)).toEqual(['Fz', 'Oz']);
    expect(r.header.samplingRate).toBe(100);
    expect(Array.from(r.data, (v) => Math.round(v * 1e6))).toEqual(columnMajor);
    expect(r.header.annotations).toEqual([{ onset: 0.02, duration: 0, description: 'go' }]);
  });

  it('reads data from the .fdt companion named in the dataset', async () => {
    const p = path.join(dir, 'two.set');
    await writeEeglabV73(p, { ...spec, data: 'two.fdt' });
    const fdt = Buffer.alloc(4 * 6);
    columnMajor.forEach((v, i) => fdt.writeFloatLE(v, 4 * i));
    writeFileSync(path.join(dir, 'two.fdt'), fdt);
    const r = await readRecording(p);
    expect(Array.from(r.data, (v) => Math.round(v * 1e6))).toEqual(columnMajor);
    rmSync(path.join(dir, 'two.fdt'));
    await expect(openRecording(p)).rejects.toThrow(
      /two\.set: data file two\.fdt named by the dataset is missing/,
    );
  });
});
