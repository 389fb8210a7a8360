import { stat } from 'node:fs/promises';
import type { InspectedFile } from '../../../src-shared/domain/dataset';
import type { RecordingReadOptions } from '../../../src-shared/domain/recording';
import { RpcError } from '../../../src-shared/rpc/errors';
import { openRecording } from '../../data/readers';
import { datasetError } from './errors';
import { isBadAnnotation } from './gapMask';

/** Reads every file's header for the import wizard; one unreadable file does not hide the others. */
export async function inspectFiles(
  paths: string[],
  options: RecordingReadOptions = {},
): Promise<InspectedFile[]> {
  const out: InspectedFile[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      const source = await openRecording(path, options);
      try {
        const h = source.header;
        out.push({
          ok: true,
          path,
          sizeBytes: info.size,
          format: h.format,
          channels: h.channels.map((c) => ({ name: c.name, type: c.type, unit: c.unit })),
          samplingRate: h.samplingRate,
          nSamples: h.nSamples,
          durationSeconds: h.nSamples / h.samplingRate,
          nAnnotations: h.annotations.length,
          nBadAnnotations: h.annotations.filter(isBadAnnotation).length,
          gapSegments: h.gapSegments,
          warnings: h.warnings,
        });
      } finally {
        await source.close();
      }
    } catch (error) {
      const mapped = datasetError(error);
      const rpc =
        mapped instanceof RpcError
          ? mapped
          : new RpcError('INTERNAL', mapped instanceof Error ? mapped.message : String(mapped));
      out.push({ ok: false, path, error: { code: rpc.code, message: rpc.message } });
    }
  }
  return out;
}
