import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecording } from '../src-main/data/readers/readRecording';

export interface BenchImportOptions {
  /** Size of the float32 data in MiB (default 1024). */
  sizeMiB?: number;
  nChannels?: number;
  /** Folder for the temporary file (default: the OS temp folder). */
  dir?: string;
}

export interface BenchImportResult {
  format: 'npy';
  dataBytes: number;
  nSamples: number;
  nChannels: number;
  seconds: number;
  mbPerSecond: number;
  /** Highest resident set size seen while reading, minus the size before reading. */
  peakRssIncreaseBytes: number;
  peakOverData: number;
  /** The file was just written, so it is read from the page cache, not from the disk. */
  cacheWarm: true;
}

const WRITE_CHUNK_ROWS = 65_536;

export async function writeNpy(file: string, nSamples: number, nChannels: number): Promise<void> {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${nSamples}, ${nChannels}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(preamble);
  preamble.writeUInt16LE(dict.length, 8);
  const handle = await open(file, 'w');
  try {
    await handle.write(Buffer.concat([preamble, Buffer.from(dict, 'latin1')]));
    const chunk = new Float32Array(WRITE_CHUNK_ROWS * nChannels);
    for (let row = 0; row < nSamples; row += WRITE_CHUNK_ROWS) {
      const rows = Math.min(WRITE_CHUNK_ROWS, nSamples - row);
      for (let i = 0; i < rows * nChannels; i++) chunk[i] = Math.sin((row * nChannels + i) * 1e-3);
      await handle.write(new Uint8Array(chunk.buffer, 0, rows * nChannels * 4));
    }
  } finally {
    await handle.close();
  }
}

/**
 * Writes a float32 .npy of the requested size, reads it back with readRecording (chunked reads
 * straight into the output array, then the NaN/Inf scan) and reports throughput and peak memory.
 */
export async function benchImport(options: BenchImportOptions = {}): Promise<BenchImportResult> {
  const nChannels = options.nChannels ?? 64;
  const dataBytesWanted = (options.sizeMiB ?? 1024) * 1024 * 1024;
  const nSamples = Math.floor(dataBytesWanted / (4 * nChannels));
  const dir = await mkdtemp(path.join(options.dir ?? tmpdir(), 'modescope-bench-'));
  const file = path.join(dir, 'bench.npy');
  try {
    await writeNpy(file, nSamples, nChannels);
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const started = process.hrtime.bigint();
    const recording = await readRecording(file, { samplingRate: 1000 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const dataBytes = recording.data.byteLength;
    return {
      format: 'npy',
      dataBytes,
      nSamples,
      nChannels,
      seconds,
      mbPerSecond: dataBytes / 1e6 / seconds,
      peakRssIncreaseBytes: peak - before,
      peakOverData: (peak - before) / dataBytes,
      cacheWarm: true,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
