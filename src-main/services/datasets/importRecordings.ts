import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ImportRequest } from '../../../src-shared/domain/dataset';
import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { RpcError } from '../../../src-shared/rpc/errors';
import { openRecording, type RecordingSource } from '../../data/readers';
import { beginArray, deleteArray, type ArrayWriter } from '../../store/arrayStore';
import { beginBulkWrite, type BulkWriteSession } from '../../store/bulkWriteMode';
import { DatasetRepository } from '../../store/datasetRepository';
import type { ProjectStore } from '../../store/projectStore';
import type { JobHandle } from '../jobRegistry';
import { planChannels } from './channelPlan';
import { datasetError } from './errors';
import { sha256OfFile } from './fileDigest';
import { markRanges, missingRanges } from './gapMask';
import { countMarked, keepFiniteColumns } from './keptSamples';

/**
 * Values read from a file per step (64 MiB of float32, whatever the channel count; one commit
 * each, two buffers) and the size of a stored chunk (1 MiB): measured here, fewer and larger
 * commits write faster (each commit waits for an fsync), and a preview window still reads little
 * more than it shows. Chunks of 4 MiB were no faster in the bulk (rollback-journal) mode.
 */
const VALUES_PER_READ = 1 << 24;
const CHUNK_BYTES = 1 << 20;

/**
 * Values stored per turn of the event loop (2 MiB of float32; one commit each): storing a whole
 * 64 MiB window at once held the services' loop for 0.25-0.8 s here (issue #6: ≤ 50 ms p99).
 * Measured for a 256 MiB .npy on this loaded machine: 8 MiB pieces left a p99 lag of 90-150 ms,
 * 2 MiB pieces 16-41 ms, both at 200-250 MB/s (one window per commit: 127-139 MB/s, noisy).
 */
const VALUES_PER_PIECE = 1 << 19;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Sizes of the import's steps; tests make them small to cross many windows and chunks. */
export interface ImportTuning {
  valuesPerRead?: number;
  valuesPerPiece?: number;
  chunkBytes?: number;
}

interface ImportedSession {
  path: string;
  label: string;
  size: number;
  sha256: string;
  header: RecordingHeader;
  dataArrayId: number;
  maskArrayId: number;
  nGapSamples: number;
}

/**
 * Streams one or many recordings into the project as the sessions of a new dataset. Each file
 * is read window by window into two alternating buffers (the next window is read while this one
 * is written); kept channels go to an ArrayWriter and the gap mask to another, while the file's
 * SHA-256 is computed on a worker thread. The arrays are written in a bulk-write session (rollback
 * journal, so the data is written once rather than log then checkpoint; see bulkWriteMode.ts).
 * The dataset and its sessions are written in one transaction at the end, so an error, a cancel
 * or a killed process anywhere leaves nothing: unfinished writers are aborted and finished arrays
 * deleted before the error goes on, and arrays a killed process left unfinished are dropped by
 * the next writer to open the project.
 */
