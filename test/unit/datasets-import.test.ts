import { describe, expect, it } from 'vitest';
import type { RecordingHeader } from '../../src-shared/domain/recording';
import { RpcError } from '../../src-shared/rpc/errors';
import { planChannels } from '../../src-main/services/datasets/channelPlan';
import {
  isBadAnnotation,
  markRanges,
  maskRuns,
  missingRanges,
} from '../../src-main/services/datasets/gapMask';
import { parseInlineSteps } from '../../src-main/cli/commands/prepare';
import { datasetTable } from '../../src-main/cli/commands/datasets';
import { UsageError } from '../../src-main/cli/args';

function header(file: string, names: string[], rate = 100): RecordingHeader {
  return {
    format: 'edf',
    sourcePath: `/data/${file}`,
    samplingRate: rate,
    nSamples: 10,
    channels: names.map((name) => ({ name, type: 'eeg', unit: 'V' })),
    annotations: [],
    gapSegments: [],
    warnings: [],
  };
}

function rpcError(fn: () => unknown): RpcError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('expected an RpcError');
}

describe('channel plans across files', () => {
  it('lines identical channel sets up by name, whatever their order', () => {
    const plan = planChannels([header('a.edf', ['Fz', 'Cz', 'Pz']), header('b.edf', ['Pz', 'Fz', 'Cz'])]);
    expect(plan.channels.map((c) => c.name)).toEqual(['Fz', 'Cz', 'Pz']);
    expect(plan.columns).toEqual([
      [0, 1, 2],
      [1, 2, 0],
    ]);
  });

  it('names the file and the first channel that does not agree', () => {
    const extra = rpcError(() =>
      planChannels([
        header('a.edf', ['Fz', 'Cz']),
        header('b.edf', ['Fz', 'Cz']),
        header('c.edf', ['Fz', 'Oz']),
      ]),
    );
    expect(extra.message).toMatch(/^c\.edf: channel "Oz" is not in a\.edf/);
    expect(extra.details).toMatchObject({ file: '/data/c.edf', channel: 'Oz', index: 2 });
    const fewer = rpcError(() => planChannels([header('a.edf', ['Fz', 'Cz']), header('b.edf', ['Fz'])]));
    expect(fewer.message).toMatch(/^b\.edf: channel "Cz" of a\.edf is missing/);
    const duplicated = rpcError(() =>
      planChannels([header('a.edf', ['Fz', 'Cz']), header('b.edf', ['Fz', 'Cz', 'Fz'])]),
    );
    expect(duplicated.message).toMatch(/^b\.edf: the channel list differs from a\.edf/);
  });

  it("keeps the common channels in the first file's order, or an explicit list in its own order", () => {
    const headers = [header('a.edf', ['Fz', 'Cz', 'Pz', 'Oz']), header('b.edf', ['Oz', 'T7', 'Fz', 'Cz'])];
    const common = planChannels(headers, 'common');
    expect(common.channels.map((c) => c.name)).toEqual(['Fz', 'Cz', 'Oz']);
    expect(common.columns).toEqual([
      [0, 1, 3],
      [2, 3, 0],
    ]);
    const listed = planChannels(headers, 'identical', ['Oz', 'Fz']);
    expect(listed.columns).toEqual([
      [3, 0],
      [0, 2],
    ]);
    expect(rpcError(() => planChannels(headers, 'identical', ['Pz'])).message).toBe(
      'b.edf has no channel "Pz"',
    );
    expect(rpcError(() => planChannels(headers, 'identical', ['Fz', 'Fz'])).message).toBe(
      'channel "Fz" is listed twice',
    );
    expect(
      rpcError(() => planChannels([header('a.edf', ['A']), header('b.edf', ['B'])], 'common')).message,
    ).toBe('the files have no channel name in common');
  });

  it('refuses different sampling rates, naming both files', () => {
    const error = rpcError(() => planChannels([header('a.edf', ['Fz'], 100), header('b.edf', ['Fz'], 250)]));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^b\.edf is sampled at 250 Hz but a\.edf at 100 Hz/);
  });
});

