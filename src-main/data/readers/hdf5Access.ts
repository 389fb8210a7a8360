import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { READ_CHUNK_BYTES } from './binaryFile';
import type { RecordingReadError } from './recordingReadError';
import { WindowedSource } from './recordingSource';

/** The parts of h5wasm's node build this reader uses (the package ships no usable type declarations). */
export interface H5Dataset {
  readonly shape: number[] | null;
  readonly dtype: unknown;
  readonly attrs: Record<string, { value: unknown }>;
  readonly value: unknown;
  slice(ranges: [number, number][]): ArrayLike<number | bigint> | null;
}
export interface H5Group {
  keys(): string[];
  get(name: string): H5Group | H5Dataset | null;
}
export interface H5File extends H5Group {
  close(): unknown;
  dereference(ref: unknown): H5Group | H5Dataset | null;
}
export interface H5Module {
  ready: Promise<unknown>;
  File: new (path: string, mode: 'r') => H5File;
}

let h5Module: Promise<H5Module> | undefined;

/** Loads h5wasm once. Electron defines `navigator`, which makes Emscripten think it runs in a browser. */
export function loadH5wasm(): Promise<H5Module> {
  h5Module ??= (async () => {
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (nav?.configurable)
      Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const specifier = 'h5wasm/node';
      const loaded = (await import(specifier)) as { default?: H5Module } & H5Module;
      const module = loaded.default ?? loaded;
      await module.ready;
      return module;
    } finally {
      if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
    }
  })();
  return h5Module;
}

export function isDataset(node: unknown): node is H5Dataset {
  return typeof node === 'object' && node !== null && 'slice' in node && 'shape' in node;
}

export function isGroup(node: unknown): node is H5Group {
  return typeof node === 'object' && node !== null && 'keys' in node && !('slice' in node);
}

export function describeH5Error(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Windows of a 2-D HDF5 dataset; `timeAxis` is the HDF5 axis along which time runs. */
export class Hdf5MatrixSource extends WindowedSource {
  constructor(
    header: RecordingHeader,
    private readonly file: H5File,
    private readonly dataset: H5Dataset,
    private readonly timeAxis: 0 | 1,
    private readonly fail: (problem: string) => RecordingReadError,
    private readonly scale = 1,
  ) {
    super(header);
  }

  protected async fill(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const nCh = this.header.channels.length;
    const rowsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / (8 * nCh)));
    for (let done = 0; done < nSamples; done += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, nSamples - done);
      const from = startSample + done;
      const ranges: [number, number][] =
        this.timeAxis === 0
          ? [
              [from, from + n],
              [0, nCh],
            ]
          : [
              [0, nCh],
              [from, from + n],
            ];
      let values: ArrayLike<number | bigint> | null;
      try {
        values = this.dataset.slice(ranges);
      } catch (error) {
        throw this.fail(`reading samples ${from}–${from + n} failed (${describeH5Error(error)})`);
      }
      if (!values || values.length !== n * nCh)
        throw this.fail(`reading samples ${from}–${from + n} returned no data`);
      if (this.timeAxis === 0) {
        for (let i = 0; i < n * nCh; i++) out[done * nCh + i] = Number(values[i]) * this.scale;
      } else {
        for (let c = 0; c < nCh; c++)
          for (let t = 0; t < n; t++) out[(done + t) * nCh + c] = Number(values[c * n + t]) * this.scale;
      }
    }
  }

  async close(): Promise<void> {
    this.file.close();
  }
}
