import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingHeaderSchema } from '../../src-shared/domain/recording';
import { channelTypeFromName } from '../../src-main/data/readers/channelTypeFromName';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { readRecording } from '../../src-main/data/readers/readRecording';
import {
  edfBytes,
  fifBytes,
  matBytes,
  npyBytes,
  writeBytes,
  type EdfSignalSpec,
} from '../helpers/readersFixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'readers-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

/** A [samples × channels] matrix with distinct, exactly representable values. */
const matrix = (nSamples: number, nChannels: number) =>
  Array.from({ length: nSamples }, (_, t) => Array.from({ length: nChannels }, (_, c) => t * 10 + c - 7));
const timeMajor = (m: number[][]) => m.flat();
/** Float32 results agree with float64 expectations to float32 precision. */
const expectFloat32 = (actual: number | undefined, expected: number) =>
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(Math.abs(expected) * 2 ** -22);
const channelMajor = (m: number[][]) => m[0]!.map((_, c) => m.map((row) => row[c]!)).flat();

describe('npy', () => {
  const m = matrix(6, 3);
  const cases = [
    { descr: '<f4', fortran: false },
    { descr: '>f4', fortran: false },
    { descr: '<f8', fortran: true },
    { descr: '>f8', fortran: false },
    { descr: '<i2', fortran: false },
    { descr: '>i2', fortran: true },
    { descr: '<i4', fortran: true },
    { descr: '>i4', fortran: false },
  ];
  for (const { descr, fortran } of cases) {
    it(`reads ${descr} ${fortran ? 'Fortran' : 'C'} order as time-first`, async () => {
      const values = fortran ? channelMajor(m) : timeMajor(m);
      const p = writeBytes(
        file(`a${descr.replace(/[<>]/, (x) => (x === '<' ? 'le' : 'be'))}${fortran}.npy`),
        npyBytes(descr, [6, 3], fortran, values),
      );
      const r = await readRecording(p, { samplingRate: 250 });
      expect(r.header.nSamples).toBe(6);
      expect(r.header.channels.map((c) => c.name)).toEqual(['ch1', 'ch2', 'ch3']);
      expect(r.header.samplingRate).toBe(250);
      expect(Array.from(r.data)).toEqual(timeMajor(m));
      expect(recordingHeaderSchema.safeParse(r.header).success).toBe(true);
    });
  }

  it('reads channel-first arrays when told, and warns when a time-first guess looks transposed', async () => {
    const p = writeBytes(file('cf.npy'), npyBytes('<f4', [3, 6], false, channelMajor(m)));
    const asChannels = await readRecording(p, { orientation: 'channel-first', samplingRate: 1 });
    expect(asChannels.header.nSamples).toBe(6);
    expect(Array.from(asChannels.data)).toEqual(timeMajor(m));
    const guessed = await readRecording(p);
    expect(guessed.header.nSamples).toBe(3);
    expect(guessed.header.warnings.join(' ')).toMatch(/channel-first/);
    expect(guessed.header.warnings.join(' ')).toMatch(/1 Hz was assumed/);
  });

  it('reads npy format version 2 (32-bit header length)', async () => {
    const v1 = npyBytes('<f4', [2, 2], false, [1, 2, 3, 4]);
    const headerLength = v1.readUInt16LE(8);
    const v2 = Buffer.concat([v1.subarray(0, 8), Buffer.alloc(4), v1.subarray(10)]);
    v2[6] = 2;
    v2.writeUInt32LE(headerLength, 8);
    const r = await readRecording(writeBytes(file('v2.npy'), v2), { samplingRate: 1 });
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4]);
  });

  it('reads a 1-D array as one channel with given names', async () => {
    const p = writeBytes(file('vec.npy'), npyBytes('<f8', [5], false, [1, 2, 3, 4, 5]));
    const r = await readRecording(p, { samplingRate: 10, channelNames: ['Cz'] });
    expect(r.header.channels).toEqual([{ name: 'Cz', type: 'misc', unit: '' }]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5]);
  });

  it('marks NaN and Inf samples as gaps and says so', async () => {
    const p = writeBytes(file('nan.npy'), npyBytes('<f4', [4, 2], false, [1, 2, NaN, 3, 4, Infinity, 5, 6]));
    const r = await readRecording(p, { samplingRate: 1 });
    expect(Array.from(r.gapMask)).toEqual([0, 1, 1, 0]);
    expect(Number.isNaN(r.data[5])).toBe(true);
    expect(r.header.warnings.join(' ')).toMatch(/2 samples hold NaN or Inf/);
  });
});

