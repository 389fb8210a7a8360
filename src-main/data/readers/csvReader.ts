import { RecordingReadError } from './recordingReadError';
import type { OpenRecordingOptions, RecordingSource } from './recordingSource';

export async function openCsv(filePath: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
  throw new RecordingReadError(filePath, 'csv', 'not yet');
}
