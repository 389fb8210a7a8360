import { createPinia, setActivePinia } from 'pinia';
import { FakeServices } from '../helpers/fakeServicesDispatcher';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import type { DatasetSummary, PreparationSummary } from '../../src-shared/domain/dataset';
import { encodeArray } from '../../src-shared/domain/encodedArray';
import { createApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { setApi } from '../../src-renderer/api/currentApi';
import { useDatasetsStore } from '../../src-renderer/stores/datasets';
import { useJobsStore } from '../../src-renderer/stores/jobs';

/**
 * In-memory dataset services behind the real dispatcher, so every request the store sends is
 * parsed with the contract's schemas exactly as the server would parse it.
 */
class FakeDatasetServices extends FakeServices {
  datasets: DatasetSummary[] = [];
  private nextId = 1;
  /** Job requests wait on this while it is set, after reporting progress. */
  gate: Promise<void> | null = null;
  private readonly cancels = new Map<string, () => void>();

  override readonly handlers: PartialHandlers = {
    'datasets.list': () => this.datasets,
    'datasets.delete': ({ datasetId }) => {
      const before = this.datasets.length;
      this.datasets = this.datasets.filter((d) => d.id !== datasetId);
      if (before !== this.datasets.length) this.emit('dataset.changed', { datasetId, change: 'deleted' });
      return { deleted: before !== this.datasets.length };
    },
    'datasets.inspectFiles': ({ paths, options }) =>
      paths.map((path) =>
        path.endsWith('.edf')
          ? {
              ok: true as const,
              path,
              sizeBytes: 1000,
              format: 'edf',
              channels: [
                { name: 'Fz', type: 'eeg', unit: 'V' },
                { name: 'EOG', type: 'eog', unit: 'V' },
              ],
              samplingRate: 160,
              nSamples: 1600,
              durationSeconds: 10,
              nAnnotations: 0,
              nBadAnnotations: 0,
              gapSegments: [],
              warnings: [],
            }
          : path.endsWith('.npy')
            ? {
                ok: true as const,
                path,
                sizeBytes: 800,
                format: 'npy',
                channels: [{ name: 'ch0', type: 'misc', unit: '' }],
                samplingRate: options?.samplingRate ?? 1,
                nSamples: 100,
                durationSeconds: 100 / (options?.samplingRate ?? 1),
                nAnnotations: 0,
                nBadAnnotations: 0,
                gapSegments: [],
                warnings: options?.samplingRate
                  ? []
                  : ['the file stores no sampling rate; 1 Hz was assumed (pass samplingRate)'],
              }
            : {
                ok: false as const,
                path,
                error: { code: 'NOT_FOUND' as const, message: `${path} not found` },
              },
      ),
    'datasets.import': async ({ name, files, jobId }) => {
      await this.job(jobId!, 'import');
      if (this.datasets.some((d) => d.name === name)) {
        throw new RpcError('ALREADY_EXISTS', `a dataset named ${name} exists`);
      }
      return this.add(name, 'edf', files.length);
    },
    'datasets.simulate': async ({ name, spec, jobId }) => {
      await this.job(jobId!, 'simulate');
      return this.add(name, 'simulation', spec.n_sessions ?? 1);
    },
    'datasets.prepare': async ({ datasetId, pipeline, jobId, name }) => {
      await this.job(jobId!, 'prepare');
      const dataset = this.datasets.find((d) => d.id === datasetId);
      if (!dataset) throw new RpcError('NOT_FOUND', `no dataset ${datasetId}`);
      const prep: PreparationSummary = {
        id: this.nextId++,
        datasetId,
        name: name ?? null,
        status: 'done',
        pipeline,
        samplingRate: dataset.samplingRate,
        nChannels: 4,
        channelNames: null,
        explainedVariance: 0.8125,
        sessionIds: dataset.sessions.map((s) => s.id),
        error: null,
        createdAt: '2026-11-23T10:00:00.000Z',
        finishedAt: '2026-11-23T10:00:01.000Z',
      };
      dataset.preparations.push(prep);
      this.emit('dataset.changed', { datasetId, change: 'prepared' });
      return prep;
    },
    'datasets.exportPipeline': ({ preparationId }) => ({
      json: JSON.stringify({ preparationId, steps: [{ name: 'standardize', params: { use_raw: false } }] }),
    }),
    'datasets.preview': ({ startSample, endSample, maxPoints, channels }) => {
      const n = endSample - startSample;
      const step = Math.max(1, Math.ceil(n / maxPoints));
      const points = Math.ceil(n / step);
      const nCh = channels?.length ?? 2;
      const min = new Float32Array(points * nCh).map((_, i) => -i);
      const max = new Float32Array(points * nCh).map((_, i) => i);
      return {
        samplingRate: 100,
        startSample,
        endSample,
        nSamples: 1000,
        channelNames: (channels ?? [0, 1]).map((c) => `ch${c}`),
        step,
        decimated: step > 1,
        min: encodeArray(min, [points, nCh]),
        max: encodeArray(max, [points, nCh]),
        gaps: [{ start: 10, end: 20 }],
        annotations: [{ onset: 0.5, duration: 0, description: 'stim' }],
      };
    },
    'jobs.cancel': ({ jobId }) => {
      const cancel = this.cancels.get(jobId);
      cancel?.();
      return { cancelled: cancel !== undefined };
    },
  };

  /** Reports half the work done, waits on the gate (cancellable), then finishes. */
  private async job(jobId: string, kind: 'import' | 'simulate' | 'prepare'): Promise<void> {
    this.emit('job.progress', { jobId, kind, stage: 'working', done: 5, total: 10, etaSeconds: null });
    if (this.gate) {
      const cancelled = new Promise<never>((_, reject) =>
        this.cancels.set(jobId, () => reject(new RpcError('CANCELLED', `${kind} cancelled`))),
      );
      try {
        await Promise.race([this.gate, cancelled]);
      } catch (err) {
        this.emit('job.finished', { jobId, kind, outcome: 'cancelled' });
        throw err;
      } finally {
        this.cancels.delete(jobId);
      }
    }
    this.emit('job.finished', { jobId, kind, outcome: 'succeeded' });
  }

  add(name: string, format: string, nSessions: number): DatasetSummary {
    const id = this.nextId++;
    const dataset: DatasetSummary = {
      id,
      name,
      format,
      simulated: format === 'simulation',
      samplingRate: 250,
      nChannels: 2,
      channels: [
        { name: 'a', type: 'misc' },
        { name: 'b', type: 'misc' },
      ],
      createdAt: '2026-11-23T10:00:00.000Z',
      sessions: Array.from({ length: nSessions }, (_, k) => ({
        id: 100 * id + k + 1,
        ordinal: k,
        label: `s${k}`,
        sourcePath: `/data/${name}-${k}`,
        sourceSize: null,
        sourceSha256: null,
        nSamples: 1000,
        durationSeconds: 4,
        gapFraction: 0,
        nAnnotations: 0,
      })),
      preparations: [],
    };
    this.datasets.push(dataset);
    this.emit('dataset.changed', { datasetId: id, change: 'created' });
    return dataset;
  }
}

let services: FakeDatasetServices;

beforeEach(() => {
  services = new FakeDatasetServices();
  setApi(createApi(services.transport));
  setActivePinia(createPinia());
});

const channelCalls = (channel: string) => services.calls.filter((c) => c.channel === channel);

describe('datasets store', () => {
  it('loads the list on start, selects the first dataset, and subscribes once', async () => {
    services.add('rest', 'edf', 2);
    services.add('task', 'edf', 1);
    const store = useDatasetsStore();
    await store.start();
    await store.start();
    expect(store.datasets.map((d) => d.name)).toEqual(['rest', 'task']);
    expect(store.selected?.name).toBe('rest');
    expect(store.loaded).toBe(true);
    expect(services.listenerCount('dataset.changed')).toBe(1);
    store.stop();
    expect(services.listenerCount('dataset.changed')).toBe(0);
  });

  it('refreshes when a dataset changes elsewhere (another window, the CLI)', async () => {
    const store = useDatasetsStore();
    await store.start();
    expect(store.datasets).toHaveLength(0);
    services.add('from the CLI', 'fif', 1);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.datasets.map((d) => d.name)).toEqual(['from the CLI']);
  });

  it('deletes a dataset and moves the selection off it', async () => {
    const a = services.add('a', 'edf', 1);
    services.add('b', 'edf', 1);
    const store = useDatasetsStore();
    await store.start();
    store.select(a.id);
    expect(await store.remove(a.id)).toBe(true);
    expect(store.datasets.map((d) => d.name)).toEqual(['b']);
    expect(store.selected?.name).toBe('b');
    expect(await store.remove(9999)).toBe(false);
  });

  it('inspects files and keeps per-file errors beside the readable ones', async () => {
    const store = useDatasetsStore();
    expect(await store.inspect(['/d/a.edf', ' /d/missing.bdf ', ''])).toBe(true);
    expect(channelCalls('datasets.inspectFiles')[0]!.payload).toEqual({
      paths: ['/d/a.edf', '/d/missing.bdf'],
    });
    expect(store.inspected.map((f) => f.ok)).toEqual([true, false]);
    const bad = store.inspected[1]!;
    expect(bad.ok === false && bad.error.code).toBe('NOT_FOUND');
  });

  it('refuses to inspect nothing without calling the services', async () => {
    const store = useDatasetsStore();
    expect(await store.inspect(['  '])).toBe(false);
    expect(store.errors.inspect).toEqual({
      code: 'INVALID_INPUT',
      message: 'Add at least one recording file.',
    });
    expect(channelCalls('datasets.inspectFiles')).toHaveLength(0);
  });

  it('imports as a tracked job with a client-chosen id, follows progress and selects the new dataset', async () => {
    const store = useDatasetsStore();
    const jobs = useJobsStore();
    await store.start();
    let release!: () => void;
    services.gate = new Promise((r) => (release = r));
    const pending = store.importFiles({ name: 'EEG', files: [{ path: '/d/a.edf', label: 'run 1' }] });
    await new Promise((r) => setTimeout(r, 0));
    const jobId = store.jobIds.import!;
    expect(jobId).toMatch(/^import-[a-z0-9]+-[a-z0-9]{6}$/);
    expect(channelCalls('datasets.import')[0]!.payload).toMatchObject({ jobId, name: 'EEG' });
    expect(store.busy.import).toBe(true);
    expect(jobs.get(jobId)).toMatchObject({
      status: 'running',
      stage: 'working',
      done: 5,
      total: 10,
      fraction: 0.5,
    });
    release();
    const summary = await pending;
    expect(summary?.name).toBe('EEG');
    expect(store.selectedId).toBe(summary!.id);
    expect(jobs.get(jobId)).toMatchObject({ status: 'succeeded', fraction: 1, etaSeconds: null });
    expect(store.busy.import).toBe(false);
  });

  it('shows a failed import next to Import and marks its job failed', async () => {
    services.add('EEG', 'edf', 1);
    const store = useDatasetsStore();
    const result = await store.importFiles({ name: 'EEG', files: [{ path: '/d/a.edf' }] });
    expect(result).toBeNull();
    expect(store.errors.import).toEqual({ code: 'ALREADY_EXISTS', message: 'a dataset named EEG exists' });
    expect(useJobsStore().get(store.jobIds.import)?.status).toBe('failed');
  });

  it('cancels a running simulation through jobs.cancel; the job ends cancelled, not failed', async () => {
    const store = useDatasetsStore();
    const jobs = useJobsStore();
    services.gate = new Promise(() => {});
    const pending = store.simulate('Sim', { kind: 'HMM_MVN', n_samples: 1000, seed: 3 });
    await new Promise((r) => setTimeout(r, 0));
    const jobId = store.jobIds.simulate!;
    expect(await jobs.cancel(jobId)).toBe(true);
    expect(await pending).toBeNull();
    expect(store.errors.simulate).toBeNull();
    expect(jobs.get(jobId)?.status).toBe('cancelled');
    expect(channelCalls('jobs.cancel')[0]!.payload).toEqual({ jobId });
    expect(services.datasets).toHaveLength(0);
  });

  it('sends simulation specs through the contract and refuses an empty name locally', async () => {
    const store = useDatasetsStore();
    expect(await store.simulate('  ', { kind: 'HMM_MVN' })).toBeNull();
    expect(store.errors.simulate?.message).toBe('Enter a name for the simulated dataset.');
    expect(channelCalls('datasets.simulate')).toHaveLength(0);
    const bad = await store.simulate('Sim', { kind: 'HMM_MVN', n_samples: 1 } as never);
    expect(bad).toBeNull();
    expect(store.errors.simulate?.code).toBe('INVALID_INPUT');
    expect(store.errors.simulate?.message).toContain('n_samples must be at least 2');
    const ok = await store.simulate('Sim', { kind: 'MixedSine_MVN', n_sessions: 2 });
    expect(ok?.sessions).toHaveLength(2);
  });

  it('prepares a dataset and shows the explained variance the services report', async () => {
    const d = services.add('rest', 'edf', 1);
    const store = useDatasetsStore();
    await store.start();
    const prep = await store.prepare(
      d.id,
      {
        steps: [
          { name: 'tde_pca', params: { n_embeddings: 15, n_pca_components: 4 } },
          { name: 'standardize', params: {} },
        ],
      },
      ' TDE ',
    );
    expect(prep).toMatchObject({ status: 'done', explainedVariance: 0.8125, name: 'TDE' });
    expect(store.selected?.preparations.map((p) => p.status)).toEqual(['done']);
    expect(await store.prepare(d.id, { steps: [] })).toBeNull();
    expect(store.errors.prepare?.message).toBe('Add at least one preparation step.');
    expect(channelCalls('datasets.prepare')).toHaveLength(1);
  });

  it('exports a pipeline as the JSON text the services produce', async () => {
    const store = useDatasetsStore();
    const json = await store.exportPipeline(7);
    expect(JSON.parse(json!)).toEqual({
      preparationId: 7,
      steps: [{ name: 'standardize', params: { use_raw: false } }],
    });
  });

  it('decodes preview windows into typed min/max arrays with gaps and annotations', async () => {
    const store = useDatasetsStore();
    const w = await store.previewWindow({ datasetId: 1, sessionId: 2, channels: [0, 3] }, 0, 1000, 100);
    expect(w.step).toBe(10);
    expect(w.nChannels).toBe(2);
    expect(w.min).toBeInstanceOf(Float32Array);
    expect(w.min.length).toBe(200);
    expect(w.max[199]).toBe(199);
    expect(w.min[5]).toBe(-5);
    expect(w.gaps).toEqual([{ start: 10, end: 20 }]);
    expect(w.annotations[0]!.description).toBe('stim');
    expect(w.channelNames).toEqual(['ch0', 'ch3']);
    // The chart may ask for more points than the service allows; the store clamps to 8192.
    await store.previewWindow({ datasetId: 1, sessionId: 2 }, 0, 1000, 20000.4);
    expect(channelCalls('datasets.preview')[1]!.payload).toMatchObject({ maxPoints: 8192 });
  });

  it('clears the list when the project closes', async () => {
    services.add('a', 'edf', 1);
    const store = useDatasetsStore();
    await store.start();
    services.emit('project.closed', { path: '/p.modescope' });
    expect(store.datasets).toHaveLength(0);
    expect(store.selectedId).toBeNull();
  });
});
