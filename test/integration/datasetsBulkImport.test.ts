import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportRequest } from '../../src-shared/domain/dataset';
import { RpcError } from '../../src-shared/rpc/errors';
import { importRecordings, type ImportTuning } from '../../src-main/services/datasets/importRecordings';
import type { JobHandle } from '../../src-main/services/jobRegistry';
import { DatasetRepository, ProjectStore, arrayInfo, readArray } from '../../src-main/store';
import { makeStoreTempDir } from '../helpers/storeTempDir';

const N_SAMPLES = 10_000;
const N_CH = 5;

let dir: string;
let removeDir: () => void;
let projectFile: string;
let npyFile: string;
const opened: ProjectStore[] = [];

function track(store: ProjectStore): ProjectStore {
  opened.push(store);
  return store;
}

/** A float32 [N_SAMPLES, N_CH] .npy; value (t, c) = t + c / 10, with a few NaN and ±Inf. */
function recording(): { values: Float32Array; badRows: Set<number> } {
  const values = new Float32Array(N_SAMPLES * N_CH);
  for (let t = 0; t < N_SAMPLES; t++) for (let c = 0; c < N_CH; c++) values[t * N_CH + c] = t + c / 10;
  const bad: [number, number, number][] = [
    [0, 0, Number.NaN],
    [998, 4, Number.POSITIVE_INFINITY],
    [999, 0, Number.NaN], // the first row of the second window below
    [5_000, 2, Number.NEGATIVE_INFINITY],
    [5_000, 3, Number.NaN],
    [N_SAMPLES - 1, 1, Number.NaN],
  ];
  for (const [t, c, v] of bad) values[t * N_CH + c] = v;
  return { values, badRows: new Set(bad.map(([t]) => t)) };
}

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

function fakeJob(cancelAfterWindows = Number.POSITIVE_INFINITY): JobHandle & { windows: number } {
  const controller = new AbortController();
  const job = {
    jobId: 'test',
    signal: controller.signal,
    windows: 0,
    progress(stage: string) {
      if (stage.startsWith('reading')) job.windows++;
    },
    throwIfCancelled() {
      if (job.windows >= cancelAfterWindows) throw new RpcError('CANCELLED', 'import cancelled');
    },
  };
  return job;
}

const request = (name: string): ImportRequest => ({
  name,
  files: [{ path: npyFile }],
  options: { samplingRate: 100 },
});

/** 999 rows per read: ten full windows and a last one of 10 rows; chunks of 100 rows. */
const smallSteps: ImportTuning = { valuesPerRead: 999 * N_CH, chunkBytes: 100 * 4 * N_CH };

function expectedStored(): { data: Float32Array; mask: Uint8Array } {
  const { values, badRows } = recording();
  const data = values.map((v) => (Number.isFinite(v) ? v : 0));
  const mask = new Uint8Array(N_SAMPLES);
  for (const t of badRows) mask[t] = 1;
  return { data, mask };
}

function storedSession(store: ProjectStore, datasetId: number) {
  const [session] = new DatasetRepository(store).sessions(datasetId);
  return {
    session: session!,
    data: readArray(store, session!.dataArrayId!),
    mask: readArray(store, session!.gapMaskArrayId!),
  };
}

beforeEach(() => {
  ({ dir, remove: removeDir } = makeStoreTempDir());
  projectFile = path.join(dir, 'import.modescope');
  npyFile = path.join(dir, 'recording.npy');
  writeNpy(npyFile, recording().values);
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  removeDir();
});

describe('importing through a bulk-write session', () => {
  it('stores every window exactly (missing values 0 and masked), with the checksum, and returns to WAL', async () => {
    const store = track(ProjectStore.create(projectFile, { name: 'import' }));
    const job = fakeJob();
    const datasetId = await importRecordings(store, request('many windows'), job, smallSteps);
    expect(job.windows).toBe(11);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(fs.existsSync(`${projectFile}-journal`)).toBe(false);

    const { session, data, mask } = storedSession(store, datasetId);
    const expected = expectedStored();
    expect(data).toEqual(expected.data);
    expect(mask).toEqual(expected.mask);
    expect(session.nGapSamples).toBe(5);
    expect(session.sourceSha256).toBe(createHash('sha256').update(fs.readFileSync(npyFile)).digest('hex'));
    expect(arrayInfo(store, session.dataArrayId!)).toMatchObject({ nRows: N_SAMPLES, chunkRows: 100 });
    expect(store.integrityCheck()).toEqual([]);

    // The default steps (one window, 1 MiB chunks) store the same values.
    const again = await importRecordings(store, request('one window'), fakeJob());
    const other = storedSession(store, again);
    expect(other.data).toEqual(expected.data);
    expect(other.mask).toEqual(expected.mask);
  });

  it('imports the same values in WAL mode while a reader has the project open', async () => {
    const store = track(ProjectStore.create(projectFile, { name: 'import' }));
    const reader = track(ProjectStore.open(projectFile, { readOnly: true }));
    const datasetId = await importRecordings(store, request('beside a reader'), fakeJob(), smallSteps);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const { data, mask } = storedSession(reader, datasetId);
    expect(data).toEqual(expectedStored().data);
    expect(mask).toEqual(expectedStored().mask);
  });

  it('leaves nothing and WAL mode behind when cancelled between windows', async () => {
    const store = track(ProjectStore.create(projectFile, { name: 'import' }));
    const job = fakeJob(4);
    await expect(importRecordings(store, request('cancelled'), job, smallSteps)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(job.windows).toBe(4);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.prepare('SELECT count(*) AS n FROM arrays').get()).toEqual({ n: 0 });
    expect(store.db.prepare('SELECT count(*) AS n FROM array_chunks').get()).toEqual({ n: 0 });
    expect(new DatasetRepository(store).list()).toEqual([]);
  });
});
