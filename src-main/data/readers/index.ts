/**
 * Recording readers: one entry point for every supported file format.
 *
 * - openRecording(path, options) → RecordingSource: header plus windowed reads (time-major float32,
 *   SI units, NaN where missing). Use it for large files and previews.
 * - readRecording(path, options) → { header, data, gapMask }: the whole file, refused above maxBytes.
 * - Every problem with a file is a RecordingReadError naming the file, the format and the problem.
 */
export { openRecording } from './openRecording';
export { readRecording, readWholeSource, type ReadRecordingOptions, type Recording } from './readRecording';
export type { OpenRecordingOptions, RecordingSource } from './recordingSource';
export { RecordingReadError } from './recordingReadError';
export { detectFormat } from './formatDetection';
export { recordingWindows, type RecordingWindow } from './recordingWindows';
