import type { RecordingHeader, SampleOrientation } from '../../../src-shared/domain/recording';
import { RecordingReadError } from './recordingReadError';

export interface OpenRecordingOptions {
  /** Skip detection and read the file as this format. */
  format?: RecordingHeader['format'];
  /**
   * For npy, csv and mat matrices, which axis is time. Default 'time-first' (rows are samples, as
   * osl-dynamics expects); a warning is added when the shape suggests the other reading.
   */
  orientation?: SampleOrientation;
  /** For .mat files: the variable (or struct field path, 'EEG.data') holding the matrix. */
  field?: string;
  /** Sampling rate in Hz for formats that do not store one (npy, csv, mat). */
  samplingRate?: number;
  /** Channel names for formats that do not store them; must match the channel count. */
  channelNames?: string[];
  /**
   * EDF/BDF files whose signals have different rates: 'majority' keeps the signals at the most common
   * rate and names the dropped ones in a warning; 'refuse' throws.
   */
  mixedRates?: 'majority' | 'refuse';
}

/** An open recording that serves windows of samples without holding the whole file in memory. */
export interface RecordingSource {
  readonly header: RecordingHeader;
  /** Samples [startSample, startSample + nSamples) as [nSamples × nChannels] time-major, SI, NaN where missing. */
  read(startSample: number, nSamples: number): Promise<Float32Array>;
  /** As read, into `target` (length nSamples · nChannels) instead of a new array. */
  readInto(startSample: number, nSamples: number, target: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/** Checks the window once for every reader, then hands the reader a target it can fill. */
export abstract class WindowedSource implements RecordingSource {
  constructor(readonly header: RecordingHeader) {}

  async read(startSample: number, nSamples: number): Promise<Float32Array> {
    this.checkWindow(startSample, nSamples);
    const out = new Float32Array(nSamples * this.header.channels.length);
    await this.fill(startSample, nSamples, out);
    this.blankGaps(startSample, nSamples, out);
    return out;
  }

  async readInto(startSample: number, nSamples: number, target: Float32Array): Promise<void> {
    this.checkWindow(startSample, nSamples);
    const need = nSamples * this.header.channels.length;
    if (target.length !== need) {
      throw new RangeError(`target holds ${target.length} values but the window needs ${need}`);
    }
    await this.fill(startSample, nSamples, target);
    this.blankGaps(startSample, nSamples, target);
  }

  /** Whatever a reader wrote there, samples inside gap segments read as NaN. */
  private blankGaps(startSample: number, nSamples: number, out: Float32Array): void {
    const nCh = this.header.channels.length;
    const end = startSample + nSamples;
    for (const gap of this.header.gapSegments) {
      const from = Math.max(gap.start, startSample);
      const to = Math.min(gap.end, end);
      if (to > from) out.fill(Number.NaN, (from - startSample) * nCh, (to - startSample) * nCh);
    }
  }

  protected abstract fill(startSample: number, nSamples: number, out: Float32Array): Promise<void>;

  abstract close(): Promise<void>;

  private checkWindow(startSample: number, nSamples: number): void {
    const total = this.header.nSamples;
    if (
      !Number.isSafeInteger(startSample) ||
      !Number.isSafeInteger(nSamples) ||
      startSample < 0 ||
      nSamples < 0 ||
      startSample + nSamples > total
    ) {
      throw new RangeError(
        `window [${startSample}, ${startSample + nSamples}) is outside the recording's ${total} samples`,
      );
    }
  }
}

/** A recording already decoded into memory (CSV, compressed MAT): windows are copies of slices. */
export class MemorySource extends WindowedSource {
  constructor(
    header: RecordingHeader,
    private readonly data: Float32Array,
  ) {
    super(header);
  }

  protected async fill(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const nCh = this.header.channels.length;
    out.set(this.data.subarray(startSample * nCh, (startSample + nSamples) * nCh));
  }

  /** The whole recording, time-major; shared, not copied. */
  wholeData(): Float32Array {
    return this.data;
  }

  async close(): Promise<void> {}
}

/**
 * Final checks every reader applies to the header it built: a recording needs channels, samples and
 * a finite positive rate.
 */
export function checkHeader(header: RecordingHeader): RecordingHeader {
  const fail = (problem: string) => new RecordingReadError(header.sourcePath, header.format, problem);
  if (header.channels.length === 0) throw fail('the file declares no channels');
  if (!(header.nSamples > 0)) throw fail('the file holds no samples');
  if (!Number.isSafeInteger(header.nSamples)) throw fail(`invalid sample count ${header.nSamples}`);
  if (!Number.isFinite(header.samplingRate) || header.samplingRate <= 0) {
    throw fail(`invalid sampling rate ${header.samplingRate} Hz`);
  }
  const annotations = header.annotations.filter(
    (a) => Number.isFinite(a.onset) && Number.isFinite(a.duration) && a.duration >= 0,
  );
  if (annotations.length < header.annotations.length) {
    header.warnings.push(
      `${header.annotations.length - annotations.length} annotations with invalid times were skipped`,
    );
  }
  return { ...header, annotations };
}

/** Applies options.channelNames (count must match) over the names a reader found or invented. */
export function applyChannelNames(
  file: string,
  format: string,
  names: string[],
  options: OpenRecordingOptions,
): string[] {
  if (!options.channelNames) return names;
  if (options.channelNames.length !== names.length) {
    throw new RecordingReadError(
      file,
      format,
      `${options.channelNames.length} channel names were given but the file holds ${names.length} channels`,
    );
  }
  return [...options.channelNames];
}

/** Rate for formats that store none: the option, or 1 Hz with a warning. */
export function samplingRateFromOptions(
  file: string,
  format: string,
  options: OpenRecordingOptions,
  warnings: string[],
): number {
  const rate = options.samplingRate;
  if (rate === undefined) {
    warnings.push('the file stores no sampling rate; 1 Hz was assumed (pass samplingRate)');
    return 1;
  }
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new RecordingReadError(file, format, `samplingRate option must be a positive number, got ${rate}`);
  }
  return rate;
}
