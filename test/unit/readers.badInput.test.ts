import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../src-main/data/readers/formatDetection';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { readRecording } from '../../src-main/data/readers/readRecording';
import { RecordingReadError } from '../../src-main/data/readers/recordingReadError';
import { eegDir, formatsDir, hasSharedData } from '../helpers/readersData';
import { edfBytes, fifBytes, matBytes, npyBytes, writeBytes } from '../helpers/readersFixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'readers-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

/** Asserts a RecordingReadError naming the file, the format and the problem. */
async function expectReadError(promise: Promise<unknown>, format: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecordingReadError);
  const e = error as RecordingReadError;
  expect(e.format).toBe(format);
  expect(e.message).toMatch(message);
  expect(e.message.startsWith(path.basename(e.file) + ': ')).toBe(true);
}

describe('npy bad input', () => {
  it('refuses a header declaring 10^12 elements before allocating anything', async () => {
    const p = writeBytes(file('huge.npy'), npyBytes('<f4', [1e6, 1e6], false, [1, 2, 3, 4, 5, 6, 7, 8]));
    await expectReadError(
      openRecording(p),
      'npy',
      /header declares shape \(1000000, 1000000\) of 4-byte values \(4000000000000 bytes\) but the file holds 32 bytes after the header/,
    );
  });

  it('names unsupported dtypes, wrong magic, empty arrays and 3-D arrays', async () => {
    const c8 = Buffer.from(
      npyBytes('<f8', [2], false, [1, 2]).toString('latin1').replace('<f8', '<c8'),
      'latin1',
    );
    await expectReadError(openRecording(writeBytes(file('c.npy'), c8)), 'npy', /unsupported npy dtype '<c8'/);
    await expectReadError(
      openRecording(writeBytes(file('m.npy'), 'hello world, not numpy')),
      'npy',
      /wrong magic/,
    );
    await expectReadError(
      openRecording(writeBytes(file('e.npy'), npyBytes('<f4', [0, 3], false, []))),
      'npy',
      /empty/,
    );
    await expectReadError(
      openRecording(writeBytes(file('3d.npy'), npyBytes('<f4', [2, 1, 1], false, [1, 2]))),
      'npy',
      /3 dimensions/,
    );
  });
});

describe('EDF bad input', () => {
  const spec = {
    recordDuration: 1,
    nRecords: 4,
    signals: [
      {
        label: 'Cz',
        dimension: 'uV',
        physMin: -100,
        physMax: 100,
        digMin: -100,
        digMax: 100,
        samplesPerRecord: 8,
      },
    ],
    digital: () => [1, 2, 3, 4, 5, 6, 7, 8],
  };

  it('reports a file shorter than its declared records', async () => {
    const p = writeBytes(file('trunc.edf'), edfBytes(spec).subarray(0, 512 + 40));
    await expectReadError(
      openRecording(p),
      'edf',
      /trunc\.edf: header declares 4 data records of 16 bytes but the file holds 40 bytes after the header/,
    );
  });

  it('reports contradicting header size, zero signals and a zero record duration', async () => {
    const bytes = edfBytes(spec);
    const badSize = Buffer.from(bytes);
    badSize.write('999     ', 184, 'latin1');
    await expectReadError(
      openRecording(writeBytes(file('size.edf'), badSize)),
      'edf',
      /header size field says 999 bytes but 1 signals need 512/,
    );
    const noSignals = Buffer.from(bytes);
    noSignals.write('0   ', 252, 'latin1');
    await expectReadError(
      openRecording(writeBytes(file('none.edf'), noSignals)),
      'edf',
      /declares 0 signals/,
    );
    const zeroDuration = Buffer.from(bytes);
    zeroDuration.write('0       ', 244, 'latin1');
    await expectReadError(
      openRecording(writeBytes(file('dur.edf'), zeroDuration)),
      'edf',
      /record duration '0' is not a positive/,
    );
  });

  it('refuses a file whose extension and contents disagree', async () => {
    const p = writeBytes(file('fake.edf'), npyBytes('<f4', [2], false, [1, 2]));
    await expectReadError(
      openRecording(p),
      'edf',
      /not a valid edf file: wrong magic\/header \(the contents look like npy\)/,
    );
  });
});

