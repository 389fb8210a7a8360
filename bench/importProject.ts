/**
 * The whole import as a user runs it: a float32 .npy read, hashed and streamed into a new
 * project's chunked arrays through the same `datasets.import` channel the UI calls. The clock
 * stops when the channel answers, i.e. after the import's last commit is on disk (synchronous =
 * FULL); closing the project afterwards is reported on its own.
 *
 * By default the source file is first dropped from the page cache (Linux, GNU dd's `nocache`),
 * so it is read from the disk as a user's fresh recording would be; set
 * MODESCOPE_BENCH_IMPORT_CACHE=warm to leave it cached. The result says which it was, and gives
 * the disk's own sequential write speed measured just before (dd with fdatasync), since the
 * machine may be shared and the import cannot write faster than the disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices } from '../src-main/services/createServices';
import { writeNpy } from './readers';

const DD_PROBE_MIB = 256;

/** Asks the kernel to forget the file's cached pages; false where that is not possible. */
function dropFromPageCache(file: string): boolean {
  const dd = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  if (dd.status !== 0) return false;
  const fincore = spawnSync('fincore', ['--noheadings', '--bytes', '--output', 'RES', file], {
    encoding: 'utf8',
  });
  // Without fincore the drop cannot be confirmed, but dd reported success.
  return fincore.status !== 0 || Number(fincore.stdout.trim()) < 64 * 1024 * 1024;
}

/** MB/s of a sequential write with fdatasync at the end, or null where dd is missing. */
function diskWriteMbPerSecond(dir: string): number | null {
  const probe = path.join(dir, 'dd-probe.bin');
  const t0 = performance.now();
  const dd = spawnSync('dd', [
    'if=/dev/zero',
    `of=${probe}`,
    'bs=4M',
    `count=${DD_PROBE_MIB / 4}`,
    'conv=fdatasync',
    'status=none',
  ]);
  const seconds = (performance.now() - t0) / 1000;
  spawnSync('rm', ['-f', probe]);
  return dd.status === 0 ? Math.round((DD_PROBE_MIB * 2 ** 20) / 1e6 / seconds) : null;
}

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
    const diskMbPerSecond = diskWriteMbPerSecond(dir);
    spawnSync('sync');
    const cold = process.env.MODESCOPE_BENCH_IMPORT_CACHE !== 'warm' && dropFromPageCache(file);

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
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    const t1 = performance.now();
    const closed = await services.dispatch('projects.close', {});
    if (!closed.ok) throw new Error(closed.error.message);
    const closeSeconds = (performance.now() - t1) / 1000;
    const dataBytes = nSamples * nChannels * 4;
    return {
      data_mib: Math.round(dataBytes / 2 ** 20),
      n_samples: nSamples,
      n_channels: nChannels,
      seconds: Math.round(seconds * 100) / 100,
      mb_per_second: Math.round(dataBytes / 1e6 / seconds),
      peak_rss_over_data: Math.round(((peak - rssBefore) / dataBytes) * 100) / 100,
      close_seconds: Math.round(closeSeconds * 100) / 100,
      source_cache: cold ? 'cold' : 'warm',
      disk_write_mb_per_second: diskMbPerSecond,
      target_mb_per_second: 200,
      target_peak_over_data: 1.5,
      note: 'datasets.import end to end: read, SHA-256 of the source, gap scan, SQLite commits (FULL)',
    };
  } finally {
    services.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
