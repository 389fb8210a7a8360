import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { readRecording } from '../../src-main/data/readers/readRecording';
import { eegDir, hasSharedData } from '../helpers/readersData';

interface EegSummary {
  file: string;
  n_channels_total: number;
  sfreq: number;
  n_samples: number;
  n_annotations: number;
  annot_desc: string[];
}

const summary: Record<string, EegSummary> = hasSharedData
  ? (JSON.parse(readFileSync(path.join(eegDir, 'summary.json'), 'utf8')) as Record<string, EegSummary>)
  : {};

describe.skipIf(!hasSharedData)('real EEG recordings match their float32 .npy copies', () => {
  for (const [name, expected] of Object.entries(summary)) {
    it(`reads ${expected.file}`, async () => {
      const raw = await readRecording(path.join(eegDir, expected.file));
      const npy = await readRecording(path.join(eegDir, 'npy', `${name}.npy`), {
        samplingRate: expected.sfreq,
      });
      const names = readFileSync(path.join(eegDir, 'npy', `${name}.channels.txt`), 'utf8')
        .trim()
        .split(/\r?\n/);

      const { header, data } = raw;
      expect(header.samplingRate).toBe(expected.sfreq);
      expect(header.nSamples).toBe(expected.n_samples);
      expect(header.channels).toHaveLength(expected.n_channels_total);
      expect(header.channels.map((c) => c.name)).toEqual(names);
      expect(header.channels.every((c) => c.unit === 'V')).toBe(true);
      expect(header.gapSegments).toEqual([]);
      expect(header.annotations).toHaveLength(expected.n_annotations);
      expect([...new Set(header.annotations.map((a) => a.description))].sort()).toEqual(expected.annot_desc);

      expect(npy.header.nSamples).toBe(header.nSamples);
      expect(npy.header.channels).toHaveLength(header.channels.length);
      // The copies are float32 microvolts; ours are float32 volts: compare at float32 precision.
      let worst = 0;
      for (let i = 0; i < data.length; i++) {
        const microvolts = data[i]! * 1e6;
        const reference = npy.data[i]!;
        worst = Math.max(worst, Math.abs(microvolts - reference) / (Math.abs(reference) + 1e-3));
      }
      expect(worst).toBeLessThan(1e-5);
      expect(raw.gapMask.every((m) => m === 0)).toBe(true);
    });
  }

  it('types the EEGLAB tutorial EOG channels as EOG from their labels', async () => {
    const source = await openRecording(path.join(eegDir, 'raw/eeglab_data.set'));
    await source.close();
    const eog = source.header.channels.filter((c) => c.type === 'eog').map((c) => c.name);
    expect(eog).toEqual(['EOG1', 'EOG2']);
    expect(source.header.channels.filter((c) => c.type === 'eeg')).toHaveLength(30);
  });

  it('serves a window of an EDF+ recording equal to the same rows of the whole read', async () => {
    const file = path.join(eegDir, 'raw/eegmmidb_S001R04.edf');
    const whole = await readRecording(file);
    const source = await openRecording(file);
    try {
      const nCh = source.header.channels.length;
      const window = await source.read(12_345, 500);
      expect(Array.from(window)).toEqual(Array.from(whole.data.subarray(12_345 * nCh, 12_845 * nCh)));
    } finally {
      await source.close();
    }
  });
});
