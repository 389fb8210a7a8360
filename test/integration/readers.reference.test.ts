import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingHeaderSchema } from '../../src-shared/domain/recording';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { readRecording } from '../../src-main/data/readers/readRecording';
import {
  closeToFloat32,
  formatsDir,
  hasSharedData,
  loadFormatReference,
  mneTypeNames,
} from '../helpers/readersData';

const reference = hasSharedData ? loadFormatReference() : {};

describe.skipIf(!hasSharedData)('readers agree with MNE on ../shared/data/formats', () => {
  for (const [fileName, ref] of Object.entries(reference)) {
    it(`reads ${fileName} as MNE does`, async () => {
      const { header, data } = await readRecording(path.join(formatsDir, fileName));
      const nCh = header.channels.length;
      expect(recordingHeaderSchema.safeParse(header).success).toBe(true);
      expect(nCh).toBe(ref.n_channels);
      expect(header.samplingRate).toBeCloseTo(ref.sfreq, 6);
      expect(header.nSamples).toBe(ref.n_samples);
      expect(header.channels.slice(0, ref.first_channels.length).map((c) => c.name)).toEqual(
        ref.first_channels,
      );

      const typeCounts: Record<string, number> = {};
      for (const c of header.channels) typeCounts[c.type] = (typeCounts[c.type] ?? 0) + 1;
      const expectedTypes = Object.fromEntries(
        Object.entries(ref.channel_types).map(([t, n]) => [mneTypeNames[t] ?? t, n]),
      );
      expect(typeCounts).toEqual(expectedTypes);

      for (const [name, samples] of Object.entries(ref.samples_SI)) {
        const ch = header.channels.findIndex((c) => c.name === name);
        expect(ch, `channel ${name}`).toBeGreaterThanOrEqual(0);
        const scale = Math.max(...samples.map(Math.abs), Math.abs(ref.channel_mean_SI[name]!));
        samples.forEach((expected, t) => {
          const actual = data[t * nCh + ch]!;
          expect(closeToFloat32(actual, expected, scale), `${name}[${t}] = ${actual}, MNE ${expected}`).toBe(
            true,
          );
        });
        let sum = 0;
        for (let t = 0; t < header.nSamples; t++) sum += data[t * nCh + ch]!;
        const mean = sum / header.nSamples;
        const expectedMean = ref.channel_mean_SI[name]!;
        expect(closeToFloat32(mean, expectedMean, scale), `mean ${name} = ${mean}, MNE ${expectedMean}`).toBe(
          true,
        );
      }

      expect(header.annotations).toHaveLength(ref.n_annotations);
      ref.annotations.forEach((expected, i) => {
        const actual = header.annotations[i]!;
        expect(actual.description).toBe(expected.description);
        expect(actual.onset).toBeCloseTo(expected.onset, 6);
        expect(actual.duration).toBeCloseTo(expected.duration, 6);
      });
    });
  }
});

describe.skipIf(!hasSharedData)('windows agree with whole reads', () => {
  for (const fileName of Object.keys(reference)) {
    it(`serves any window of ${fileName} equal to the same rows of the whole recording`, async () => {
      const file = path.join(formatsDir, fileName);
      const whole = await readRecording(file);
      const source = await openRecording(file);
      try {
        const nCh = source.header.channels.length;
        const n = source.header.nSamples;
        for (const [start, length] of [
          [0, 1],
          [n - 1, 1],
          [Math.floor(n / 3), Math.floor(n / 2)],
          [7, n - 7],
        ] as const) {
          const window = await source.read(start, length);
          expect(window.length).toBe(length * nCh);
          expect(Array.from(window)).toEqual(
            Array.from(whole.data.subarray(start * nCh, (start + length) * nCh)),
          );
        }
        await expect(source.read(n - 1, 2)).rejects.toThrow(RangeError);
      } finally {
        await source.close();
      }
    });
  }
});
