/**
 * The whole import as a user runs it: a float32 .npy read, hashed and streamed into a new
 * project's chunked arrays through the same `datasets.import` channel the UI calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices } from '../src-main/services/createServices';
import { writeNpy } from './readers';

export async function benchProjectImport(sizeMiB = 1024, nChannels = 64): Promise<object> {
  const dir = await mkdtemp(path.join(tmpdir(), 'modescope-bench-import-'));
  const services = createServices({ transport: 'in-process', configDir: path.join(dir, 'config') });
  try {
    const nSamples = Math.floor((sizeMiB * 1024 * 1024) / (4 * nChannels));
    const file = path.join(dir, 'recording.npy');
    await writeNpy(file, nSamples, nChannels);
    const created = await services.dispatch('projects.create', {
      path: path.join(dir, 'bench'),
      name: 'bench',
    });
    if (!created.ok) throw new Error(created.error.message);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const r = await services.dispatch('datasets.import', {
      name: 'bench',
      files: [{ path: file }],
      options: { samplingRate: 1000 },
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    const dataBytes = nSamples * nChannels * 4;
    return {
      data_mib: Math.round(dataBytes / 2 ** 20),
      n_samples: nSamples,
      n_channels: nChannels,
      seconds: Math.round(seconds * 100) / 100,
      mb_per_second: Math.round(dataBytes / 1e6 / seconds),
      peak_rss_over_data: Math.round(((peak - rssBefore) / dataBytes) * 100) / 100,
      target_mb_per_second: 200,
      target_peak_over_data: 1.5,
      note: 'source file in the page cache; includes SHA-256 of the source and the SQLite writes',
    };
  } finally {
    services.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
