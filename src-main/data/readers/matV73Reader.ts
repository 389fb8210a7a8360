import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { arrayChannels, orientShape } from './arrayChannels';
import { READ_CHUNK_BYTES } from './binaryFile';
import { RecordingReadError } from './recordingReadError';
import {
  checkHeader,
  samplingRateFromOptions,
  WindowedSource,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

/** The parts of h5wasm's node build this reader uses (the package ships no usable type declarations). */
interface H5Dataset {
  readonly shape: number[] | null;
  readonly dtype: unknown;
  readonly attrs: Record<string, { value: unknown }>;
  slice(ranges: [number, number][]): ArrayLike<number | bigint> | null;
}
interface H5Group {
  keys(): string[];
  get(name: string): H5Group | H5Dataset | null;
}
interface H5File extends H5Group {
  close(): unknown;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (path: string, mode: 'r') => H5File;
}

let h5Module: Promise<H5Module> | undefined;

/** Loads h5wasm once. Electron defines `navigator`, which makes Emscripten think it runs in a browser. */
function loadH5wasm(): Promise<H5Module> {
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

function isDataset(node: unknown): node is H5Dataset {
  return typeof node === 'object' && node !== null && 'slice' in node && 'shape' in node;
}

function isGroup(node: unknown): node is H5Group {
  return typeof node === 'object' && node !== null && 'keys' in node && !('slice' in node);
}

const NUMERIC_DTYPE = /^[<>|=]?([bhilqefdBHILQ]|[fiu][1248])$/;

/** MATLAB v7.3 keeps each variable as an HDF5 dataset (structs as groups); '#refs#' holds cell contents. */
function numericDatasets(
  group: H5Group,
  prefix: string,
  depth: number,
): { path: string; dataset: H5Dataset }[] {
  const out: { path: string; dataset: H5Dataset }[] = [];
  for (const name of group.keys()) {
    if (name.startsWith('#')) continue;
    const node = group.get(name);
    const path = prefix ? `${prefix}.${name}` : name;
    if (isDataset(node) && typeof node.dtype === 'string' && NUMERIC_DTYPE.test(node.dtype))
      out.push({ path, dataset: node });
    else if (isGroup(node) && depth < 4) out.push(...numericDatasets(node, path, depth + 1));
  }
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function openMatV73(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const fail = (problem: string) => new RecordingReadError(filePath, 'mat', problem);
  let h5: H5Module;
  try {
    h5 = await loadH5wasm();
  } catch (error) {
    throw fail(`MAT v7.3 needs the h5wasm library, which failed to load (${describe(error)})`);
  }
  let file: H5File;
  try {
    file = new h5.File(filePath, 'r');
  } catch (error) {
    throw fail(`MAT v7.3 file is not readable HDF5 (${describe(error)})`);
  }
  try {
    const all = numericDatasets(file, '', 0);
    let chosen: { path: string; dataset: H5Dataset };
    if (options.field) {
      const found = all.find((d) => d.path === options.field);
      if (!found)
        throw fail(
          `no numeric variable or field '${options.field}' (numeric: ${all.map((d) => d.path).join(', ') || 'none'})`,
        );
      chosen = found;
    } else {
      const candidates = all.filter((d) => (d.dataset.shape ?? []).reduce((a, b) => a * b, 1) > 1);
      if (candidates.length === 0) throw fail('holds no numeric matrix');
      if (candidates.length > 1) {
        throw fail(
          `holds several numeric matrices (${candidates.map((c) => c.path).join(', ')}); pass the field option`,
        );
      }
      chosen = candidates[0]!;
    }
    const shape = chosen.dataset.shape ?? [];
    if (shape.length !== 2) throw fail(`'${chosen.path}' has ${shape.length} dimensions; need a 2-D matrix`);
    // HDF5 stores MATLAB's column-major [rows × cols] as row-major [cols, rows].
    const rows = shape[1]!;
    const cols = shape[0]!;
    if (rows === 0 || cols === 0 || 'MATLAB_empty' in chosen.dataset.attrs)
      throw fail(`'${chosen.path}' is empty`);
    const warnings: string[] = [];
    const vector = rows === 1 || cols === 1;
    const oriented = vector
      ? { nSamples: rows * cols, nChannels: 1, orientation: 'time-first' as const }
      : orientShape(rows, cols, options, warnings);
    const header: RecordingHeader = checkHeader({
      format: 'mat',
      sourcePath: filePath,
      samplingRate: samplingRateFromOptions(filePath, 'mat', options, warnings),
      nSamples: oriented.nSamples,
      channels: arrayChannels(filePath, 'mat', oriented.nChannels, options),
      annotations: [],
      gapSegments: [],
      warnings,
    });
    // Time runs along the HDF5 axis that holds MATLAB's time dimension.
    const timeAxis: 0 | 1 = vector ? (shape[0] === 1 ? 1 : 0) : oriented.orientation === 'time-first' ? 1 : 0;
    return new Hdf5MatrixSource(header, file, chosen.dataset, timeAxis, fail);
  } catch (error) {
    file.close();
    if (error instanceof RecordingReadError) throw error;
    throw fail(`MAT v7.3 file could not be read (${describe(error)})`);
  }
}

class Hdf5MatrixSource extends WindowedSource {
  constructor(
    header: RecordingHeader,
    private readonly file: H5File,
    private readonly dataset: H5Dataset,
    private readonly timeAxis: 0 | 1,
    private readonly fail: (problem: string) => RecordingReadError,
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
        throw this.fail(`reading samples ${from}–${from + n} failed (${describe(error)})`);
      }
      if (!values || values.length !== n * nCh)
        throw this.fail(`reading samples ${from}–${from + n} returned no data`);
      if (this.timeAxis === 0) {
        for (let i = 0; i < n * nCh; i++) out[done * nCh + i] = Number(values[i]);
      } else {
        for (let c = 0; c < nCh; c++)
          for (let t = 0; t < n; t++) out[(done + t) * nCh + c] = Number(values[c * n + t]);
      }
    }
  }

  async close(): Promise<void> {
    this.file.close();
  }
}
