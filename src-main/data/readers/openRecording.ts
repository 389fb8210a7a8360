import type { RecordingFormat } from '../../../src-shared/domain/recording';
import { openBrainVision } from './brainVisionReader';
import { openCsv } from './csvReader';
import { openEdf } from './edfReader';
import { openEeglab } from './eeglabReader';
import { openFif } from './fifReader';
import { detectFormat } from './formatDetection';
import { openMat } from './matReader';
import { openNpy } from './npyReader';
import type { OpenRecordingOptions, RecordingSource } from './recordingSource';

const openers: Record<
  RecordingFormat,
  (path: string, options: OpenRecordingOptions) => Promise<RecordingSource>
> = {
  npy: openNpy,
  edf: (p, o) => openEdf(p, o, 'edf'),
  bdf: (p, o) => openEdf(p, o, 'bdf'),
  fif: openFif,
  brainvision: openBrainVision,
  eeglab: openEeglab,
  mat: openMat,
  csv: openCsv,
};

/**
 * Opens any supported recording file and returns a source that reads windows of it. Throws
 * RecordingReadError for anything wrong with the file.
 */
export async function openRecording(
  path: string,
  options: OpenRecordingOptions = {},
): Promise<RecordingSource> {
  const format = options.format ?? (await detectFormat(path));
  return openers[format](path, options);
}