const eegSignal = (label: string, spr: number): EdfSignalSpec => ({
  label,
  dimension: 'uV',
  physMin: -3200,
  physMax: 3200,
  digMin: -32000,
  digMax: 32000,
  samplesPerRecord: spr,
});
const annotationSignal = (spr: number): EdfSignalSpec => ({
  label: 'EDF Annotations',
  dimension: '',
  physMin: -1,
  physMax: 1,
  digMin: -32768,
  digMax: 32767,
  samplesPerRecord: spr,
});

describe('channel types from names', () => {
  it('recognises trigger, EOG, ECG, EMG and respiration labels and leaves the rest EEG', () => {
    const names = [
      'Status',
      'TRIGGER',
      'HEOG',
      'veog-l',
      'EOG Left',
      'EKG1',
      'ECG',
      'EMG chin',
      'Resp',
      'Fz',
      'Cz..',
      'Ergo-Left',
    ];
    expect(names.map(channelTypeFromName)).toEqual([
      'stim',
      'stim',
      'eog',
      'eog',
      'eog',
      'ecg',
      'ecg',
      'emg',
      'resp',
      'eeg',
      'eeg',
      'eeg',
    ]);
  });
});

describe('EDF and BDF', () => {
  it('scales digital to physical volts and reads TAL annotations (EDF+C)', async () => {
    const p = writeBytes(
      file('c.edf'),
      edfBytes({
        reserved: 'EDF+C',
        recordDuration: 0.5,
        nRecords: 3,
        signals: [eegSignal('EEG Fz', 4), eegSignal('EOG left', 4), annotationSignal(30)],
        digital: (r, s) => [0, 1, 2, 3].map((k) => (r * 4 + k) * (s === 0 ? 100 : -10)),
        tal: (r) => `+${r * 0.5}\x14\x14\x00` + (r === 1 ? '+0.75\x150.25\x14blink\x14eye\x14\x00' : ''),
      }),
    );
    const r = await readRecording(p);
    expect(r.header.format).toBe('edf');
    expect(r.header.samplingRate).toBe(8);
    expect(r.header.nSamples).toBe(12);
    expect(r.header.channels).toEqual([
      { name: 'EEG Fz', type: 'eeg', unit: 'V' },
      { name: 'EOG left', type: 'eog', unit: 'V' },
    ]);
    // 0.1 µV per digit: digital 100·n → 10·n µV.
    expectFloat32(r.data[2 * 5], 50e-6);
    expectFloat32(r.data[2 * 5 + 1], -5e-6);
    expect(r.header.annotations).toEqual([
      { onset: 0.75, duration: 0.25, description: 'blink' },
      { onset: 0.75, duration: 0.25, description: 'eye' },
    ]);
    expect(r.header.startTime).toBe('2020-01-01T10:00:00.000');
  });

  it('places EDF+D records on the time line and leaves NaN gaps between them', async () => {
    const p = writeBytes(
      file('d.edf'),
      edfBytes({
        reserved: 'EDF+D',
        recordDuration: 1,
        nRecords: 3,
        signals: [eegSignal('Cz', 2), annotationSignal(20)],
        digital: (r) => [r * 10 + 1, r * 10 + 2],
        tal: (r) => `+${[0, 1, 4][r]}\x14\x14\x00`,
      }),
    );
    const source = await openRecording(p);
    expect(source.header.nSamples).toBe(10);
    expect(source.header.gapSegments).toEqual([{ start: 4, end: 8 }]);
    const w = Array.from(await source.read(2, 8)).map((v) => (Number.isNaN(v) ? null : Math.round(v * 1e7)));
    expect(w).toEqual([11, 12, null, null, null, null, 21, 22]);
    await source.close();
    const whole = await readRecording(p);
    expect(Array.from(whole.gapMask)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('keeps the majority rate of mixed-rate files with a warning, or refuses on request', async () => {
    const spec = {
      recordDuration: 1,
      nRecords: 2,
      signals: [eegSignal('A', 4), eegSignal('B', 4), eegSignal('Slow', 2)],
      digital: (_r: number, s: number) => (s === 2 ? [1, 2] : [1, 2, 3, 4]),
    };
    const p = writeBytes(file('mixed.edf'), edfBytes(spec));
    const r = await readRecording(p);
    expect(r.header.channels.map((c) => c.name)).toEqual(['A', 'B']);
    expect(r.header.samplingRate).toBe(4);
    expect(r.header.warnings.join(' ')).toMatch(/dropped Slow/);
    await expect(openRecording(p, { mixedRates: 'refuse' })).rejects.toThrow(
      /different sample counts per record \(4, 2\)/,
    );
  });

  it('reads 24-bit BDF samples and keeps the low 16 bits of the status channel', async () => {
    const p = writeBytes(
      file('t.bdf'),
      edfBytes({
        bdf: true,
        reserved: '24BIT',
        recordDuration: 1,
        nRecords: 1,
        signals: [
          {
            label: 'Fp1',
            dimension: 'uV',
            physMin: -262144,
            physMax: 262143,
            digMin: -8388608,
            digMax: 8388607,
            samplesPerRecord: 3,
          },
          {
            label: 'Status',
            dimension: 'Boolean',
            physMin: -8388608,
            physMax: 8388607,
            digMin: -8388608,
            digMax: 8388607,
            samplesPerRecord: 3,
          },
        ],
        digital: (_r, s) => (s === 0 ? [-8388608, 0, 8388607] : [-6815744 + 5, 0x12ffff, 7]),
      }),
    );
    const r = await readRecording(p);
    expect(r.header.format).toBe('bdf');
    expect(r.header.channels[1]).toEqual({ name: 'Status', type: 'stim', unit: '' });
    expectFloat32(r.data[0], -262144e-6);
    expectFloat32(r.data[4], 262143e-6);
    expect([r.data[1], r.data[3], r.data[5]]).toEqual([5, 0xffff, 7]);
  });
});

describe('FIF', () => {
  const channels = [
    { name: 'MEG 0111', kind: 1, unit: 112, range: 2, cal: 1e-13 },
    { name: 'MEG 0112', kind: 1, unit: 201, range: 1, cal: 1e-11 },
    { name: 'EEG 001', kind: 2, unit: 107, range: 1, cal: 1e-6 },
    { name: 'STI 014', kind: 3, unit: 0, range: 1, cal: 1 },
  ];

  it('reads int16, int32 and float32 buffers with calibration × range, skips as NaN gaps and BAD_ spans', async () => {
    const p = writeBytes(
      file('raw.fif'),
      fifBytes({
        channels,
        sfreq: 100,
        firstSample: 500,
        buffers: [
          {
            type: 'short',
            rows: [
              [1, 2, 3, 4],
              [5, 6, 7, 8],
            ],
          },
          {
            type: 'int',
            rows: [
              [10, 20, 30, 40],
              [50, 60, 70, 80],
            ],
          },
          { skip: 1 },
          {
            type: 'float',
            rows: [
              [0.5, 1.5, 2.5, 3],
              [4.5, 5.5, 6.5, 7],
            ],
          },
        ],
        annotations: [
          { onset: 0.01, duration: 0.02, description: 'BAD_blink' },
          { onset: 0.07, duration: 0, description: 'stim' },
        ],
      }),
    );
    const r = await readRecording(p);
    expect(r.header.format).toBe('fif');
    expect(r.header.channels.map((c) => c.type)).toEqual(['meg_mag', 'meg_grad', 'eeg', 'stim']);
    expect(r.header.channels.map((c) => c.unit)).toEqual(['T', 'T/m', 'V', '']);
    expect(r.header.nSamples).toBe(8);
    expect(r.header.gapSegments).toEqual([
      { start: 1, end: 3 },
      { start: 4, end: 6 },
    ]);
    expect(r.header.annotations.map((a) => a.description)).toEqual(['BAD_blink', 'stim']);
    expectFloat32(r.data[0], 2e-13);
    expect(r.data[3]).toBe(4);
    expect(Number.isNaN(r.data[4])).toBe(true); // BAD_ span
    expectFloat32(r.data[3 * 4 + 2], 70e-6);
    expect(Number.isNaN(r.data[4 * 4])).toBe(true); // skipped buffer
    expectFloat32(r.data[6 * 4 + 1], 1.5e-11);
    expect(r.data[7 * 4 + 3]).toBe(7);
    expect(Array.from(r.gapMask)).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
  });
});

describe('FIF channel names and truncation', () => {
  const channels = [
    { name: 'EEG Frontal-Central-Left', kind: 2, unit: 107, range: 1, cal: 1 },
    { name: 'EOG 061', kind: 202, unit: 107, range: 1, cal: 1 },
  ];
  const bytes = fifBytes({
    channels,
    sfreq: 250,
    buffers: [
      {
        type: 'float',
        rows: [
          [1, 2],
          [3, 4],
        ],
      },
    ],
    extendedNames: true,
  });

  it('takes names longer than 15 characters from extended channel blocks', async () => {
    const r = await readRecording(writeBytes(file('long.fif'), bytes));
    expect(r.header.channels.map((c) => c.name)).toEqual(['EEG Frontal-Central-Left', 'EOG 061']);
    expect(r.header.channels[1]!.type).toBe('eog');
  });

  it('follows split recordings into their next parts, with a gap where samples are missing', async () => {
    const one = [{ name: 'EEG 001', kind: 2, unit: 107, range: 1, cal: 1 }];
    const part = (firstSample: number, values: number[], nextFile?: string) =>
      fifBytes({
        channels: one,
        sfreq: 10,
        firstSample,
        buffers: [{ type: 'float', rows: values.map((v) => [v]) }],
        ...(nextFile ? { nextFile } : {}),
      });
    writeBytes(file('split_raw.fif'), part(100, [1, 2, 3], 'split_raw-1.fif'));
    writeBytes(file('split_raw-1.fif'), part(103, [4, 5], 'split_raw-2.fif'));
    writeBytes(file('split_raw-2.fif'), part(107, [6]));
    const r = await readRecording(file('split_raw.fif'));
    expect(r.header.nSamples).toBe(8);
    expect(r.header.gapSegments).toEqual([{ start: 5, end: 7 }]);
    expect(Array.from(r.data, (v) => (Number.isNaN(v) ? null : v))).toEqual([1, 2, 3, 4, 5, null, null, 6]);

    writeBytes(file('lonely_raw.fif'), part(0, [1], 'lonely_raw-1.fif'));
    await expect(openRecording(file('lonely_raw.fif'))).rejects.toThrow(
      /lonely_raw\.fif: next part lonely_raw-1\.fif of this split recording is missing/,
    );
  });

  it('warns when the file ends inside open blocks', async () => {
    // The last two tags close the raw and measurement blocks (20 bytes each).
    const r = await readRecording(writeBytes(file('open.fif'), bytes.subarray(0, bytes.length - 40)));
    expect(r.header.nSamples).toBe(2);
    expect(r.header.warnings.join(' ')).toMatch(/ends inside 2 open blocks/);
  });
});

describe('MAT v5', () => {
  const m = matrix(5, 2);
  for (const compress of [false, true]) {
    it(`reads a ${compress ? 'compressed' : 'plain'} matrix named by field, column-major, time-first`, async () => {
      const p = writeBytes(
        file(`m${compress}.mat`),
        matBytes(
          {
            X: { kind: 'double', dims: [5, 2], values: channelMajor(m) },
            info: {
              kind: 'struct',
              dims: [1, 1],
              fields: ['fs'],
              elements: [{ fs: { kind: 'double', dims: [1, 1], values: [200] } }],
            },
            Y: { kind: 'single', dims: [2, 5], values: timeMajor(m) },
          },
          compress,
        ),
      );
      const x = await readRecording(p, { field: 'X', samplingRate: 200 });
      expect(x.header.nSamples).toBe(5);
      expect(Array.from(x.data)).toEqual(timeMajor(m));
      const y = await readRecording(p, { field: 'Y', orientation: 'channel-first', samplingRate: 200 });
      expect(Array.from(y.data)).toEqual(timeMajor(m));
      await expect(openRecording(p)).rejects.toThrow(
        /several numeric matrices \(X, Y\); pass the field option/,
      );
      await expect(openRecording(p, { field: 'Z' })).rejects.toThrow(/no variable or field 'Z'/);
    });
  }

  it('reads an EEGLAB dataset with inline data, channel labels and events', async () => {
    const labels = ['Fz', 'Cz'];
    const eeg = {
      kind: 'struct' as const,
      dims: [1, 1],
      fields: ['nbchan', 'pnts', 'trials', 'srate', 'data', 'chanlocs', 'event'],
      elements: [
        {
          nbchan: { kind: 'double' as const, dims: [1, 1], values: [2] },
          pnts: { kind: 'double' as const, dims: [1, 1], values: [5] },
          trials: { kind: 'double' as const, dims: [1, 1], values: [1] },
          srate: { kind: 'double' as const, dims: [1, 1], values: [50] },
          data: { kind: 'single' as const, dims: [2, 5], values: timeMajor(m) },
          chanlocs: {
            kind: 'struct' as const,
            dims: [1, 2],
            fields: ['labels'],
            elements: labels.map((l) => ({ labels: { kind: 'char' as const, text: l } })),
          },
          event: {
            kind: 'struct' as const,
            dims: [1, 2],
            fields: ['type', 'latency'],
            elements: [
              {
                type: { kind: 'char' as const, text: 'go' },
                latency: { kind: 'double' as const, dims: [1, 1], values: [3] },
              },
              {
                type: { kind: 'double' as const, dims: [1, 1], values: [12] },
                latency: { kind: 'double' as const, dims: [1, 1], values: [1] },
              },
            ],
          },
        },
      ],
    };
    const p = writeBytes(file('inline.set'), matBytes({ EEG: eeg }, true));
    const r = await readRecording(p);
    expect(r.header.format).toBe('eeglab');
    expect(r.header.channels).toEqual([
      { name: 'Fz', type: 'eeg', unit: 'V' },
      { name: 'Cz', type: 'eeg', unit: 'V' },
    ]);
    expect(r.header.samplingRate).toBe(50);
    expect(Array.from(r.data, (v) => Math.round(v * 1e6))).toEqual(timeMajor(m));
    expect(r.header.annotations).toEqual([
      { onset: 0, duration: 0, description: '12' },
      { onset: 0.04, duration: 0, description: 'go' },
    ]);
  });
});

describe('BrainVision', () => {
  const vhdr = (name: string, format: string, orientation: string, marker: boolean) =>
    [
      'Brain Vision Data Exchange Header File Version 1.0',
      '[Common Infos]',
      'Codepage=UTF-8',
      `DataFile=C:\\Recordings\\${name}.eeg`,
      ...(marker ? [`MarkerFile=${name}.vmrk`] : []),
      'DataFormat=BINARY',
      `DataOrientation=${orientation}`,
      'NumberOfChannels=2',
      'SamplingInterval=4000',
      '[Binary Infos]',
      `BinaryFormat=${format}`,
      '[Channel Infos]',
      'Ch1=Fp\\1x,,0.1,µV',
      'Ch2=GSR,,2,µS',
      '',
    ].join('\r\n');

  it('reads vectorized INT_32 data, units and markers', async () => {
    const m = matrix(4, 2);
    const data = Buffer.alloc(8 * 4);
    channelMajor(m).forEach((v, i) => data.writeInt32LE(v, 4 * i));
    writeBytes(file('v.eeg'), data);
    writeBytes(
      file('v.vmrk'),
      'Brain Vision Data Exchange Marker File, Version 1.0\n[Marker Infos]\nMk1=Stimulus,S  1,3,1,0\n',
    );
    const r = await readRecording(writeBytes(file('v.vhdr'), vhdr('v', 'INT_32', 'VECTORIZED', true)));
    expect(r.header.samplingRate).toBe(250);
    expect(r.header.channels).toEqual([
      { name: 'Fp,x', type: 'eeg', unit: 'V' },
      { name: 'GSR', type: 'misc', unit: 'µS' },
    ]);
    expectFloat32(r.data[2], m[1]![0]! * 0.1e-6);
    expect(r.data[3]).toBe(m[1]![1]! * 2);
    expect(r.header.annotations).toEqual([{ onset: 0.008, duration: 0.004, description: 'Stimulus/S  1' }]);
  });

  it('reads multiplexed IEEE_FLOAT_32 data; a missing marker file is a warning, a missing .eeg an error', async () => {
    const data = Buffer.alloc(4 * 6);
    [1, 2, 3, 4, 5, 6].forEach((v, i) => data.writeFloatLE(v, 4 * i));
    writeBytes(file('f.eeg'), data);
    const r = await readRecording(
      writeBytes(file('f.vhdr'), vhdr('f', 'IEEE_FLOAT_32', 'MULTIPLEXED', true)),
    );
    expect(r.header.nSamples).toBe(3);
    expectFloat32(r.data[4], 5e-7);
    expect(r.header.warnings.join(' ')).toMatch(/marker file f\.vmrk not found/);
    await expect(
      readRecording(writeBytes(file('g.vhdr'), vhdr('g', 'INT_16', 'MULTIPLEXED', false))),
    ).rejects.toThrow(/g\.vhdr: data file g\.eeg named by the header is missing/);
  });
});

describe('CSV', () => {
  it('detects the delimiter and a header row of channel names', async () => {
    const p = writeBytes(file('a.csv'), 'Fz;Cz;Pz\r\n1;2;3\n4;NaN;6\n7;8;9\n');
    const r = await readRecording(p, { samplingRate: 100 });
    expect(r.header.channels.map((c) => c.name)).toEqual(['Fz', 'Cz', 'Pz']);
    expect(r.header.nSamples).toBe(3);
    expect(Array.from(r.gapMask)).toEqual([0, 1, 0]);
    expect(r.data[8]).toBe(9);
  });

  it('keeps delimiters inside quoted channel names', async () => {
    const p = writeBytes(file('q.csv'), '"Fz, left","Cz ""mid"""\n1,2\n');
    const r = await readRecording(p, { samplingRate: 1 });
    expect(r.header.channels.map((c) => c.name)).toEqual(['Fz, left', 'Cz "mid"']);
    expect(Array.from(r.data)).toEqual([1, 2]);
  });

  it('reads whitespace-separated text channel-first', async () => {
    const p = writeBytes(file('b.txt'), '1 2 3 4\n5 6 7 8\n');
    const r = await readRecording(p, { orientation: 'channel-first', samplingRate: 1 });
    expect(r.header.nSamples).toBe(4);
    expect(Array.from(r.data)).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
  });

  it('names the line and column of a non-numeric value, and a ragged row', async () => {
    await expect(openRecording(writeBytes(file('c.csv'), '1,2\n3,x\n'))).rejects.toThrow(
      /c\.csv: line 2, column 2: 'x' is not a number/,
    );
    await expect(openRecording(writeBytes(file('d.csv'), '1,2\n3\n'))).rejects.toThrow(
      /d\.csv: line 2 has 1 fields, expected 2/,
    );
  });
});
