import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRecordings } from '../../src-main/services/datasets/importRecordings';
import type { JobHandle } from '../../src-main/services/jobRegistry';
import { DatasetRepository, ProjectStore, readArray } from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

/**
 * Issue #6: the import stores each read window in pieces and hands the event loop back between
 * them, so a 64 MiB window is not one blocking step. Seen from the store: between two top-level
 * transactions of one window, the event loop has turned.
 */

const N_SAMPLES = 12_000;
const N_CH = 4;

let dir: string;
let remove: () => void;

beforeEach(() => ({ dir, remove } = makeStoreTempDir()));
afterEach(() => remove());

function writeNpy(file: string, values: Float32Array): void {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${N_SAMPLES}, ${N_CH}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  preamble.writeUInt16LE(dict.length, 8);
  fs.writeFileSync(
    file,
    Buffer.concat([preamble, Buffer.from(dict, 'latin1'), Buffer.from(values.buffer, 0, values.byteLength)]),
  );
}

const job: JobHandle = {
  jobId: 'import-lag',
  signal: new AbortController().signal,
  progress: () => undefined,
  throwIfCancelled: () => undefined,
} as unknown as JobHandle;

describe('import pieces', () => {
  it('turns the event loop between the pieces of a window and stores every value', async () => {
    const values = new Float32Array(N_SAMPLES * N_CH);
    for (let i = 0; i < values.length; i++) values[i] = i % 1000 === 7 ? Number.NaN : i / 3;
    const npy = path.join(dir, 'r.npy');
    writeNpy(npy, values);
    const store = ProjectStore.create(path.join(dir, 'p.modescope'), { name: 'import lag' });
    try {
      // Count turns of the event loop, and note the count at each top-level transaction.
      let turns = 0;
      let ticking = true;
      const tick = () => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const seen: number[] = [];
      const original = store.transaction.bind(store);
      let depth = 0;
      store.transaction = (<T>(fn: () => T): T => {
        if (depth === 0) seen.push(turns);
        depth++;
        try {
          return original(fn);
        } finally {
          depth--;
        }
      }) as typeof store.transaction;

      // One window of 12,000 rows, stored in pieces of 1,000 rows.
      const datasetId = await importRecordings(
        store,
        { name: 'pieces', files: [{ path: npy }], options: { samplingRate: 100 } },
        job,
        { valuesPerRead: N_SAMPLES * N_CH, valuesPerPiece: 1000 * N_CH, chunkBytes: 500 * 4 * N_CH },
      );
      ticking = false;
      // Twelve pieces, each in a later turn of the loop than the one before (unsliced, all twelve
      // and the array bookkeeping share one or two turns).
      expect(new Set(seen).size).toBeGreaterThanOrEqual(12);

      const [session] = new DatasetRepository(store).sessions(datasetId);
      const data = readArray(store, session!.dataArrayId!);
      const mask = readArray(store, session!.gapMaskArrayId!);
      expect(data).toEqual(values.map((v) => (Number.isFinite(v) ? v : 0)));
      let masked = 0;
      for (let t = 0; t < N_SAMPLES; t++) masked += mask[t]!;
      expect(masked).toBe(Math.ceil((N_SAMPLES * N_CH - 7) / 1000));
    } finally {
      store.close();
    }
  });
});