export async function importRecordings(
  store: ProjectStore,
  request: ImportRequest,
  job: JobHandle,
  tuning: ImportTuning = {},
): Promise<number> {
  const valuesPerRead = tuning.valuesPerRead ?? VALUES_PER_READ;
  const chunkBytes = tuning.chunkBytes ?? CHUNK_BYTES;
  const valuesPerPiece = tuning.valuesPerPiece ?? VALUES_PER_PIECE;
  const repo = new DatasetRepository(store);
  const sources: RecordingSource[] = [];
  const writers: ArrayWriter[] = [];
  const finishedArrays: number[] = [];
  const hashAbort = new AbortController();
  const pendingHashes: Promise<unknown>[] = [];
  // Reads ahead that an error may leave running; the files are closed only after they settle.
  const readsInFlight = new Set<Promise<unknown>>();
  let bulk: BulkWriteSession | undefined;
  try {
    assertNameFree(repo, request.name);
    const paths = request.files.map((f) => resolve(f.path));
    for (const path of paths) {
      job.progress(`opening ${basename(path)}`, 0, 0);
      sources.push(await openRecording(path, request.options ?? {}));
      job.throwIfCancelled();
    }
    const headers = sources.map((s) => s.header);
    const plan = planChannels(headers, request.channelPolicy, request.channels);
    const nKept = plan.channels.length;
    const totalSamples = headers.reduce((a, h) => a + h.nSamples, 0);
    let samplesDone = 0;
    const imported: ImportedSession[] = [];
    bulk = beginBulkWrite(store);

    for (const [i, source] of sources.entries()) {
      const header = source.header;
      const path = paths[i]!;
      const file = basename(path);
      const size = (await stat(path)).size;
      const hashing = sha256OfFile(path, hashAbort.signal);
      pendingHashes.push(hashing.catch(() => undefined));

      const nCh = header.channels.length;
      const columns = plan.columns[i]!;
      const identity = columns.length === nCh && columns.every((c, k) => c === k);
      const rowsPerRead = Math.max(1, Math.floor(valuesPerRead / nCh));
      const rowsPerPiece = Math.max(1, Math.floor(valuesPerPiece / nCh));
      // Two read buffers: the next window is read (on libuv's threads) while this one is written.
      const readBuffers = [new Float32Array(rowsPerRead * nCh), new Float32Array(rowsPerRead * nCh)];
      const keptBuffer = identity ? undefined : new Float32Array(rowsPerRead * nKept);
      const maskBuffer = new Uint8Array(rowsPerRead);
      const missing = missingRanges(
        header.gapSegments,
        header.annotations,
        header.samplingRate,
        header.nSamples,
      );

      const dataWriter = beginArray(store, {
        name: `import:${file}`,
        dtype: 'float32',
        rowShape: [nKept],
        chunkRows: Math.max(1, Math.floor(chunkBytes / (4 * nKept))),
      });
      writers.push(dataWriter);
      const maskWriter = beginArray(store, {
        name: `import:${file}:gaps`,
        dtype: 'uint8',
        chunkRows: chunkBytes,
      });
      writers.push(maskWriter);
      let nGapSamples = 0;

      const readWindow = (start: number, buffer: Float32Array) => {
        const window = buffer.subarray(0, Math.min(rowsPerRead, header.nSamples - start) * nCh);
        return source.readInto(start, window.length / nCh, window).then(() => window);
      };
      let reading: Promise<Float32Array> | undefined = readWindow(0, readBuffers[0]!);
      readsInFlight.add(reading.catch(() => undefined));
      for (let start = 0, turn = 0; reading !== undefined; start += rowsPerRead, turn ^= 1) {
        const window = await reading;
        job.throwIfCancelled();
        const next = start + rowsPerRead;
        reading = next < header.nSamples ? readWindow(next, readBuffers[turn ^ 1]!) : undefined;
        if (reading !== undefined) readsInFlight.add(reading.catch(() => undefined));
        const rows = window.length / nCh;
        const kept = keptBuffer === undefined ? window : keptBuffer.subarray(0, rows * nKept);
        const mask = maskBuffer.subarray(0, rows);
        mask.fill(0);
        markRanges(mask, start, missing);
        for (let from = 0; from < rows; from += rowsPerPiece) {
          if (from > 0) {
            await yieldToEventLoop();
            job.throwIfCancelled();
          }
          const to = Math.min(rows, from + rowsPerPiece);
          const pieceWindow = window.subarray(from * nCh, to * nCh);
          // In place when every channel is kept in order: the same view, as keepFiniteColumns expects.
          const pieceKept = keptBuffer === undefined ? pieceWindow : kept.subarray(from * nKept, to * nKept);
          const pieceMask = mask.subarray(from, to);
          keepFiniteColumns(pieceWindow, nCh, columns, pieceKept, pieceMask);
          nGapSamples += countMarked(pieceMask);
          store.transaction(() => {
            dataWriter.appendRows(pieceKept);
            maskWriter.appendRows(pieceMask);
          });
        }
        samplesDone += rows;
        job.progress(`reading ${file} (${i + 1} of ${sources.length})`, samplesDone, totalSamples);
      }
      finishedArrays.push(dataWriter.finish());
      finishedArrays.push(maskWriter.finish());
      job.progress(`checksum of ${file}`, samplesDone, totalSamples);
      const sha256 = await hashing;
      job.throwIfCancelled();
      imported.push({
        path,
        label: request.files[i]!.label ?? file,
        size,
        sha256,
        header,
        dataArrayId: dataWriter.id,
        maskArrayId: maskWriter.id,
        nGapSamples,
      });
    }

    bulk.end();
    const formats = new Set(headers.map((h) => h.format));
    const datasetId = store.transaction(() => {
      const dataset = repo.create({
        name: request.name,
        format: formats.size === 1 ? headers[0]!.format : 'mixed',
        samplingRateHz: headers[0]!.samplingRate,
        channels: plan.channels.map((c) => ({ name: c.name, type: c.type, unit: c.unit })),
      });
      for (const s of imported) {
        repo.addSession(dataset.id, {
          label: s.label,
          sourcePath: s.path,
          sourceSize: s.size,
          sourceSha256: s.sha256,
          nSamples: s.header.nSamples,
          dataArrayId: s.dataArrayId,
          gapMaskArrayId: s.maskArrayId,
          annotations: s.header.annotations,
          nGapSamples: s.nGapSamples,
        });
      }
      store.appendAction({
        kind: 'datasets.import',
        payload: { ...request, jobId: undefined, datasetId: dataset.id },
        cli: importCommandLine(request),
      });
      return dataset.id;
    });
    return datasetId;
  } catch (error) {
    hashAbort.abort();
    for (const writer of writers) {
      try {
        writer.abort();
      } catch {
        // The writer may already be finished; its array is deleted below.
      }
    }
    for (const id of finishedArrays) {
      try {
        deleteArray(store, id);
      } catch {
        // Already gone with its writer.
      }
    }
    throw datasetError(error);
  } finally {
    bulk?.end();
    await Promise.all(readsInFlight);
    await Promise.all(pendingHashes);
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }
}

/** Checked up front so that a long import does not fail at its very end. */
export function assertNameFree(repo: DatasetRepository, name: string): void {
  const trimmed = name.trim();
  if (repo.list().some((d) => d.name === trimmed)) {
    throw new RpcError('ALREADY_EXISTS', `a dataset named "${trimmed}" already exists`, {
      field: 'name',
      name: trimmed,
    });
  }
}

const quote = (s: string) => (/^[\w./:@+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** The `modescope import` line that repeats this import (for the action log). */
export function importCommandLine(request: ImportRequest): string {
  const parts = ['modescope', 'import', '--project', '<project>', '--name', quote(request.name)];
  if (request.channels) parts.push('--channels', quote(request.channels.join(',')));
  if (request.channelPolicy === 'common') parts.push('--common-channels');
  const o = request.options ?? {};
  if (o.orientation) parts.push('--orientation', o.orientation);
  if (o.samplingRate !== undefined) parts.push('--sampling-rate', String(o.samplingRate));
  if (o.field) parts.push('--field', quote(o.field));
  for (const f of request.files) parts.push(quote(resolve(f.path)));
  return parts.join(' ');
}