describe('gap masks', () => {
  it('treats descriptions starting with BAD, any case, as bad spans (as MNE)', () => {
    const a = (description: string) => ({ onset: 0, duration: 1, description });
    expect(['BAD_blink', 'bad', 'Bad segment', 'BADACQ'].map((d) => isBadAnnotation(a(d)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['EDGE bad', 'T0', 'blink', ' BAD'].map((d) => isBadAnnotation(a(d)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('turns gap segments and BAD spans into clipped sample ranges, partly covered samples included', () => {
    const ranges = missingRanges(
      [{ start: 2, end: 4 }],
      [
        { onset: 0.55, duration: 0.1, description: 'BAD_x' }, // 5.5 … 6.5 → samples 5, 6
        { onset: 0.9, duration: 5, description: 'bad_end' }, // clipped at 10
        { onset: 0.3, duration: 0, description: 'BAD_point' }, // one sample
        { onset: 0.1, duration: 0.5, description: 'T1' }, // not bad
        { onset: 2, duration: 1, description: 'BAD_after' }, // outside
      ],
      10,
      10,
    );
    expect(ranges).toEqual([
      { start: 2, end: 4 },
      { start: 5, end: 7 },
      { start: 9, end: 10 },
      { start: 3, end: 4 },
    ]);
    const mask = new Uint8Array(6);
    markRanges(mask, 4, ranges); // samples 4 … 9
    expect(Array.from(mask)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(maskRuns(mask, 4)).toEqual([
      { start: 5, end: 7 },
      { start: 9, end: 10 },
    ]);
    expect(maskRuns(new Uint8Array([1, 1, 0, 1]))).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 4 },
    ]);
    expect(maskRuns(new Uint8Array(3))).toEqual([]);
  });
});

describe('CLI helpers', () => {
  it('parses inline preparation steps with numbers, booleans and defaults', () => {
    expect(
      parseInlineSteps('filter:low_freq=1,high_freq=45;standardize; pca:n_pca_components=4,whiten=true'),
    ).toEqual({
      steps: [
        { name: 'filter', params: { low_freq: 1, high_freq: 45, order: 5, use_raw: false } },
        { name: 'standardize', params: { use_raw: false } },
        { name: 'pca', params: { n_pca_components: 4, whiten: true, use_raw: false } },
      ],
    });
    expect(() => parseInlineSteps('filter:low_freq')).toThrow(UsageError);
    expect(() => parseInlineSteps(' ; ')).toThrow('--steps names no step');
    expect(() => parseInlineSteps('wobble')).toThrow(/unknown preparation step "wobble"/);
  });

  it('prints a dataset table with aligned columns', () => {
    const table = datasetTable([
      {
        id: 3,
        name: 'rest',
        format: 'fif',
        simulated: false,
        samplingRate: 250,
        nChannels: 2,
        channels: [],
        createdAt: 't',
        sessions: [
          {
            id: 1,
            ordinal: 0,
            label: null,
            sourcePath: 'a',
            sourceSize: 1,
            sourceSha256: null,
            nSamples: 1000,
            durationSeconds: 4,
            gapFraction: 0.25,
            nAnnotations: 0,
          },
          {
            id: 2,
            ordinal: 1,
            label: null,
            sourcePath: 'b',
            sourceSize: 1,
            sourceSha256: null,
            nSamples: 1500,
            durationSeconds: 6,
            gapFraction: 0,
            nAnnotations: 0,
          },
        ],
        preparations: [],
      },
    ]);
    expect(table.split('\n')).toEqual([
      'id  name  format  sessions  channels  rate Hz  duration s  gaps %  preparations',
      ' 3  rest  fif            2         2      250        10.0    10.0  -',
    ]);
  });
});
