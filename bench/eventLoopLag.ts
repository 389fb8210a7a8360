/**
 * Is the services' event loop free while heavy work runs? A blocked loop freezes the UI in web
 * mode and delays every IPC answer in Electron. Measures loop lag (the excess over a 10 ms timer,
 * perf_hooks.monitorEventLoopDelay) in this process while, through the same channels the UI uses,
 * a .npy is imported, a TDE-PCA preparation runs, a DyNeMo trains in its training process, and
 * the run is analysed and exported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelName, RequestOf, ResponseOf } from '../src-shared/rpc/contract';
import { createServices, type Services } from '../src-main/services/createServices';
import { EventLoopLagMonitor, type LagStats } from '../src-main/services/health/eventLoopLag';
import { writeNpy } from './readers';

export const LAG_TARGET_P99_MS = 50;
const RESOLUTION_MS = 10;

export interface LagBenchOptions {
  importMiB?: number;
  /** The simulated recording trained on: samples × channels. */
  trainSamples?: number;
  trainChannels?: number;
  epochs?: number;
  /** The bundled training-process entry; defaults to trainer.mjs beside this bundle. */
  trainerEntry?: string;
  /** The bundled analysis worker; defaults to MODESCOPE_ANALYSIS_WORKER_ENTRY, else built here. */
  analysisWorkerEntry?: string;
  /** The bundled preparation worker; defaults to MODESCOPE_PREPARE_WORKER_ENTRY, else built here. */
  prepareWorkerEntry?: string;
}

/**
 * Analysis and preparation run in worker threads only when their bundles exist (see
 * analysisCompute.ts, preparePipelineRunner.ts); as the app's build does, bundle them beside this
 * bench so the measurement is of the shipped path.
 */
async function bundledWorker(name: string, source: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const repoRoot = path.resolve(path.dirname(outfile), '../..');
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(repoRoot, source)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

async function call<C extends ChannelName>(
  services: Services,
  channel: C,
  input: RequestOf<C>,
): Promise<ResponseOf<C>> {
  const reply = await services.dispatch(channel, input);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as ResponseOf<C>;
}

/** Lets the loop-delay timer record the task that just ended before the statistics are read. */
async function settled(monitor: EventLoopLagMonitor): Promise<LagStats> {
  await new Promise((r) => setTimeout(r, 3 * RESOLUTION_MS));
  return monitor.sinceReset();
}

function record(during: string, stats: LagStats, extra: object): object {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    during,
    p99_ms: round(stats.p99Ms),
    max_ms: round(stats.maxMs),
    p50_ms: round(stats.p50Ms),
    mean_ms: round(stats.meanMs),
    seconds: round(stats.windowMs / 1000),
    target_p99_ms: LAG_TARGET_P99_MS,
    pass: stats.p99Ms <= LAG_TARGET_P99_MS,
    ...extra,
  };
}

/** Resolves with the run's final status. */
function runFinished(services: Services, runId: number): Promise<string> {
  return new Promise((resolve) => {
    const off = services.events.onAny((event, payload) => {
      const p = payload as { runId?: number; status?: string };
      if (event !== 'run.status' || p.runId !== runId) return;
      if (
        p.status === 'completed' ||
        p.status === 'failed' ||
        p.status === 'cancelled' ||
        p.status === 'interrupted'
      ) {
        off();
        resolve(p.status);
      }
    });
  });
}

