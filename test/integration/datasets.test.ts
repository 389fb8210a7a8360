import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetSummary, GroundTruth, Preview } from '../../src-shared/domain/dataset';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import type { ChannelName, RequestOf, ResponseOf } from '../../src-shared/rpc/contract';
import { RpcError } from '../../src-shared/rpc/errors';
import { openRecording } from '../../src-main/data/readers';
import { simulate } from '../../src-main/data/simulate/simulate';
import { createServices, type Services } from '../../src-main/services/createServices';
import { RunRepository } from '../../src-main/store/runRepository';
import { edfBytes, npyBytes, writeBytes, type EdfSignalSpec } from '../helpers/readersFixtures';
import { eegDir, formatsDir } from '../helpers/readersData';

const eegmmidb = ['S001R01', 'S001R04', 'S002R01', 'S003R01'].map((r) =>
  path.join(eegDir, 'raw', `eegmmidb_${r}.edf`),
);
const expectedSha = Object.fromEntries(
  readFileSync(path.join(eegDir, 'SHA256SUMS.raw'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/))
    .map(([sum, name]) => [name!, sum!]),
);

let dir: string;
let services: Services;

async function call<C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>> {
  const reply = await services.dispatch(channel, input);
  if (!reply.ok) throw RpcError.fromData(reply.error);
  return reply.result as ResponseOf<C>;
}

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function arrayCount(): number {
  return (services.projects.require().db.prepare('SELECT count(*) AS n FROM arrays').get() as { n: number })
    .n;
}

const eegSignal = (label: string, n: number): EdfSignalSpec => ({
  label,
  dimension: 'uV',
  physMin: -3276.8,
  physMax: 3276.7,
  digMin: -32768,
  digMax: 32767,
  samplesPerRecord: n,
});
const annotationSignal = (n: number): EdfSignalSpec => ({
  label: 'EDF Annotations',
  dimension: '',
  physMin: -1,
  physMax: 1,
  digMin: -32768,
  digMax: 32767,
  samplesPerRecord: n,
});

/** A 10 Hz EDF+ of 4 one-second records; channel c at sample t holds (t·10 + c) µV. */
function writeEdf(name: string, labels: string[], tal: (r: number) => string = (r) => `+${r}\x14\x14\x00`) {
  return writeBytes(
    path.join(dir, name),
    edfBytes({
      reserved: 'EDF+C',
      recordDuration: 1,
      nRecords: 4,
      signals: [...labels.map((l) => eegSignal(l, 10)), annotationSignal(60)],
      digital: (r, s) => Array.from({ length: 10 }, (_, k) => ((r * 10 + k) * 10 + s) * 10),
      tal,
    }),
  );
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'datasets-'));
  services = createServices({ transport: 'in-process', configDir: path.join(dir, 'config') });
  await call('projects.create', { path: path.join(dir, 'p'), name: 'datasets test' });
});

