import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Annotation, ChannelInfo, RecordingHeader } from '../../../src-shared/domain/recording';
import { BinaryFile } from './binaryFile';
import { channelTypeFromName } from './channelTypeFromName';
import { companionPath } from './companionFile';
import { DenseMatrixSource, type DenseMatrixLayout } from './denseMatrixSource';
import { looksLikeBrainVisionHeader } from './formatDetection';
import { parseIniSections } from './iniSections';
import { RecordingReadError } from './recordingReadError';
import {
  applyChannelNames,
  checkHeader,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';
import { sampleTypeBytes, type SampleEncoding } from './sampleEncoding';
import { voltageUnit } from './signalUnits';

const binaryFormats: Record<string, SampleEncoding> = {
  INT_16: { type: 'int16', littleEndian: true },
  UINT_16: { type: 'uint16', littleEndian: true },
  INT_32: { type: 'int32', littleEndian: true },
  IEEE_FLOAT_32: { type: 'float32', littleEndian: true },
};

/** Headers are small; anything bigger than this is not a BrainVision header. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

async function readText(file: string, what: string): Promise<string> {
  const info = await stat(file);
  if (info.size > MAX_TEXT_BYTES) {
    throw new RecordingReadError(
      file,
      'brainvision',
      `${what} is ${info.size} bytes, too large for a text header`,
    );
  }
  const bytes = await readFile(file);
  const text = bytes.toString('utf8');
  // Codepage=ANSI files are Windows-1252; latin1 decodes them well enough for names and units.
  return /Codepage\s*=\s*UTF-8/i.test(text) ? text.replace(/^\uFEFF/, '') : bytes.toString('latin1');
}

function unescapeCommas(text: string): string {
  return text.replaceAll('\\1', ',');
}

interface BvChannel {
  info: ChannelInfo;
  scale: number;
}

function parseChannel(line: string | undefined, index: number, fail: (p: string) => Error): BvChannel {
  if (line === undefined) throw fail(`[Channel Infos] has no entry Ch${index + 1}`);
  const [name = '', , resolutionText = '', unitText = ''] = line.split(',');
  const resolution = resolutionText.trim() === '' ? 1 : Number(resolutionText);
  if (!Number.isFinite(resolution)) throw fail(`channel ${index + 1} has resolution '${resolutionText}'`);
  // BrainVision's unit defaults to microvolts when the field is empty or missing.
  const written = unitText.trim() === '' ? 'µV' : unitText.trim();
  const volt = voltageUnit(written);
  const label = unescapeCommas(name.trim()) || `Ch${index + 1}`;
  if (volt)
    return {
      info: { name: label, type: channelTypeFromName(label), unit: 'V' },
      scale: resolution * volt.factor,
    };
  return { info: { name: label, type: 'misc', unit: written }, scale: resolution };
}

async function readMarkers(
  markerPath: string,
  samplingRate: number,
  warnings: string[],
): Promise<Annotation[]> {
  let text: string;
  try {
    text = await readText(markerPath, 'marker file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // Data without markers is still data: say so rather than refuse the recording.
      warnings.push(`marker file ${path.basename(markerPath)} not found; no annotations read`);
      return [];
    }
    throw error;
  }
  const markers = parseIniSections(text).get('Marker Infos');
  if (!markers) {
    warnings.push(`marker file ${path.basename(markerPath)} has no [Marker Infos] section`);
    return [];
  }
  const out: Annotation[] = [];
  let malformed = 0;
  for (const [key, value] of markers) {
    if (!/^Mk\d+$/i.test(key)) continue;
    const [type = '', description = '', positionText = '', sizeText = ''] = value.split(',');
    const position = Number(positionText);
    const size = sizeText.trim() === '' ? 1 : Number(sizeText);
    if (!Number.isInteger(position) || position < 1 || !Number.isFinite(size) || size < 0) {
      malformed++;
      continue;
    }
    out.push({
      onset: (position - 1) / samplingRate,
      duration: size / samplingRate,
      description: `${unescapeCommas(type.trim())}/${unescapeCommas(description.trim())}`,
    });
  }
  if (malformed > 0) warnings.push(`${malformed} malformed markers were skipped`);
  return out.sort((a, b) => a.onset - b.onset);
}

export async function openBrainVision(
  headerPath: string,
  options: OpenRecordingOptions,
): Promise<RecordingSource> {
  const fail = (problem: string) => new RecordingReadError(headerPath, 'brainvision', problem);
  let text: string;
  try {
    text = await readText(headerPath, 'header');
  } catch (error) {
    if (error instanceof RecordingReadError) throw error;
    throw fail(`cannot read header (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!looksLikeBrainVisionHeader(Buffer.from(text.slice(0, 64), 'latin1'))) {
    throw fail('not a BrainVision header (first line is not "Brain Vision Data Exchange Header File")');
  }
  const sections = parseIniSections(text);
  const common = sections.get('Common Infos');
  if (!common) throw fail('header has no [Common Infos] section');
  const get = (key: string) => common.get(key)?.trim();

  const dataFormat = (get('DataFormat') ?? 'BINARY').toUpperCase();
  if (dataFormat !== 'BINARY') throw fail(`DataFormat ${dataFormat} is not supported (only BINARY)`);
  const orientation = (get('DataOrientation') ?? 'MULTIPLEXED').toUpperCase();
  if (orientation !== 'MULTIPLEXED' && orientation !== 'VECTORIZED') {
    throw fail(`DataOrientation '${orientation}' is neither MULTIPLEXED nor VECTORIZED`);
  }
  const nChannels = Number(get('NumberOfChannels'));
  if (!Number.isInteger(nChannels) || nChannels < 1) {
    throw fail(`NumberOfChannels is '${get('NumberOfChannels') ?? ''}', need a positive integer`);
  }
  const interval = Number(get('SamplingInterval'));
  if (!Number.isFinite(interval) || interval <= 0) {
    throw fail(
      `SamplingInterval is '${get('SamplingInterval') ?? ''}', need a positive number of microseconds`,
    );
  }
  const samplingRate = 1e6 / interval;
  const binaryName = (sections.get('Binary Infos')?.get('BinaryFormat') ?? '').trim().toUpperCase();
  const encoding = binaryFormats[binaryName];
  if (!encoding)
    throw fail(`BinaryFormat '${binaryName}' is not supported (INT_16, UINT_16, INT_32, IEEE_FLOAT_32)`);

  const channelInfos = sections.get('Channel Infos') ?? new Map<string, string>();
  const bvChannels = Array.from({ length: nChannels }, (_, i) =>
    parseChannel(channelInfos.get(`Ch${i + 1}`), i, fail),
  );
  const names = applyChannelNames(
    headerPath,
    'brainvision',
    bvChannels.map((c) => c.info.name),
    options,
  );

  const dataName = get('DataFile');
  if (!dataName) throw fail('header names no DataFile');
  const dataPath = companionPath(headerPath, dataName);
  let file: BinaryFile;
  try {
    file = await BinaryFile.open(dataPath, 'brainvision');
  } catch {
    throw fail(
      `data file ${path.basename(dataPath)} named by the header is missing (looked next to the header)`,
    );
  }
  try {
    const warnings: string[] = [];
    const rowBytes = nChannels * sampleTypeBytes[encoding.type];
    const nSamples = Math.floor(file.size / rowBytes);
    const declared = get('DataPoints');
    if (declared !== undefined && Number(declared) !== nSamples && Number(declared) > 0) {
      throw fail(
        `header declares ${declared} data points but ${dataName} holds ${nSamples} (${file.size} bytes)`,
      );
    }
    if (file.size % rowBytes !== 0) {
      if (orientation === 'VECTORIZED') {
        throw fail(
          `${dataName} holds ${file.size} bytes, not a whole number of ${nChannels}-channel samples`,
        );
      }
      warnings.push(
        `${file.size % rowBytes} trailing bytes in ${dataName} do not form a whole sample; ignored`,
      );
    }
    const markerName = get('MarkerFile');
    const annotations = markerName
      ? await readMarkers(companionPath(headerPath, markerName), samplingRate, warnings)
      : (warnings.push('header names no MarkerFile; no annotations read'), []);
    const header: RecordingHeader = checkHeader({
      format: 'brainvision',
      sourcePath: headerPath,
      samplingRate,
      nSamples,
      channels: bvChannels.map((c, i) => ({ ...c.info, name: names[i]! })),
      annotations,
      gapSegments: [],
      warnings,
    });
    const layout: DenseMatrixLayout = {
      dataOffset: 0,
      encoding,
      nSamples,
      nChannels,
      order: orientation === 'MULTIPLEXED' ? 'time-major' : 'channel-major',
      scale: Float64Array.from(bvChannels, (c) => c.scale),
    };
    return new DenseMatrixSource(header, file, layout);
  } catch (error) {
    await file.close();
    throw error;
  }
}
