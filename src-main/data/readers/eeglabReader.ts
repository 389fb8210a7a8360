import path from 'node:path';
import type { Annotation, RecordingHeader } from '../../../src-shared/domain/recording';
import { BinaryFile } from './binaryFile';
import { channelTypeFromName } from './channelTypeFromName';
import { companionPath } from './companionFile';
import { openEeglabV73 } from './eeglabV73Reader';
import { DenseMatrixSource } from './denseMatrixSource';
import { matVersion, readMatV5, type MatValue } from './matV5';
import { numbersOf, scalarOf, sourceForMatrix, textOf } from './matValues';
import {
  applyChannelNames,
  checkHeader,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

/** EEGLAB stores microvolts. */
const MICROVOLT = 1e-6;

/** EEGLAB saves either one struct variable 'EEG' or each of its fields as a top-level variable. */
function eegFields(values: MatValue[]): (name: string) => MatValue | undefined {
  const eeg = values.find((v) => v.name === 'EEG' && v.kind === 'struct');
  if (eeg?.kind === 'struct') return (name) => eeg.elements[0]?.get(name);
  return (name) => values.find((v) => v.name === name);
}

function structElements(value: MatValue | undefined): Map<string, MatValue>[] {
  return value?.kind === 'struct' ? value.elements : [];
}

function eventAnnotations(events: MatValue | undefined, srate: number, warnings: string[]): Annotation[] {
  const out: Annotation[] = [];
  let skipped = 0;
  for (const event of structElements(events)) {
    const latency = scalarOf(event.get('latency'));
    const typeValue = event.get('type');
    const description = textOf(typeValue) ?? numbersOf(typeValue)?.join(',') ?? '';
    if (latency === undefined || !Number.isFinite(latency)) {
      skipped++;
      continue;
    }
    const duration = scalarOf(event.get('duration'));
    out.push({
      // EEGLAB latencies count samples from 1.
      onset: (latency - 1) / srate,
      duration: duration !== undefined && Number.isFinite(duration) && duration > 0 ? duration / srate : 0,
      description,
    });
  }
  if (skipped > 0) warnings.push(`${skipped} events without a numeric latency were skipped`);
  return out.sort((a, b) => a.onset - b.onset);
}

export async function openEeglab(setPath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const setFile = await BinaryFile.open(setPath, 'eeglab');
  let handedOver = false;
  try {
    if (setFile.size < 128)
      throw setFile.fail(`file is ${setFile.size} bytes, shorter than the 128-byte MAT header`);
    const version = matVersion(await setFile.readAt(0, 128, 'MAT header'));
    if (version === 0x0200) {
      await setFile.close();
      handedOver = true;
      return await openEeglabV73(setPath, options);
    }
    if (version !== 0x0100) throw setFile.fail('not a MATLAB level-5 or v7.3 file');
    const values = await readMatV5(setFile);
    const field = eegFields(values);
    const warnings: string[] = [];
    const nbchan = scalarOf(field('nbchan'));
    const pnts = scalarOf(field('pnts'));
    const trials = scalarOf(field('trials')) ?? 1;
    const srate = scalarOf(field('srate'));
    if (nbchan === undefined || pnts === undefined || srate === undefined) {
      throw setFile.fail('not an EEGLAB dataset: nbchan, pnts or srate is missing');
    }
    if (!Number.isInteger(nbchan) || nbchan < 1) throw setFile.fail(`EEGLAB nbchan is ${nbchan}`);
    if (!Number.isInteger(pnts) || pnts < 1) throw setFile.fail(`EEGLAB pnts is ${pnts}`);
    if (trials !== 1)
      throw setFile.fail(`holds ${trials} epochs; only continuous EEGLAB data (trials = 1) is supported`);

    const labels = structElements(field('chanlocs')).map((c) => textOf(c.get('labels')) ?? '');
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
      annotations: eventAnnotations(field('event'), srate, warnings),
      gapSegments: [],
      warnings,
    });

    const data = field('data');
    const companion = textOf(data);
    if (companion !== undefined) {
      const fdtPath = companionPath(setPath, companion);
      let fdt: BinaryFile;
      try {
        fdt = await BinaryFile.open(fdtPath, 'eeglab');
      } catch {
        throw setFile.fail(
          `data file ${path.basename(fdtPath)} named by the dataset is missing (looked next to the .set)`,
        );
      }
      const need = nbchan * pnts * 4;
      if (fdt.size < need) {
        await fdt.close();
        throw setFile.fail(
          `${companion.trim()} holds ${fdt.size} bytes but ${nbchan} channels × ${pnts} samples of float32 need ${need}`,
        );
      }
      if (fdt.size > need)
        warnings.push(`${fdt.size - need} bytes after the data in ${companion.trim()} were ignored`);
      await setFile.close();
      handedOver = true;
      // The .fdt holds the [nbchan × pnts] matrix column-major: all channels of a sample together.
      return new DenseMatrixSource(header, fdt, {
        dataOffset: 0,
        encoding: { type: 'float32', littleEndian: true },
        nSamples: pnts,
        nChannels: nbchan,
        order: 'time-major',
        scale: new Float64Array(nbchan).fill(MICROVOLT),
      });
    }
    if (data?.kind !== 'numeric')
      throw setFile.fail('EEG.data is neither a matrix nor the name of a .fdt file');
    if (data.complex) throw setFile.fail('EEG.data is complex');
    const [rows = 0, cols = 0] = data.dims;
    if (rows !== nbchan || cols !== pnts) {
      throw setFile.fail(`EEG.data is ${data.dims.join('×')} but nbchan × pnts is ${nbchan}×${pnts}`);
    }
    handedOver = true;
    return await sourceForMatrix(header, setFile, data, 1, MICROVOLT);
  } catch (error) {
    if (!handedOver) await setFile.close();
    throw error;
  }
}