afterEach(() => {
  services.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('importing recordings', () => {
  it('imports the four EEGMMIDB recordings as one four-session dataset with checksums, and previews the reader values', async () => {
    const changes: unknown[] = [];
    const progress: number[] = [];
    services.events.onAny((event, payload) => {
      if (event === 'dataset.changed') changes.push(payload);
      if (event === 'job.progress') progress.push((payload as { done: number }).done);
    });
    const summary = await call('datasets.import', {
      jobId: 'imp1',
      name: 'eegmmidb',
      files: eegmmidb.map((p) => ({ path: p })),
    });
    expect(summary.format).toBe('edf');
    expect(summary.nChannels).toBe(64);
    expect(summary.samplingRate).toBe(160);
    const headers = await Promise.all(
      eegmmidb.map(async (p) => {
        const source = await openRecording(p);
        await source.close();
        return source.header;
      }),
    );
    expect(summary.sessions.map((s) => s.nSamples)).toEqual(headers.map((h) => h.nSamples));
    expect(summary.sessions.map((s) => s.nSamples)).toEqual([9760, 20000, 9760, 9760]);
    expect(summary.sessions.map((s) => s.label)).toEqual(eegmmidb.map((p) => path.basename(p)));
    for (const s of summary.sessions) {
      expect(s.sourceSha256).toBe(expectedSha[path.basename(s.sourcePath)]);
      expect(s.sourceSize).toBe(readFileSync(s.sourcePath).length);
      expect(s.gapFraction).toBe(0);
      expect(s.durationSeconds).toBeCloseTo(s.nSamples / 160, 9);
    }
    expect(changes).toEqual([{ datasetId: summary.id, change: 'created' }]);
    expect(progress.at(-1)).toBe(9760 * 3 + 20000);

    // Raw window: exactly the reader's float32 values.
    const source = await openRecording(eegmmidb[1]!);
    const expected = await source.read(5000, 300);
    const raw = await call('datasets.preview', {
      datasetId: summary.id,
      sessionId: summary.sessions[1]!.id,
      startSample: 5000,
      endSample: 5300,
      maxPoints: 1000,
    });
    expect(raw.decimated).toBe(false);
    expect(raw.step).toBe(1);
    expect(raw.channelNames).toEqual(source.header.channels.map((c) => c.name));
    expect(Array.from(decodeArray(raw.min))).toEqual(Array.from(expected));
    expect(Array.from(decodeArray(raw.max))).toEqual(Array.from(expected));

    // Decimated window over the whole session: min/max bracket every raw value of their bucket.
    const all = await source.read(0, 20000);
    await source.close();
    const channels = [0, 7, 63];
    const dec = await call('datasets.preview', {
      datasetId: summary.id,
      sessionId: summary.sessions[1]!.id,
      startSample: 0,
      endSample: 20000,
      channels,
      maxPoints: 700,
    });
    expect(dec.decimated).toBe(true);
    const points = dec.min.shape[0]!;
    expect(points).toBeLessThanOrEqual(700);
    expect(dec.min.shape).toEqual([points, 3]);
    expect(points).toBe(Math.ceil(20000 / dec.step));
    const min = decodeArray(dec.min);
    const max = decodeArray(dec.max);
    for (let p = 0; p < points; p++) {
      channels.forEach((c, k) => {
        let lo = Infinity;
        let hi = -Infinity;
        for (let t = p * dec.step; t < Math.min((p + 1) * dec.step, 20000); t++) {
          lo = Math.min(lo, all[t * 64 + c]!);
          hi = Math.max(hi, all[t * 64 + c]!);
        }
        expect(min[p * 3 + k]).toBe(lo);
        expect(max[p * 3 + k]).toBe(hi);
        expect(min[p * 3 + k]!).toBeLessThanOrEqual(max[p * 3 + k]!);
      });
    }
    const list = await call('datasets.list', {});
    expect(list.map((d) => d.name)).toEqual(['eegmmidb']);
    expect(services.projects.require().integrityCheck()).toEqual([]);
  });

  it('imports a real EDF+ file with its annotations', async () => {
    const file = path.join(formatsDir, 'test.edf');
    const [inspected] = await call('datasets.inspectFiles', { paths: [file] });
    expect(inspected!.ok).toBe(true);
    if (!inspected!.ok) return;
    const summary = await call('datasets.import', { name: 'edf', files: [{ path: file, label: 'test' }] });
    expect(summary.sessions[0]!.nSamples).toBe(inspected!.nSamples);
    expect(summary.sessions[0]!.nAnnotations).toBe(inspected!.nAnnotations);
    expect(summary.channels.map((c) => c.name)).toEqual(inspected!.channels.map((c) => c.name));
    const source = await openRecording(file);
    const expected = await source.read(100, 50);
    await source.close();
    const preview = await call('datasets.preview', {
      datasetId: summary.id,
      sessionId: summary.sessions[0]!.id,
      startSample: 100,
      endSample: 150,
      maxPoints: 64,
    });
    const got = decodeArray(preview.min);
    const n = summary.nChannels;
    const limited = Math.min(n, 256);
    for (let t = 0; t < 50; t++) {
      for (let c = 0; c < limited; c++) expect(got[t * limited + c]).toBe(expected[t * n + c]);
    }
  });

  it('marks BAD annotations, reader gaps and NaN/Inf samples as gaps (values 0 under NaN, kept under BAD)', async () => {
    const edf = writeEdf('bad.edf', ['A', 'B'], (r) =>
      r === 1
        ? `+1\x14\x14\x00+1.2\x150.3\x14BAD_blink\x14\x00`
        : `+${r}\x14\x14\x00+${r}.5\x150\x14bad_zero\x14\x00`,
    );
    const summary = await call('datasets.import', { name: 'bad', files: [{ path: edf }] });
    const s = summary.sessions[0]!;
    // 1.2 s … 1.5 s at 10 Hz → samples 12, 13, 14. Zero-length "bad_zero" spans still mark their sample.
    const preview = await call('datasets.preview', {
      datasetId: summary.id,
      sessionId: s.id,
      startSample: 0,
      endSample: 40,
      maxPoints: 100,
    });
    expect(preview.gaps).toEqual([
      { start: 5, end: 6 },
      { start: 12, end: 15 },
      { start: 25, end: 26 },
      { start: 35, end: 36 },
    ]);
    expect(s.gapFraction).toBeCloseTo(6 / 40, 12);
    expect(preview.annotations.map((a) => a.description)).toContain('BAD_blink');
    const min = decodeArray(preview.min);
    expect(Number.isNaN(min[12 * 2])).toBe(true);
    expect(min[11 * 2]).toBeCloseTo(110e-6 * 1, 9);

    const values = [1, 2, NaN, 3, 4, Infinity, 5, 6, 7, 8];
    const npy = writeBytes(path.join(dir, 'nan.npy'), npyBytes('<f4', [5, 2], false, values));
    const nanSet = await call('datasets.import', {
      name: 'nan',
      files: [{ path: npy }],
      options: { samplingRate: 100 },
    });
    expect(nanSet.sessions[0]!.gapFraction).toBeCloseTo(2 / 5, 12);
    const p2 = await call('datasets.preview', {
      datasetId: nanSet.id,
      sessionId: nanSet.sessions[0]!.id,
      startSample: 0,
      endSample: 5,
      maxPoints: 10,
    });
    expect(p2.gaps).toEqual([{ start: 1, end: 3 }]);
    // The stored values: finite ones as read, non-finite ones 0 (read back straight from the store).
    const store = services.projects.require();
    const row = store.db
      .prepare('SELECT data_array_id AS id FROM sessions WHERE dataset_id = ?')
      .get(nanSet.id) as { id: number };
    const { readArray } = await import('../../src-main/store/arrayStore');
    expect(Array.from(readArray(store, row.id))).toEqual([1, 2, 0, 3, 4, 0, 5, 6, 7, 8]);
  });

  it('refuses channel mismatches naming the file and channel, and keeps common or listed channels by name', async () => {
    const a = writeEdf('a.edf', ['Fz', 'Cz', 'Pz']);
    const b = writeEdf('b.edf', ['Pz', 'Fz', 'Oz']);
    const c = writeEdf('c.edf', ['Cz', 'Pz', 'Fz']);
    const mismatch = await failure(call('datasets.import', { name: 'x', files: [{ path: a }, { path: b }] }));
    expect(mismatch.code).toBe('INVALID_INPUT');
    expect(mismatch.message).toMatch(/^b\.edf: channel "Oz" is not in a\.edf/);
    expect(mismatch.details).toMatchObject({ file: b, channel: 'Oz' });

    const reordered = await call('datasets.import', { name: 'same set', files: [{ path: a }, { path: c }] });
    expect(reordered.channels.map((ch) => ch.name)).toEqual(['Fz', 'Cz', 'Pz']);
    const second = await call('datasets.preview', {
      datasetId: reordered.id,
      sessionId: reordered.sessions[1]!.id,
      startSample: 3,
      endSample: 4,
      maxPoints: 1,
    });
    // In c.edf, Fz is signal 2: value (3·10 + 2)·10 digits = 32 µV.
    expect(decodeArray(second.min)[0]).toBeCloseTo(32e-6, 9);

    const common = await call('datasets.import', {
      name: 'common',
      files: [{ path: a }, { path: b }],
      channelPolicy: 'common',
    });
    expect(common.channels.map((ch) => ch.name)).toEqual(['Fz', 'Pz']);
    const listed = await call('datasets.import', {
      name: 'listed',
      files: [{ path: a }, { path: b }],
      channels: ['Pz', 'Fz'],
    });
    expect(listed.channels.map((ch) => ch.name)).toEqual(['Pz', 'Fz']);
    const b0 = await call('datasets.preview', {
      datasetId: listed.id,
      sessionId: listed.sessions[1]!.id,
      startSample: 0,
      endSample: 1,
      maxPoints: 1,
    });
    expect(Array.from(decodeArray(b0.min)).map((v) => Math.round(v * 1e7))).toEqual([0, 10]);
    const missing = await failure(
      call('datasets.import', { name: 'y', files: [{ path: a }, { path: b }], channels: ['Cz'] }),
    );
    expect(missing.message).toBe('b.edf has no channel "Cz"');

    const npy = writeBytes(path.join(dir, 'm.npy'), npyBytes('<f4', [4, 3], false, new Array(12).fill(1)));
    const rate = await failure(
      call('datasets.import', {
        name: 'z',
        files: [{ path: a }, { path: npy }],
        options: { samplingRate: 20, channelNames: ['Fz', 'Cz', 'Pz'] },
      }),
    );
    expect(rate.message).toMatch(/m\.npy is sampled at 20 Hz but a\.edf at 10 Hz/);
    const duplicate = await failure(call('datasets.import', { name: 'listed', files: [{ path: a }] }));
    expect(duplicate.code).toBe('ALREADY_EXISTS');
  });

  it('leaves nothing behind when an import is cancelled midway', async () => {
    const before = await call('datasets.import', { name: 'first', files: [{ path: eegmmidb[0]! }] });
    const arraysBefore = arrayCount();
    let cancelledAt = -1;
    services.events.onAny((event, payload) => {
      const p = payload as { jobId: string; done: number; total: number };
      if (event === 'job.progress' && p.jobId === 'cancel-me' && p.done > 0 && cancelledAt < 0) {
        cancelledAt = p.done;
        services.jobs.cancel('cancel-me');
      }
    });
    const error = await failure(
      call('datasets.import', {
        jobId: 'cancel-me',
        name: 'cancelled',
        files: eegmmidb.map((p) => ({ path: p })),
      }),
    );
    expect(error.code).toBe('CANCELLED');
    expect(cancelledAt).toBeGreaterThan(0);
    expect(cancelledAt).toBeLessThan(9760 * 3 + 20000);
    expect((await call('datasets.list', {})).map((d) => d.name)).toEqual(['first']);
    expect(arrayCount()).toBe(arraysBefore);
    expect(await call('datasets.get', { datasetId: before.id })).toEqual(before);
    expect(services.projects.require().integrityCheck()).toEqual([]);
    expect(await call('jobs.list', {})).toEqual([]);
  });

  it("lets only one of two concurrent imports of the same name finish, and frees the loser's arrays", async () => {
    const results = await Promise.allSettled([
      call('datasets.import', {
        jobId: 'one',
        name: 'twin',
        files: [{ path: eegmmidb[0]! }, { path: eegmmidb[2]! }],
      }),
      call('datasets.import', { jobId: 'two', name: 'twin', files: [{ path: eegmmidb[3]! }] }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as RpcError).code).toBe('ALREADY_EXISTS');
    const list = await call('datasets.list', {});
    expect(list).toHaveLength(1);
    // Each session owns a data array and a mask array; nothing else is left.
    expect(arrayCount()).toBe(list[0]!.sessions.length * 2);
    expect(services.projects.require().integrityCheck()).toEqual([]);
  });

  it('refuses a corrupt second file by name and leaves the project unchanged', async () => {
    const before = await call('datasets.import', { name: 'first', files: [{ path: eegmmidb[0]! }] });
    const arraysBefore = arrayCount();
    const bytes = readFileSync(eegmmidb[2]!);
    const truncated = writeBytes(path.join(dir, 'truncated.edf'), bytes.subarray(0, 100_000));
    const error = await failure(
      call('datasets.import', { name: 'broken', files: [{ path: eegmmidb[1]! }, { path: truncated }] }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^truncated\.edf: /);
    expect(error.details).toMatchObject({ file: truncated });

    const copy = path.join(dir, 'copy.edf');
    copyFileSync(eegmmidb[3]!, copy);
    const missing = await failure(
      call('datasets.import', {
        name: 'broken',
        files: [{ path: eegmmidb[1]! }, { path: path.join(dir, 'nope.edf') }],
      }),
    );
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toMatch(/nope\.edf/);

    expect((await call('datasets.list', {})).map((d) => d.name)).toEqual(['first']);
    expect(arrayCount()).toBe(arraysBefore);
    expect(await call('datasets.get', { datasetId: before.id })).toEqual(before);
    expect(services.projects.require().integrityCheck()).toEqual([]);

    const inspected = await call('datasets.inspectFiles', { paths: [eegmmidb[0]!, truncated, copy] });
    expect(inspected.map((f) => f.ok)).toEqual([true, false, true]);
    const bad = inspected[1]!;
    expect(bad.ok === false && bad.error.code).toBe('INVALID_INPUT');
    expect(bad.ok === false && bad.error.message).toMatch(/^truncated\.edf: /);
  });
});

describe('simulating, preparing, previewing prepared data', () => {
  const spec = {
    kind: 'HMM_MVN' as const,
    n_samples: 3000,
    n_channels: 6,
    n_states: 3,
    n_sessions: 2,
    seed: 7,
  };

  it('stores a simulation with its ground truth, which reads back equal to the simulator', async () => {
    const summary = await call('datasets.simulate', { name: 'sim', spec });
    expect(summary.simulated).toBe(true);
    expect(summary.format).toBe('simulation');
    expect(summary.sessions.map((s) => s.nSamples)).toEqual([3000, 3000]);
    const direct = simulate(spec);
    const truth: GroundTruth = await call('datasets.groundTruth', {
      datasetId: summary.id,
      sessionId: summary.sessions[1]!.id,
    });
    expect(truth.kind).toBe('HMM_MVN');
    expect(truth.nModes).toBe(3);
    expect(truth.alpha.shape).toEqual([3000, 3]);
    expect(Array.from(decodeArray(truth.alpha))).toEqual(Array.from(direct.truth.alpha[1]!));
    expect(Array.from(decodeArray(truth.states!))).toEqual(Array.from(direct.truth.states![1]!));
    expect(Array.from(decodeArray(truth.covariances))).toEqual(Array.from(direct.truth.covariances));
    expect(Array.from(decodeArray(truth.means))).toEqual(Array.from(direct.truth.means));
    expect(Array.from(decodeArray(truth.transProb!))).toEqual(Array.from(direct.truth.transProb!));
    const data = await call('datasets.preview', {
      datasetId: summary.id,
      sessionId: summary.sessions[0]!.id,
      startSample: 0,
      endSample: 3000,
      maxPoints: 4000,
    });
    expect(Array.from(decodeArray(data.min))).toEqual(Array.from(direct.sessions[0]!.data));

    const imported = await call('datasets.import', {
      name: 'real',
      files: [{ path: writeEdf('r.edf', ['A']) }],
    });
    const notSimulated = await failure(
      call('datasets.groundTruth', { datasetId: imported.id, sessionId: imported.sessions[0]!.id }),
    );
    expect(notSimulated.code).toBe('NOT_FOUND');
    const badSpec = await failure(
      call('datasets.simulate', {
        name: 'bad',
        spec: { kind: 'HMM_MVN', n_states: 2, trans_prob: [[1, 0]] },
      }),
    );
    expect(badSpec.code).toBe('INVALID_INPUT');
    expect(badSpec.message).toMatch(/trans_prob must be 2×2/);
  });

  it('keeps the HSMM lifetimes and the MixedSine logits and phases of each session', async () => {
    const hsmmSpec = { kind: 'HSMM_MVN' as const, n_samples: 1500, n_channels: 4, n_states: 3, seed: 2 };
    const hsmm = await call('datasets.simulate', { name: 'hsmm', spec: hsmmSpec });
    const hsmmTruth = await call('datasets.groundTruth', {
      datasetId: hsmm.id,
      sessionId: hsmm.sessions[0]!.id,
    });
    const direct = simulate(hsmmSpec);
    expect(hsmmTruth.lifetimes).toEqual(direct.truth.lifetimes![0]);
    expect(hsmmTruth.lifetimes!.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1500);
    expect(hsmmTruth.logits).toBeNull();

    const sineSpec = {
      kind: 'MixedSine_MVN' as const,
      n_samples: 1000,
      n_channels: 3,
      n_sessions: 2,
      seed: 5,
    };
    const sine = await call('datasets.simulate', { name: 'sine', spec: sineSpec });
    const sineDirect = simulate(sineSpec);
    const truth = await call('datasets.groundTruth', { datasetId: sine.id, sessionId: sine.sessions[1]!.id });
    expect(truth.kind).toBe('MixedSine_MVN');
    expect(truth.states).toBeNull();
    expect(truth.transProb).toBeNull();
    expect(truth.phases).toEqual(sineDirect.truth.phases![1]);
    expect(Array.from(decodeArray(truth.logits!))).toEqual(Array.from(sineDirect.truth.logits![1]!));
    expect(Array.from(decodeArray(truth.alpha))).toEqual(Array.from(sineDirect.truth.alpha[1]!));
    expect(truth.spec).toMatchObject({ kind: 'MixedSine_MVN', n_modes: 6, seed: 5 });
  });

  it('prepares with filter + tde_pca, stores outputs and fitted info, previews and exports them', async () => {
    const sim: DatasetSummary = await call('datasets.simulate', { name: 'sim', spec });
    const changes: unknown[] = [];
    services.events.onAny((event, payload) => {
      if (event === 'dataset.changed') changes.push(payload);
    });
    const pipeline = {
      steps: [
        { name: 'filter' as const, params: { low_freq: 1, high_freq: 40 } },
        { name: 'tde_pca' as const, params: { n_embeddings: 5, n_pca_components: 4 } },
      ],
    };
    const prep = await call('datasets.prepare', { datasetId: sim.id, pipeline, name: 'tde' });
    expect(prep.status).toBe('done');
    expect(prep.nChannels).toBe(4);
    expect(prep.channelNames).toHaveLength(4);
    expect(prep.explainedVariance).toBeGreaterThan(0);
    expect(prep.explainedVariance).toBeLessThanOrEqual(1);
    expect(prep.sessionIds).toEqual(sim.sessions.map((s) => s.id));
    const store = services.projects.require();
    const components = store.db
      .prepare("SELECT array_id FROM dataset_arrays WHERE preparation_id = ? AND role = 'pca_components'")
      .get(prep.id) as { array_id: number };
    const { arrayInfo } = await import('../../src-main/store/arrayStore');
    expect(arrayInfo(store, components.array_id).shape).toEqual([6 * 5, 4]);

    const out: Preview = await call('datasets.preview', {
      datasetId: sim.id,
      sessionId: sim.sessions[0]!.id,
      preparationId: prep.id,
      startSample: 0,
      endSample: 2996,
      maxPoints: 8192,
    });
    expect(out.nSamples).toBe(3000 - 4);
    expect(out.channelNames).toEqual(prep.channelNames);
    const values = decodeArray(out.min);
    expect(values.length).toBe(2996 * 4);
    expect(Array.from(values).every(Number.isFinite)).toBe(true);

    const exported = await call('datasets.exportPipeline', { preparationId: prep.id });
    expect(JSON.parse(exported.json)).toEqual({
      steps: [
        { name: 'filter', params: { low_freq: 1, high_freq: 40, order: 5, use_raw: false } },
        { name: 'tde_pca', params: { n_embeddings: 5, n_pca_components: 4, whiten: false, use_raw: false } },
      ],
    });
    const got = await call('datasets.get', { datasetId: sim.id });
    expect(got.preparations.map((p) => [p.id, p.status, p.name])).toEqual([[prep.id, 'done', 'tde']]);
    expect(changes).toEqual([{ datasetId: sim.id, change: 'prepared' }]);

    const tooMany = await failure(
      call('datasets.prepare', {
        datasetId: sim.id,
        pipeline: { steps: [{ name: 'filter', params: { high_freq: 400 } }] },
      }),
    );
    expect(tooMany.code).toBe('INVALID_INPUT');
    expect(tooMany.details).toMatchObject({ issues: [{ path: 'steps.0.params.high_freq' }] });
    const failed = (await call('datasets.get', { datasetId: sim.id })).preparations.at(-1)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Nyquist/);
    const outputs = store.db
      .prepare('SELECT count(*) AS n FROM preparation_outputs WHERE preparation_id = ?')
      .get(failed.id) as { n: number };
    expect(outputs.n).toBe(0);
  });

  it('cancels a preparation with no outputs, and refuses bad preview windows and deleting used datasets', async () => {
    const sim = await call('datasets.simulate', { name: 'sim', spec });
    services.events.onAny((event, payload) => {
      if (event === 'job.progress' && (payload as { jobId: string }).jobId === 'prep')
        services.jobs.cancel('prep');
    });
    const cancelled = await failure(
      call('datasets.prepare', {
        jobId: 'prep',
        datasetId: sim.id,
        pipeline: { steps: [{ name: 'standardize', params: {} }] },
      }),
    );
    expect(cancelled.code).toBe('CANCELLED');
    const prep = (await call('datasets.get', { datasetId: sim.id })).preparations[0]!;
    expect(prep.status).toBe('cancelled');
    expect(prep.sessionIds).toEqual([]);

    const outside = await failure(
      call('datasets.preview', {
        datasetId: sim.id,
        sessionId: sim.sessions[0]!.id,
        startSample: 0,
        endSample: 3001,
        maxPoints: 10,
      }),
    );
    expect(outside.message).toMatch(/outside the session's 3000 samples/);
    const badChannel = await failure(
      call('datasets.preview', {
        datasetId: sim.id,
        sessionId: sim.sessions[0]!.id,
        startSample: 0,
        endSample: 10,
        channels: [6],
        maxPoints: 10,
      }),
    );
    expect(badChannel.message).toMatch(/channel index 6 is out of range/);
    const tooWide = await failure(
      call('datasets.preview', {
        datasetId: sim.id,
        sessionId: sim.sessions[0]!.id,
        startSample: 0,
        endSample: 10,
        maxPoints: 9000,
      }),
    );
    expect(tooWide.code).toBe('INVALID_INPUT');

    const run = new RunRepository(services.projects.require()).create({
      datasetId: sim.id,
      modelKind: 'dynemo',
      config: {},
      seed: 1,
    });
    const refused = await failure(call('datasets.delete', { datasetId: sim.id }));
    expect(refused.message).toMatch(/has 1 run\(s\)/);
    new RunRepository(services.projects.require()).delete(run.id);
    const arraysWith = arrayCount();
    expect(arraysWith).toBeGreaterThan(0);
    const changes: unknown[] = [];
    services.events.onAny((event, payload) => {
      if (event === 'dataset.changed') changes.push(payload);
    });
    expect(await call('datasets.delete', { datasetId: sim.id })).toEqual({ deleted: true });
    expect(changes).toEqual([{ datasetId: sim.id, change: 'deleted' }]);
    expect(arrayCount()).toBe(0);
    expect(await call('datasets.list', {})).toEqual([]);
    expect(services.projects.require().integrityCheck()).toEqual([]);
  });

  it('needs an open project', async () => {
    await call('projects.close', {});
    const error = await failure(call('datasets.list', {}));
    expect(error.code).toBe('NO_PROJECT_OPEN');
  });
});
