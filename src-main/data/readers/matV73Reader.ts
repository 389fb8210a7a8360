import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { arrayChannels, orientShape } from './arrayChannels';
import {
  describeH5Error,
  Hdf5MatrixSource,
  isDataset,
  isGroup,
  loadH5wasm,
  type H5Dataset,
  type H5File,
  type H5Group,
  type H5Module,
} from './hdf5Access';
import { RecordingReadError } from './recordingReadError';
import {
  checkHeader,
  samplingRateFromOptions,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

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

export async function openMatV73(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const fail = (problem: string) => new RecordingReadError(filePath, 'mat', problem);
  let h5: H5Module;
  try {
    h5 = await loadH5wasm();
  } catch (error) {
    throw fail(`MAT v7.3 needs the h5wasm library, which failed to load (${describeH5Error(error)})`);
  }
  let file: H5File;
  try {
    file = new h5.File(filePath, 'r');
  } catch (error) {
    throw fail(`MAT v7.3 file is not readable HDF5 (${describeH5Error(error)})`);
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
    throw fail(`MAT v7.3 file could not be read (${describeH5Error(error)})`);
  }
}
