import type {
  Annotation,
  ChannelInfo,
  RecordingHeader,
  SampleRange,
} from '../../../src-shared/domain/recording';
import { BinaryFile, READ_CHUNK_BYTES } from './binaryFile';
import { channelTypeFromName } from './channelTypeFromName';
import { parseRecordTals } from './edfAnnotations';
import {
  checkHeader,
  WindowedSource,
  applyChannelNames,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';
import { decodeSpan, hostIsLittleEndian, type SampleEncoding } from './sampleEncoding';
import { voltageUnit } from './signalUnits';

/** The signal count field has four characters; more than this is a corrupt header. */
const MAX_SIGNALS = 9999;

interface EdfSignal {
  label: string;
  dimension: string;
  physMin: number;
  physMax: number;
  digMin: number;
  digMax: number;
  samplesPerRecord: number;
  /** Byte offset of this signal's block inside one data record. */
  offsetInRecord: number;
}

interface KeptChannel {
  signal: EdfSignal;
  info: ChannelInfo;
  scale: number;
  offset: number;
  /** BDF status channels keep only the low 16 bits (the trigger lines), as BioSemi documents. */
  maskLow16: boolean;
}

export function looksLikeEdf(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(0, 8).toString('latin1') === '0       ';
}

export function looksLikeBdf(head: Buffer): boolean {
  return head.length >= 8 && head[0] === 0xff && head.subarray(1, 8).toString('latin1') === 'BIOSEMI';
}

function field(buf: Buffer, start: number, length: number): string {
  return buf
    .subarray(start, start + length)
    .toString('latin1')
    .trim();
}

function isAnnotationSignal(label: string): boolean {
  return label === 'EDF Annotations' || label === 'BDF Annotations';
}

function startTimeOf(fixed: Buffer, recordOnset: number): string | undefined {
  const date = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(field(fixed, 168, 8));
  const time = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(field(fixed, 176, 8));
  if (!date || !time) return undefined;
  let year = Number(date[3]);
  // EDF+ keeps a four-digit year in the recording field; plain EDF's two digits pivot at 1985.
  const plus = /Startdate \d\d-[A-Z]{3}-(\d{4})/.exec(field(fixed, 88, 80));
  year = plus ? Number(plus[1]) : year >= 85 ? 1900 + year : 2000 + year;
  const ms = Math.round((recordOnset % 1) * 1000);
  const stamp = Date.UTC(
    year,
    Number(date[2]) - 1,
    Number(date[1]),
    Number(time[1]),
    Number(time[2]),
    Number(time[3]),
    ms,
  );
  return Number.isFinite(stamp) ? new Date(stamp).toISOString().replace('Z', '') : undefined;
}

export async function openEdf(
  filePath: string,
  options: OpenRecordingOptions,
  format: 'edf' | 'bdf',
): Promise<RecordingSource> {
  const file = await BinaryFile.open(filePath, format);
  try {
    return await openEdfFile(file, format, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

async function openEdfFile(
  file: BinaryFile,
  format: 'edf' | 'bdf',
  options: OpenRecordingOptions,
): Promise<RecordingSource> {
  const filePath = file.path;
  const warnings: string[] = [];
  if (file.size < 256)
    throw file.fail(`file is ${file.size} bytes, shorter than the 256-byte ${format.toUpperCase()} header`);
  const fixed = await file.readAt(0, 256, 'fixed header');
  if (format === 'edf' ? !looksLikeEdf(fixed) : !looksLikeBdf(fixed)) {
    throw file.fail(
      `not an ${format.toUpperCase()} file (version field is '${fixed.subarray(0, 8).toString('latin1')}')`,
    );
  }
  const bytesPerSample = format === 'bdf' ? 3 : 2;
  const encoding: SampleEncoding = { type: format === 'bdf' ? 'int24' : 'int16', littleEndian: true };

  const nSignals = Number(field(fixed, 252, 4));
  if (!Number.isInteger(nSignals) || nSignals < 1 || nSignals > MAX_SIGNALS) {
    throw file.fail(`header declares ${field(fixed, 252, 4) || 'no'} signals`);
  }
  const headerBytes = 256 * (nSignals + 1);
  const declaredHeaderBytes = Number(field(fixed, 184, 8));
  if (declaredHeaderBytes !== headerBytes) {
    throw file.fail(
      `header size field says ${field(fixed, 184, 8)} bytes but ${nSignals} signals need ${headerBytes}`,
    );
  }
  const recordDuration = Number(field(fixed, 244, 8));
  if (!Number.isFinite(recordDuration) || recordDuration <= 0) {
    throw file.fail(`data record duration '${field(fixed, 244, 8)}' is not a positive number of seconds`);
  }
  const reserved = field(fixed, 192, 44);
  const discontinuous = reserved.startsWith('EDF+D') || reserved.startsWith('BDF+D');

  const sig = await file.readAt(256, headerBytes - 256, 'signal headers');
  const column = (offset: number, width: number, i: number) =>
    field(sig, nSignals * offset + i * width, width);
  const signals: EdfSignal[] = [];
  let recordBytes = 0;
  for (let i = 0; i < nSignals; i++) {
    const numbers = [104, 112, 120, 128].map((offset) => Number(column(offset, 8, i)));
    const samplesPerRecord = Number(column(216, 8, i));
    const label = column(0, 16, i);
    if (!Number.isInteger(samplesPerRecord) || samplesPerRecord < 1) {
      throw file.fail(`signal ${i + 1} ('${label}') declares '${column(216, 8, i)}' samples per record`);
    }
    if (numbers.some((n) => !Number.isFinite(n))) {
      throw file.fail(`signal ${i + 1} ('${label}') has a non-numeric physical or digital range`);
    }
    signals.push({
      label,
      dimension: column(96, 8, i),
      physMin: numbers[0]!,
      physMax: numbers[1]!,
      digMin: numbers[2]!,
      digMax: numbers[3]!,
      samplesPerRecord,
      offsetInRecord: recordBytes,
    });
    recordBytes += samplesPerRecord * bytesPerSample;
  }

  const available = file.size - headerBytes;
  const recordsInFile = Math.floor(available / recordBytes);
  const declaredRecords = Number(field(fixed, 236, 8));
  let nRecords: number;
  if (declaredRecords === -1) {
    nRecords = recordsInFile;
    warnings.push(`record count not set in the header; ${recordsInFile} records found in the file`);
  } else if (!Number.isInteger(declaredRecords) || declaredRecords < 0) {
    throw file.fail(`header declares '${field(fixed, 236, 8)}' data records`);
  } else if (declaredRecords * recordBytes > available) {
    throw file.fail(
      `header declares ${declaredRecords} data records of ${recordBytes} bytes but the file holds ${available} bytes after the header`,
    );
  } else {
    nRecords = declaredRecords;
    if (declaredRecords * recordBytes < available) {
      warnings.push(
        `${available - declaredRecords * recordBytes} bytes after the last data record were ignored`,
      );
    }
  }
  if (nRecords === 0) throw file.fail('the file holds no data records');

  const annotationSignals = signals.filter((s) => isAnnotationSignal(s.label));
  const dataSignals = pickUniformRate(
    file,
    signals.filter((s) => !isAnnotationSignal(s.label)),
    options,
    warnings,
  );
  if (dataSignals.length === 0) throw file.fail('the file holds only annotation signals, no data channels');
  const samplesPerRecord = dataSignals[0]!.samplesPerRecord;
  const samplingRate = samplesPerRecord / recordDuration;

  const names = applyChannelNames(
    filePath,
    format,
    dataSignals.map((s) => s.label),
    options,
  );
  const kept: KeptChannel[] = dataSignals.map((signal, i) =>
    describeChannel(signal, names[i]!, format, warnings),
  );

  // Annotations and, for EDF+D, where each record sits on the time line.
  const recordOnsets: number[] = [];
  const annotations: Annotation[] = [];
  let malformed = 0;
  if (annotationSignals.length > 0) {
    const first = annotationSignals[0]!;
    for (let r = 0; r < nRecords; r++) {
      let onset: number | undefined;
      for (const a of annotationSignals) {
        const bytes = await file.readAt(
          headerBytes + r * recordBytes + a.offsetInRecord,
          a.samplesPerRecord * bytesPerSample,
          'annotation signal',
        );
        const tals = parseRecordTals(bytes);
        if (a === first) onset = tals.recordOnset;
        annotations.push(...tals.annotations);
        malformed += tals.malformed;
      }
      recordOnsets.push(onset ?? Number.NaN);
    }
  }
  if (malformed > 0) warnings.push(`${malformed} malformed annotation entries were skipped`);

  const firstOnset = Number.isFinite(recordOnsets[0]) ? recordOnsets[0]! : 0;
  const recordStarts = new Float64Array(nRecords);
  const gapSegments: SampleRange[] = [];
  let nSamples = nRecords * samplesPerRecord;
  if (discontinuous) {
    let end = 0;
    for (let r = 0; r < nRecords; r++) {
      const onset = recordOnsets[r];
      if (onset === undefined || !Number.isFinite(onset)) {
        throw file.fail(`EDF+D data record ${r + 1} has no time-keeping annotation`);
      }
      const start = Math.round((onset - firstOnset) * samplingRate);
      if (start < end) {
        throw file.fail(`EDF+D data record ${r + 1} starts at ${onset} s, before the previous record ends`);
      }
      if (start > end) gapSegments.push({ start: end, end: start });
      recordStarts[r] = start;
      end = start + samplesPerRecord;
    }
    nSamples = end;
  } else {
    for (let r = 0; r < nRecords; r++) recordStarts[r] = r * samplesPerRecord;
  }

  const header: RecordingHeader = checkHeader({
    format,
    sourcePath: filePath,
    samplingRate,
    nSamples,
    channels: kept.map((k) => k.info),
    annotations: annotations
      .map((a) => ({ ...a, onset: a.onset - firstOnset }))
      .sort((a, b) => a.onset - b.onset),
    startTime: startTimeOf(fixed, firstOnset),
    gapSegments,
    warnings,
  });
  return new EdfSource(header, file, {
    headerBytes,
    recordBytes,
    samplesPerRecord,
    recordStarts,
    encoding,
    bytesPerSample,
    kept,
    discontinuous,
  });
}

function pickUniformRate(
  file: BinaryFile,
  signals: EdfSignal[],
  options: OpenRecordingOptions,
  warnings: string[],
): EdfSignal[] {
  const counts = new Map<number, number>();
  for (const s of signals) counts.set(s.samplesPerRecord, (counts.get(s.samplesPerRecord) ?? 0) + 1);
  if (counts.size <= 1) return signals;
  const rates = [...counts.keys()].sort((a, b) => b - a).join(', ');
  if (options.mixedRates === 'refuse') {
    throw file.fail(`signals have different sample counts per record (${rates}); one rate is needed`);
  }
  // Most signals win; among equally common rates, the higher one.
  const [chosen] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
  const dropped = signals.filter((s) => s.samplesPerRecord !== chosen);
  warnings.push(
    `signals have different rates (${rates} samples per record); kept the ${signals.length - dropped.length} ` +
      `at ${chosen}, dropped ${dropped.map((s) => s.label).join(', ')}`,
  );
  return signals.filter((s) => s.samplesPerRecord === chosen);
}

function describeChannel(
  signal: EdfSignal,
  name: string,
  format: 'edf' | 'bdf',
  warnings: string[],
): KeptChannel {
  const type = channelTypeFromName(signal.label);
  if (type === 'stim') {
    // Trigger codes are the stored integers; physical scaling would only blur them.
    return { signal, info: { name, type, unit: '' }, scale: 1, offset: 0, maskLow16: format === 'bdf' };
  }
  const digitalSpan = signal.digMax - signal.digMin;
  const physicalSpan = signal.physMax - signal.physMin;
  let gain = physicalSpan / digitalSpan;
  let zero = signal.physMin - signal.digMin * gain;
  if (!(digitalSpan > 0) || !Number.isFinite(gain) || gain === 0) {
    warnings.push(
      `signal '${signal.label}' has an empty digital or physical range; stored values kept unscaled`,
    );
    gain = 1;
    zero = 0;
  }
  const si = voltageUnit(signal.dimension);
  if (si) {
    return {
      signal,
      info: { name, type, unit: si.unit },
      scale: gain * si.factor,
      offset: zero * si.factor,
      maskLow16: false,
    };
  }
  return {
    signal,
    info: { name, type: type === 'eeg' ? 'misc' : type, unit: signal.dimension },
    scale: gain,
    offset: zero,
    maskLow16: false,
  };
}

interface EdfLayout {
  headerBytes: number;
  recordBytes: number;
  samplesPerRecord: number;
  /** First time-line sample of each record (ascending). */
  recordStarts: Float64Array;
  encoding: SampleEncoding;
  bytesPerSample: number;
  kept: KeptChannel[];
  discontinuous: boolean;
}

class EdfSource extends WindowedSource {
  constructor(
    header: RecordingHeader,
    private readonly file: BinaryFile,
    private readonly layout: EdfLayout,
  ) {
    super(header);
  }

  /** Index of the last record starting at or before `sample` (or 0). */
  private recordAt(sample: number): number {
    const starts = this.layout.recordStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= sample) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  protected async fill(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const { recordBytes, samplesPerRecord, recordStarts, headerBytes, kept, encoding, bytesPerSample } =
      this.layout;
    const nCh = kept.length;
    const end = startSample + nSamples;
    if (this.layout.discontinuous) out.fill(Number.NaN);
    const recordsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / recordBytes));
    let r = this.recordAt(startSample);
    while (r < recordStarts.length && recordStarts[r]! < end) {
      const count = Math.min(recordsPerChunk, recordStarts.length - r);
      const bytes = await this.file.readAt(headerBytes + r * recordBytes, count * recordBytes);
      const samples16 =
        encoding.type === 'int16' && hostIsLittleEndian && bytes.byteOffset % 2 === 0
          ? new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1)
          : undefined;
      for (let j = 0; j < count && recordStarts[r + j]! < end; j++) {
        const recStart = recordStarts[r + j]!;
        const from = Math.max(startSample, recStart);
        const to = Math.min(end, recStart + samplesPerRecord);
        if (to <= from) continue;
        for (let c = 0; c < nCh; c++) {
          const k = kept[c]!;
          const at = j * recordBytes + k.signal.offsetInRecord + (from - recStart) * bytesPerSample;
          if (samples16) {
            // EDF's 16-bit little-endian samples are aligned in the record: index them directly.
            const { scale, offset } = k;
            for (
              let i = at >> 1, end16 = i + (to - from), d = (from - startSample) * nCh + c;
              i < end16;
              i++, d += nCh
            ) {
              out[d] = samples16[i]! * scale + offset;
            }
          } else {
            decodeSpan(
              { bytes, start: at, stride: bytesPerSample, count: to - from },
              encoding,
              out,
              (from - startSample) * nCh + c,
              nCh,
              k.scale,
              k.offset,
            );
          }
          if (k.maskLow16) {
            for (let t = from; t < to; t++) {
              const at = (t - startSample) * nCh + c;
              out[at] = out[at]! & 0xffff;
            }
          }
        }
      }
      r += count;
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
