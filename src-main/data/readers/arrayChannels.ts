import type { ChannelInfo, SampleOrientation } from '../../../src-shared/domain/recording';
import { applyChannelNames, type OpenRecordingOptions } from './recordingSource';

/**
 * Plain arrays (npy, csv, mat) carry no channel metadata: channels are 'misc' in the file's own unit
 * (unknown, so ''), named ch1… unless names are given.
 */
export function arrayChannels(
  file: string,
  format: string,
  nChannels: number,
  options: OpenRecordingOptions,
  namesFromFile?: string[],
): ChannelInfo[] {
  const found = namesFromFile ?? Array.from({ length: nChannels }, (_, i) => `ch${i + 1}`);
  return applyChannelNames(file, format, found, options).map((name) => ({ name, type: 'misc', unit: '' }));
}

/** Interprets a 2-D shape as [samples, channels] under the chosen orientation; warns when it looks wrong. */
export function orientShape(
  rows: number,
  cols: number,
  options: OpenRecordingOptions,
  warnings: string[],
): { nSamples: number; nChannels: number; orientation: SampleOrientation } {
  const orientation = options.orientation ?? 'time-first';
  if (orientation === 'time-first') {
    if (options.orientation === undefined && rows < cols) {
      warnings.push(
        `read as time-first (${rows} samples × ${cols} channels); pass orientation 'channel-first' if rows are channels`,
      );
    }
    return { nSamples: rows, nChannels: cols, orientation };
  }
  return { nSamples: cols, nChannels: rows, orientation };
}
