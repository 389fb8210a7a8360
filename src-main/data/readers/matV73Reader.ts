import { RecordingReadError } from './recordingReadError';
import type { OpenRecordingOptions, RecordingSource } from './recordingSource';

export async function openMatV73(filePath: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
  throw new RecordingReadError(filePath, 'mat', 'MAT v7.3 (HDF5) files are not supported yet');
}