describe('FIF bad input', () => {
  const channels = [{ name: 'EEG 001', kind: 2, unit: 107, range: 1, cal: 1 }];
  it('reports a data buffer cut off by the end of the file', async () => {
    const bytes = fifBytes({
      channels,
      sfreq: 100,
      buffers: [{ type: 'float', rows: [[1], [2], [3], [4]] }],
    });
    const cut = bytes.subarray(0, bytes.length - 48);
    await expectReadError(
      openRecording(writeBytes(file('cut.fif'), cut)),
      'fif',
      /FIF tag 300 at byte \d+ declares 16 bytes of data but the file holds \d+ after it/,
    );
  });

  it('reports files without raw data and buffers that are not whole samples', async () => {
    const empty = fifBytes({ channels, sfreq: 100, buffers: [] });
    await expectReadError(openRecording(writeBytes(file('nodata.fif'), empty)), 'fif', /no raw data buffers/);
    const two = [...channels, { name: 'EEG 002', kind: 2, unit: 107, range: 1, cal: 1 }];
    const odd = fifBytes({ channels: two, sfreq: 100, buffers: [{ type: 'float', rows: [[1, 2], [3]] }] });
    await expectReadError(
      openRecording(writeBytes(file('odd.fif'), odd)),
      'fif',
      /holds 12 bytes, not a whole number of 2-channel samples/,
    );
  });
});

describe('BrainVision, EEGLAB and MAT bad input', () => {
  it('reports a header with zero channels and an unsupported binary format', async () => {
    const head = (n: number, fmt: string) =>
      `Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\nDataFile=x.eeg\nNumberOfChannels=${n}\nSamplingInterval=1000\n[Binary Infos]\nBinaryFormat=${fmt}\n`;
    await expectReadError(
      openRecording(writeBytes(file('zero.vhdr'), head(0, 'INT_16'))),
      'brainvision',
      /NumberOfChannels is '0'/,
    );
    await expectReadError(
      openRecording(writeBytes(file('fmt.vhdr'), head(1, 'INT_24'))),
      'brainvision',
      /BinaryFormat 'INT_24' is not supported/,
    );
  });

  it.skipIf(!hasSharedData)('reports an EEGLAB dataset whose .fdt is missing', async () => {
    const p = file('eeglab_data.set');
    copyFileSync(path.join(eegDir, 'raw/eeglab_data.set'), p);
    await expectReadError(
      openRecording(p),
      'eeglab',
      /eeglab_data\.set: data file eeglab_data\.fdt named by the dataset is missing/,
    );
  });

  it('reports a corrupt compressed MAT element', async () => {
    const bytes = matBytes({ X: { kind: 'double', dims: [3, 1], values: [1, 2, 3] } }, true);
    bytes.fill(0xff, 140, 150);
    await expectReadError(
      openRecording(writeBytes(file('z.mat'), bytes)),
      'mat',
      /compressed MAT element at byte 128 (does not inflate|inflates to less)/,
    );
  });
});

describe('general', () => {
  it('reports missing files, empty files and unknown binary formats', async () => {
    await expectReadError(openRecording(file('nope.edf')), 'unknown', /nope\.edf: file not found/);
    await expectReadError(openRecording(writeBytes(file('empty.npy'), '')), 'unknown', /file is empty/);
    await expectReadError(
      openRecording(writeBytes(file('blob.xyz'), Buffer.from([0, 1, 2, 3, 255]))),
      'unknown',
      /unrecognised file format/,
    );
    await expectReadError(
      openRecording(writeBytes(file('x.eeg'), 'data')),
      'brainvision',
      /open its \.vhdr header/,
    );
  });

  it.skipIf(!hasSharedData)(
    'detects by contents when the extension is unknown, and BDF behind an .edf name',
    async () => {
      const dat = file('renamed.dat');
      copyFileSync(path.join(formatsDir, 'test.edf'), dat);
      expect(await detectFormat(dat)).toBe('edf');
      const bdfAsEdf = file('biosemi.EDF');
      copyFileSync(path.join(formatsDir, 'test.bdf'), bdfAsEdf);
      expect(await detectFormat(bdfAsEdf)).toBe('bdf');
      const fif = file('meg.bin');
      copyFileSync(path.join(formatsDir, 'test_ctf_comp_raw.fif'), fif);
      expect(await detectFormat(fif)).toBe('fif');
    },
  );

  it('maps to a typed RPC error carrying the file and format', async () => {
    const error = await openRecording(file('missing.vhdr')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingReadError);
    const rpc = (error as RecordingReadError).toRpcError().toData();
    expect(rpc.code).toBe('INVALID_INPUT');
    expect(rpc.message).toBe('missing.vhdr: file not found');
    expect(rpc.details).toEqual({ file: file('missing.vhdr'), format: 'unknown' });
  });

  it.skipIf(!hasSharedData)('refuses to read a recording into memory above maxBytes', async () => {
    const p = path.join(formatsDir, 'test.edf');
    await expectReadError(
      readRecording(p, { maxBytes: 1000 }),
      'edf',
      /3072 samples × 139 channels need 1708032 bytes/,
    );
  });

  it.skipIf(!hasSharedData)('refuses an EDF whose data records were cut short', async () => {
    const p = file('short.edf');
    writeBytes(p, readFileSync(path.join(formatsDir, 'test.edf')).subarray(0, 200_000));
    await expectReadError(
      openRecording(p),
      'edf',
      /header declares 6 data records of 143360 bytes but the file holds 163904 bytes after the header/,
    );
  });
});