export async function benchEventLoopLag(options: LagBenchOptions = {}): Promise<object[]> {
  const importMiB = options.importMiB ?? 256;
  const trainSamples = options.trainSamples ?? 40_000;
  const trainChannels = options.trainChannels ?? 16;
  const epochs = options.epochs ?? 4;
  const trainerEntry =
    options.trainerEntry ??
    process.env.MODESCOPE_TRAINER_ENTRY ??
    fileURLToPath(new URL('./trainer.mjs', import.meta.url));

  process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY =
    options.analysisWorkerEntry ??
    process.env.MODESCOPE_ANALYSIS_WORKER_ENTRY ??
    (await bundledWorker('analysisWorker', 'src-main/services/analysis/analysisWorker.ts'));
  process.env.MODESCOPE_PREPARE_WORKER_ENTRY =
    options.prepareWorkerEntry ??
    process.env.MODESCOPE_PREPARE_WORKER_ENTRY ??
    (await bundledWorker('prepareWorker', 'src-main/services/datasets/prepareWorker.ts'));

  const dir = await mkdtemp(path.join(tmpdir(), 'modescope-bench-lag-'));
  const services = createServices({
    transport: 'in-process',
    configDir: path.join(dir, 'config'),
    training: { entryPath: trainerEntry },
  });
  const monitor = new EventLoopLagMonitor({ resolutionMs: RESOLUTION_MS, windowMs: 3_600_000 }).start();
  const records: object[] = [];
  try {
    await call(services, 'projects.create', { path: path.join(dir, 'lag.modescope'), name: 'lag bench' });

    // Import: read, hash and store a float32 .npy in chunks.
    const nChannels = 64;
    const nSamples = Math.floor((importMiB * 2 ** 20) / (4 * nChannels));
    const npy = path.join(dir, 'recording.npy');
    await writeNpy(npy, nSamples, nChannels);
    monitor.reset();
    await call(services, 'datasets.import', {
      name: 'imported',
      files: [{ path: npy }],
      options: { samplingRate: 250 },
    });
    records.push(record('import', await settled(monitor), { data_mib: importMiB }));

    // Simulate, then TDE-PCA as osl-dynamics prepares MEG; training uses the prepared data.
    const simulated = await call(services, 'datasets.simulate', {
      name: 'sim',
      spec: { kind: 'HMM_MVN', n_samples: trainSamples, n_channels: trainChannels, n_states: 6, seed: 1 },
    });
    monitor.reset();
    const prepared = await call(services, 'datasets.prepare', {
      datasetId: simulated.id,
      pipeline: {
        steps: [
          { name: 'tde_pca', params: { n_embeddings: 15, n_pca_components: 24 } },
          { name: 'standardize', params: {} },
        ],
      },
    });
    records.push(
      record('prepare', await settled(monitor), {
        step: 'tde_pca(15, 24) + standardize',
        n_samples: trainSamples,
        n_channels: trainChannels,
      }),
    );

    monitor.reset();
    const run = await call(services, 'runs.start', {
      datasetId: simulated.id,
      preparationId: prepared.id,
      modelKind: 'dynemo',
      config: {
        n_modes: 6,
        sequence_length: 100,
        batch_size: 32,
        inference_n_units: 32,
        model_n_units: 32,
        n_epochs: epochs,
        n_kl_annealing_epochs: 2,
        n_init: 0,
        seed: 1,
      },
      name: 'lag bench',
    });
    const status = await runFinished(services, run.id);
    const detail = await call(services, 'runs.get', { runId: run.id });
    records.push(
      record('training', await settled(monitor), {
        status,
        epochs: detail.epochs,
        n_samples: trainSamples,
        n_channels: 24,
        backend: detail.backend,
      }),
    );

    // Post-hoc analysis (GMM binarisation, summary statistics, spectra) and the export run in the
    // services process too. A failure there is reported without losing the measurements above.
    const phase = async (during: string, work: () => Promise<object>): Promise<void> => {
      monitor.reset();
      try {
        const extra = await work();
        records.push(record(during, await settled(monitor), extra));
      } catch (error) {
        records.push({ during, error: error instanceof Error ? error.message : String(error) });
      }
    };
    await phase('analysis', async () => {
      await call(services, 'analysis.run', { runId: run.id, spectra: true });
      return { spectra: true };
    });
    await phase('export', async () => {
      const exported = await call(services, 'exports.run', {
        runId: run.id,
        folder: path.join(dir, 'export'),
        formats: ['npy', 'mat', 'csv'],
        report: true,
      });
      return { files: exported.files.length };
    });
    return records.map((r) => ({ ...r, note: 'shared 2-core machine, other work running' }));
  } finally {
    monitor.stop();
    services.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
