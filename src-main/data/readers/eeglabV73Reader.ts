import path from 'node:path';
import type { Annotation, RecordingHeader } from '../../../src-shared/domain/recording';
import { BinaryFile } from './binaryFile';
import { channelTypeFromName } from './channelTypeFromName';
import { companionPath } from './companionFile';
import { DenseMatrixSource } from './denseMatrixSource';
import {
  describeH5Error,
  Hdf5MatrixSource,
  isDataset,
  isGroup,
  loadH5wasm,
  type H5Dataset,
  type H5File,
  type H5Group,
} from './hdf5Access';
import { RecordingReadError } from './recordingReadError';
import {
  applyChannelNames,
  checkHeader,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

const MICROVOLT = 1e-6;

function matlabClass(dataset: H5Dataset): string | undefined {
  try {
    const value = dataset.attrs['MATLAB_class']?.value;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A MATLAB value stored in HDF5: char arrays are uint16 code units, numbers are plain datasets. */
function valueOf(file: H5File, node: unknown): string | number[] | undefined {
  if (!isDataset(node)) return undefined;
  const value = node.value;
  if (matlabClass(node) === 'char' && value && typeof value === 'object' && 'length' in value) {
    return String.fromCharCode(...Array.from(value as ArrayLike<number>));
  }
  if (node.dtype === 'Reference' && Array.isArray(value)) {
    // A cell or one struct field of many elements: follow the first reference.
    return value.length > 0 ? valueOf(file, file.dereference(value[0])) : undefined;
  }
  if (value && typeof value === 'object' && 'length' in value)
    return Array.from(value as ArrayLike<number>, Number);
  return typeof value === 'number' ? [value] : undefined;
}

/** One field of every element of a MATLAB struct array (stored as references, or directly when 1×1). */
function structField(file: H5File, struct: unknown, field: string): (string | number[] | undefined)[] {
  if (!isGroup(struct)) return [];
  const node = struct.get(field);
  if (!isDataset(node)) return [];
  if (node.dtype === 'Reference' && Array.isArray(node.value)) {
    return node.value.map((ref: unknown) => valueOf(file, file.dereference(ref)));
  }
  return [valueOf(file, node)];
}

function scalar(value: string | number[] | undefined): number | undefined {
  return Array.isArray(value) && value.length === 1 ? value[0] : undefined;
}

/** Reads an EEGLAB dataset saved as MAT v7.3 (HDF5): fields at the root or under an 'EEG' group. */
export async function openEeglabV73(
  setPath: string,
  options: OpenRecordingOptions,
): Promise<RecordingSource> {
  const fail = (problem: string) => new RecordingReadError(setPath, 'eeglab', problem);
  let file: H5File;
  try {
    const h5 = await loadH5wasm();
    file = new h5.File(setPath, 'r');
  } catch (error) {
    throw fail(`MAT v7.3 dataset is not readable HDF5 (${describeH5Error(error)})`);
  }
  let handedOver = false;
  try {
    const eegGroup = file.get('EEG');
    const root: H5Group = isGroup(eegGroup) ? eegGroup : file;
    const field = (name: string) => (root.keys().includes(name) ? root.get(name) : null);
    const warnings: string[] = [];
    const nbchan = scalar(valueOf(file, field('nbchan')));
    const pnts = scalar(valueOf(file, field('pnts')));
    const trials = scalar(valueOf(file, field('trials'))) ?? 1;
    const srate = scalar(valueOf(file, field('srate')));
    if (nbchan === undefined || pnts === undefined || srate === undefined) {
      throw fail('not an EEGLAB dataset: nbchan, pnts or srate is missing');
    }
    if (!Number.isInteger(nbchan) || nbchan < 1) throw fail(`EEGLAB nbchan is ${nbchan}`);
    if (!Number.isInteger(pnts) || pnts < 1) throw fail(`EEGLAB pnts is ${pnts}`);
    if (trials !== 1)
      throw fail(`holds ${trials} epochs; only continuous EEGLAB data (trials = 1) is supported`);

    let labels: string[] = [];
    let annotations: Annotation[] = [];
    try {
      labels = structField(file, field('chanlocs'), 'labels').map((l) => (typeof l === 'string' ? l : ''));
      const types = structField(file, field('event'), 'type');
      const latencies = structField(file, field('event'), 'latency');
      const durations = structField(file, field('event'), 'duration');
      annotations = latencies.flatMap((latency, i) => {
        const at = scalar(latency);
        if (at === undefined || !Number.isFinite(at)) return [];
        const type = types[i];
        const duration = scalar(durations[i]);
        return [
          {
            onset: (at - 1) / srate,
            duration:
              duration !== undefined && Number.isFinite(duration) && duration > 0 ? duration / srate : 0,
            description: typeof type === 'string' ? type : (type?.join(',') ?? ''),
          },
        ];
      });
    } catch (error) {
      warnings.push(`channel labels or events could not be read (${describeH5Error(error)})`);
    }
    const found =
      labels.length === nbchan && labels.every((l) => l !== '')
        ? labels
        : Array.from({ length: nbchan }, (_, i) => `EEG ${String(i + 1).padStart(3, '0')}`);
    if (labels.length !== nbchan)
      warnings.push(`chanlocs has ${labels.length} labels for ${nbchan} channels; names generated`);
    const names = applyChannelNames(setPath, 'eeglab', found, options);
    const header: RecordingHeader = checkHeader({
      format: 'eeglab',
      sourcePath: setPath,
      samplingRate: srate,
      nSamples: pnts,
      channels: names.map((name) => ({ name, type: channelTypeFromName(name), unit: 'V' })),
      annotations: annotations.sort((a, b) => a.onset - b.onset),
      gapSegments: [],
      warnings,
    });

    const data = field('data');
    const companion = valueOf(file, data);
    if (typeof companion === 'string') {
      const fdtPath = companionPath(setPath, companion);
      let fdt: BinaryFile;
      try {
        fdt = await BinaryFile.open(fdtPath, 'eeglab');
      } catch {
        throw fail(
          `data file ${path.basename(fdtPath)} named by the dataset is missing (looked next to the .set)`,
        );
      }
      const need = nbchan * pnts * 4;
      if (fdt.size < need) {
        await fdt.close();
        throw fail(
          `${path.basename(fdtPath)} holds ${fdt.size} bytes but ${nbchan} × ${pnts} float32 samples need ${need}`,
        );
      }
      file.close();
      handedOver = true;
      return new DenseMatrixSource(header, fdt, {
        dataOffset: 0,
        encoding: { type: 'float32', littleEndian: true },
        nSamples: pnts,
        nChannels: nbchan,
        order: 'time-major',
        scale: new Float64Array(nbchan).fill(MICROVOLT),
      });
    }
    if (!isDataset(data)) throw fail('EEG.data is neither a matrix nor the name of a .fdt file');
    const shape = data.shape ?? [];
    // MATLAB's [nbchan × pnts] is stored as HDF5 [pnts, nbchan]: rows are samples already.
    if (shape.length !== 2 || shape[0] !== pnts || shape[1] !== nbchan) {
      throw fail(`EEG.data has HDF5 shape [${shape.join(', ')}] but nbchan × pnts is ${nbchan}×${pnts}`);
    }
    handedOver = true;
    return new Hdf5MatrixSource(header, file, data, 0, fail, MICROVOLT);
  } catch (error) {
    if (!handedOver) file.close();
    if (error instanceof RecordingReadError) throw error;
    throw fail(`EEGLAB v7.3 dataset could not be read (${describeH5Error(error)})`);
  }
}
