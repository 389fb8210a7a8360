import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { BinaryFile, READ_CHUNK_BYTES } from './binaryFile';
import { WindowedSource } from './recordingSource';
import { decodeSpan, hostIsLittleEndian, sampleTypeBytes, type SampleEncoding } from './sampleEncoding';

/** A [samples × channels] matrix stored contiguously in one file. */
export interface DenseMatrixLayout {
  dataOffset: number;
  encoding: SampleEncoding;
  nSamples: number;
  nChannels: number;
  /** 'time-major': all channels of sample 0, then sample 1 …; 'channel-major': all of channel 0 first. */
  order: 'time-major' | 'channel-major';
  /** Per-channel physical value = stored · scale + offset (both default to identity). */
  scale?: Float64Array;
  offset?: Float64Array;
}

/** Bytes a dense layout needs; readers compare it with the file size before trusting the header. */
export function denseMatrixBytes(
  layout: Pick<DenseMatrixLayout, 'encoding' | 'nSamples' | 'nChannels'>,
): number {
  return layout.nSamples * layout.nChannels * sampleTypeBytes[layout.encoding.type];
}

/** Serves windows of a dense matrix with positioned reads of bounded size. */
export class DenseMatrixSource extends WindowedSource {
  private readonly bytesPerValue: number;

  constructor(
    header: RecordingHeader,
    private readonly file: BinaryFile,
    private readonly layout: DenseMatrixLayout,
    private readonly extraClose: () => Promise<void> = async () => {},
  ) {
    super(header);
    this.bytesPerValue = sampleTypeBytes[layout.encoding.type];
  }

  protected async fill(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    if (this.layout.order === 'time-major') await this.fillTimeMajor(startSample, nSamples, out);
    else await this.fillChannelMajor(startSample, nSamples, out);
  }

  private isVerbatimFloat32(): boolean {
    const { encoding, scale, offset } = this.layout;
    return encoding.type === 'float32' && encoding.littleEndian === hostIsLittleEndian && !scale && !offset;
  }

  private async fillTimeMajor(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const { nChannels, dataOffset } = this.layout;
    const rowBytes = nChannels * this.bytesPerValue;
    const first = dataOffset + startSample * rowBytes;
    if (this.isVerbatimFloat32()) {
      // The stored bytes are already the answer: read straight into the caller's array.
      await this.file.readInto(first, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      return;
    }
    const rowsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / rowBytes));
    for (let row = 0; row < nSamples; row += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, nSamples - row);
      const bytes = await this.file.readAt(first + row * rowBytes, rows * rowBytes);
      for (let ch = 0; ch < nChannels; ch++) {
        decodeSpan(
          { bytes, start: ch * this.bytesPerValue, stride: rowBytes, count: rows },
          this.layout.encoding,
          out,
          row * nChannels + ch,
          nChannels,
          this.layout.scale?.[ch] ?? 1,
          this.layout.offset?.[ch] ?? 0,
        );
      }
    }
  }

  private async fillChannelMajor(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const { nChannels, nSamples: total, dataOffset } = this.layout;
    const bpv = this.bytesPerValue;
    const valuesPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / bpv));
    for (let ch = 0; ch < nChannels; ch++) {
      for (let done = 0; done < nSamples; done += valuesPerChunk) {
        const count = Math.min(valuesPerChunk, nSamples - done);
        const bytes = await this.file.readAt(
          dataOffset + (ch * total + startSample + done) * bpv,
          count * bpv,
        );
        decodeSpan(
          { bytes, start: 0, stride: bpv, count },
          this.layout.encoding,
          out,
          done * nChannels + ch,
          nChannels,
          this.layout.scale?.[ch] ?? 1,
          this.layout.offset?.[ch] ?? 0,
        );
      }
    }
  }

  async close(): Promise<void> {
    await this.file.close();
    await this.extraClose();
  }
}
